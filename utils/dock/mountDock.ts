import { browser, type ContentScriptContext } from '#imports';
import { sendMessage } from '../messaging';
import { buildDock } from './buildDock';

/** The dock's host element: a custom element, so page styles aimed at tags never match it. */
export const DOCK_TAG = 'callback-desk-dock';

/** Keys typed in the dock stay in the dock: the page's keyboard shortcuts never see them. */
const ISOLATED_EVENTS = ['keydown', 'keyup', 'keypress'] as const;

/** The dock's styles (public/dock.css, web-accessible where the dock lives), or null. */
async function dockCss(): Promise<string | null> {
  try {
    const response = await fetch(browser.runtime.getURL('/dock.css'));
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

/** An inline style we set on the page's element, and how to put the page's own back. */
function inlineStyle(el: HTMLElement, property: string) {
  const before = {
    value: el.style.getPropertyValue(property),
    priority: el.style.getPropertyPriority(property),
  };
  let set = false;
  return {
    set(value: string) {
      el.style.setProperty(property, value, 'important');
      set = true;
    },
    restore() {
      if (!set) return;
      el.style.setProperty(property, before.value, before.priority);
      set = false;
    },
  };
}

/**
 * The page makes room for the dock instead of lying under it: the root element gets a right
 * margin as wide as what the dock shows (the handle; the panel and the handle when open), so
 * the CRM's own controls reflow beside it and none is covered. CRMs are app shells whose
 * body fills the window and never scrolls; there the body also becomes the box that the
 * page's fixed elements (Clio's timer tab, HubSpot's help launcher) are placed in, so they
 * move beside the dock too. Only inline styles of <html> and <body> change, and they are
 * put back when the dock goes.
 */
function makeRoom(container: HTMLElement): { release: () => void } {
  const root = document.documentElement;
  const margin = inlineStyle(root, 'margin-right');
  const body = document.body ? inlineStyle(document.body, 'transform') : undefined;
  let reserved = -1;
  let shellChecked = false;
  const isAppShell = () => {
    const box = document.body?.getBoundingClientRect();
    return (
      !!box &&
      Math.abs(box.top) < 1 &&
      Math.abs(box.height - root.clientHeight) < 2 &&
      root.scrollHeight <= root.clientHeight &&
      getComputedStyle(document.body).transform === 'none'
    );
  };
  const measure = () => {
    const viewportRight = root.clientWidth;
    let left = viewportRight;
    for (const el of container.querySelectorAll<HTMLElement>('.handle, .panel')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0) left = Math.min(left, box.left);
    }
    const width = Math.max(0, Math.ceil(viewportRight - left));
    if (width === reserved) return;
    // Judged once, on the page as it was before it made room.
    if (!shellChecked && width > 0) {
      shellChecked = true;
      if (isAppShell()) body?.set('translate(0)');
    }
    reserved = width;
    margin.set(`${width}px`);
  };
  const observer = new ResizeObserver(measure);
  for (const el of container.querySelectorAll('.handle, .panel')) observer.observe(el);
  measure();
  return {
    release: () => {
      observer.disconnect();
      margin.restore();
      body?.restore();
    },
  };
}

/**
 * Mount the dock (a handle on the right edge opening the sidebar app in an iframe) on this
 * page, in a shadow root so the page's CSS and ours never meet. Shared by the CRM and the
 * phone-portal content scripts; plain DOM, no UI framework, so each script stays small.
 * Open/closed and "hide on this site" are remembered per host by the background (content
 * scripts cannot read extension storage).
 *
 * `pageHash` gives the sidebar's URL hash for a page URL (the CRM page context); it is
 * re-read on single-page-app navigation.
 */
export async function mountDock(
  ctx: ContentScriptContext,
  pageHash: (pageUrl: string) => string = () => '',
): Promise<void> {
  const [prefs, css] = await Promise.all([
    // If the background cannot answer (extension just updated), show the dock closed.
    sendMessage('getDockPrefs').catch(() => ({ open: false, hidden: false })),
    dockCss(),
  ]);
  // Without its styles the dock would land in the page's layout: better no dock at all.
  if (prefs.hidden || css === null || ctx.isInvalid) return;

  const sidebarUrl = (pageUrl: string) =>
    browser.runtime.getURL('/sidebar.html') + pageHash(pageUrl);
  const remember = (patch: { open?: boolean; hidden?: boolean }) =>
    sendMessage('setDockPrefs', patch).catch(() => undefined);

  const host = document.createElement(DOCK_TAG);
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = css;
  const container = document.createElement('div');
  shadow.append(style, container);
  for (const type of ISOLATED_EVENTS) shadow.addEventListener(type, (e) => e.stopPropagation());

  const dock = buildDock(container, {
    open: prefs.open,
    site: location.hostname,
    sidebarUrl: sidebarUrl(location.href),
    onOpenChange: (open) => void remember({ open }),
    onHide: () => {
      void remember({ hidden: true, open: false });
      room.release();
      host.remove();
    },
  });
  // After <body>, so nothing the page lays out or selects among its body's children moves.
  document.documentElement.append(host);
  const room = makeRoom(container);
  ctx.onInvalidated(() => {
    room.release();
    host.remove();
  });

  // Single-page apps: follow navigation so the sidebar knows the page now showing. The
  // event fires before `location` changes, so read the new URL from it.
  ctx.addEventListener(window, 'wxt:locationchange', ({ newUrl }) =>
    dock.setSidebarUrl(sidebarUrl(newUrl.href)),
  );
}
