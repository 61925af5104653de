/** The parts of WXT's ContentScriptContext the observer needs (a fake one in unit tests). */
export interface ObserverContext {
  onInvalidated(cb: () => void): () => void;
  addEventListener(
    target: Window,
    type: 'wxt:locationchange',
    handler: (event: Event) => void,
  ): void;
}

export interface ObserveOptions {
  /** Quiet time after the last change before reading (a render burst → one read). */
  debounceMs?: number;
  /** Read at least this often while the page keeps changing (a ticking clock, a live list). */
  maxWaitMs?: number;
  /** What to watch; the document's root element by default. */
  target?: Node;
}

export type ChangeReason = 'start' | 'mutation' | 'navigation';

/**
 * The one DOM-observing helper for portal pages: calls `onChange` once at start, then after
 * each burst of DOM changes (debounced ~150 ms, but never starved by a page that changes
 * constantly) and after SPA navigation (`wxt:locationchange`). Stops with the context, so a
 * reloaded extension leaves no observer behind.
 */
export function observePage(
  ctx: ObserverContext,
  onChange: (reason: ChangeReason) => void,
  options: ObserveOptions = {},
): () => void {
  const debounceMs = options.debounceMs ?? 150;
  const maxWaitMs = options.maxWaitMs ?? 1000;
  const target = options.target ?? document.documentElement;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstPendingAt: number | undefined;
  let pendingReason: ChangeReason = 'mutation';
  let stopped = false;

  const fire = () => {
    timer = undefined;
    firstPendingAt = undefined;
    const reason = pendingReason;
    pendingReason = 'mutation';
    if (!stopped) onChange(reason);
  };
  const schedule = (reason: ChangeReason) => {
    if (stopped) return;
    if (reason === 'navigation') pendingReason = 'navigation';
    const now = Date.now();
    firstPendingAt ??= now;
    if (timer !== undefined) clearTimeout(timer);
    const wait = Math.max(0, Math.min(debounceMs, firstPendingAt + maxWaitMs - now));
    timer = setTimeout(fire, wait);
  };

  const observer = new MutationObserver(() => schedule('mutation'));
  observer.observe(target, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    // Status and time cues live in these; other attribute churn (classes, styles) is noise.
    attributeFilter: ['aria-label', 'datetime', 'title', 'href', 'data-call-id'],
  });
  ctx.addEventListener(window, 'wxt:locationchange', () => schedule('navigation'));

  const stop = () => {
    stopped = true;
    observer.disconnect();
    if (timer !== undefined) clearTimeout(timer);
  };
  ctx.onInvalidated(stop);
  queueMicrotask(() => {
    if (!stopped) onChange('start');
  });
  return stop;
}
