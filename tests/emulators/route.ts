/**
 * A fetch for Node-side tests and the benchmark that sends requests for the real hosts
 * (https://api.hubapi.com, https://app.clio.com, …) to the local emulators, so product code
 * keeps its real base URLs — the same trick the e2e tests play with context.route.
 */
export function routedFetch(
  routes: Record<string, string>,
  base: typeof fetch = globalThis.fetch,
): typeof fetch {
  return (input, init) => {
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
    );
    const target = routes[url.origin];
    if (!target)
      return Promise.reject(
        new TypeError(`No emulator for ${url.origin} (nothing may leave the machine)`),
      );
    return base(`${target}${url.pathname}${url.search}`, init);
  };
}
