export interface DockOptions {
  /** Whether the panel starts open (the site's remembered state). */
  open: boolean;
  /** The site the "hide" control talks about (the page's host name). */
  site: string;
  /** The sidebar page's URL with the page-context hash of the page as it is now. */
  sidebarUrl: string;
  onOpenChange: (open: boolean) => void;
  onHide: () => void;
}

export interface Dock {
  /** Tell the sidebar which page is showing, without reloading it or adding history. */
  setSidebarUrl: (url: string) => void;
}

function button(className: string, label: string, title: string): HTMLButtonElement {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = className;
  el.textContent = label;
  el.title = title;
  return el;
}

/**
 * Build the dock inside our shadow root: a handle on the right edge and a panel holding the
 * sidebar page in an iframe. The iframe is created on first open, so a page where the dock
 * stays closed never loads the sidebar app.
 */
export function buildDock(container: HTMLElement, options: DockOptions): Dock {
  const root = document.createElement('div');
  root.className = 'dock';

  const handle = button('handle', 'Callbacks', '');
  handle.setAttribute('aria-controls', 'callback-desk-panel');

  const panel = document.createElement('section');
  panel.className = 'panel';
  panel.id = 'callback-desk-panel';
  panel.setAttribute('aria-label', 'Callback Desk');

  const bar = document.createElement('div');
  bar.className = 'bar';
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = 'Callback Desk';
  const hide = button(
    'hide',
    'Hide on this site',
    `Stop showing the dock on ${options.site}. Show it again from Callback Desk settings.`,
  );
  const close = button('close', '×', 'Close the panel');
  close.setAttribute('aria-label', 'Close Callback Desk');
  bar.append(title, hide, close);
  panel.append(bar);
  root.append(handle, panel);
  container.append(root);

  let iframe: HTMLIFrameElement | undefined;
  let open = false;
  let sidebarUrl = options.sidebarUrl;

  const render = (next: boolean) => {
    open = next;
    root.dataset.open = String(open);
    panel.hidden = !open;
    handle.setAttribute('aria-expanded', String(open));
    handle.setAttribute('aria-label', open ? 'Close Callback Desk' : 'Open Callback Desk');
    handle.title = open ? 'Close Callback Desk' : 'Open Callback Desk';
    if (open && !iframe) {
      iframe = document.createElement('iframe');
      iframe.title = 'Callback Desk sidebar';
      // The sidebar checks it is framed by an app page (utils/dock/embedding.ts): it needs
      // this page's full address, which browsers otherwise cut to the origin.
      iframe.referrerPolicy = 'unsafe-url';
      iframe.src = sidebarUrl;
      panel.append(iframe);
    }
  };

  const toggle = (next: boolean) => {
    if (next === open) return;
    render(next);
    options.onOpenChange(next);
  };

  handle.addEventListener('click', () => toggle(!open));
  close.addEventListener('click', () => toggle(false));
  hide.addEventListener('click', () => options.onHide());
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && open) {
      toggle(false);
      handle.focus();
    }
  });

  render(options.open);

  return {
    setSidebarUrl: (url) => {
      if (url === sidebarUrl) return;
      sidebarUrl = url;
      // location.replace: a fragment change in the frame, with no entry in the tab's history
      // (setting src would make the page's Back button step through our hash changes).
      iframe?.contentWindow?.location.replace(url);
    },
  };
}
