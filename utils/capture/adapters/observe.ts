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
}

/**
 * The one DOM-observing helper for portal pages: calls `onChange` once at start, then after
 * each burst of DOM changes (debounced ~150 ms, but never starved by a page that changes
 * constantly) and after SPA navigation (`wxt:locationchange`). Stops with the context, so a
 * reloaded extension leaves no observer behind. (Why it fires does not matter to a reader:
 * every read looks at the whole page.)
 */
export function observePage(
  ctx: ObserverContext,
  onChange: () => void,
  options: ObserveOptions = {},
): () => void {
  const debounceMs = options.debounceMs ?? 150;
  const maxWaitMs = options.maxWaitMs ?? 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstPendingAt: number | undefined;
  let stopped = false;

  const fire = () => {
    timer = firstPendingAt = undefined;
    if (!stopped) onChange();
  };
  const schedule = () => {
    if (stopped) return;
    const now = Date.now();
    firstPendingAt ??= now;
    clearTimeout(timer);
    // A delay below zero is no delay.
    timer = setTimeout(fire, Math.min(debounceMs, firstPendingAt + maxWaitMs - now));
  };

  const observer = new MutationObserver(schedule);
  observer.observe(document.documentElement, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    // Status, time and id cues live in these; other attribute churn (classes, styles) is noise.
    attributeFilter: ['aria-label', 'datetime', 'title', 'href', 'data-call-id', 'data-id'],
  });
  ctx.addEventListener(window, 'wxt:locationchange', schedule);

  const stop = () => {
    stopped = true;
    observer.disconnect();
    clearTimeout(timer);
  };
  ctx.onInvalidated(stop);
  queueMicrotask(() => !stopped && onChange());
  return stop;
}
