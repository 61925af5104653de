import {
  LIVE_DATA_HEARTBEAT_MS,
  type LiveDataReply,
  type LiveDataRequest,
  type QueryArgs,
  type QueryName,
  type QueryResult,
} from './queries';

/** The part of `runtime.Port` the client uses. */
export interface LiveDataClientPort {
  postMessage(message: LiveDataRequest): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export interface LiveDataListener<T> {
  onValue: (value: T) => void;
  onError: (message: string) => void;
}

interface ActiveSubscription {
  name: QueryName;
  args: unknown;
  listener: LiveDataListener<never>;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 10_000;

/**
 * One page's connection to the background's live-data server (utils/live/server.ts).
 *
 * The port closes whenever the service worker stops (MV3 stops it at will, and an update
 * restarts it); the client then connects again, which wakes the worker, and subscribes
 * everything once more, so the page never depends on the worker keeping state. While the
 * page is visible it pings, which keeps the worker awake instead of restarting it every
 * 30 s; while hidden it lets the worker sleep and catches up when shown again.
 */
export class LiveDataClient {
  readonly #connect: () => LiveDataClientPort;
  readonly #subscriptions = new Map<number, ActiveSubscription>();
  #port: LiveDataClientPort | null = null;
  #nextId = 1;
  #visible = true;
  #retryMs = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Why the background cannot be reached for good (the extension went away), if so. */
  #gone: string | null = null;

  constructor(connect: () => LiveDataClientPort) {
    this.#connect = connect;
  }

  subscribe<N extends QueryName>(
    name: N,
    args: QueryArgs<N>,
    listener: LiveDataListener<QueryResult<N>>,
  ): () => void {
    if (this.#gone !== null) {
      listener.onError(this.#gone);
      return () => undefined;
    }
    const id = this.#nextId++;
    this.#subscriptions.set(id, { name, args, listener: listener as LiveDataListener<never> });
    if (this.#port) this.#post({ op: 'subscribe', id, name, args });
    else this.#ensureConnected();
    return () => {
      if (!this.#subscriptions.delete(id)) return;
      if (this.#subscriptions.size === 0) this.#close();
      else this.#post({ op: 'unsubscribe', id });
    };
  }

  /** Pages not shown (tab hidden, dock closed) stop pinging and do not reconnect until shown. */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible) {
      this.#ensureConnected();
      if (this.#port) this.#startHeartbeat();
    } else {
      this.#stopHeartbeat();
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
  }

  #ensureConnected(): void {
    if (this.#port || this.#gone !== null || !this.#visible || this.#subscriptions.size === 0)
      return;
    if (this.#retryTimer !== undefined) return;
    let port: LiveDataClientPort;
    try {
      port = this.#connect();
    } catch (error) {
      // The extension was reloaded or removed under this page: no background to ask.
      this.#gone = error instanceof Error ? error.message : String(error);
      for (const { listener } of this.#subscriptions.values()) listener.onError(this.#gone);
      return;
    }
    this.#port = port;
    port.onMessage.addListener((message) => this.#receive(message as LiveDataReply));
    port.onDisconnect.addListener(() => {
      if (this.#port !== port) return;
      this.#port = null;
      this.#stopHeartbeat();
      this.#scheduleReconnect();
    });
    for (const [id, { name, args }] of this.#subscriptions) {
      this.#post({ op: 'subscribe', id, name, args } as LiveDataRequest);
    }
    this.#startHeartbeat();
  }

  /** Right away after a clean restart; backing off while connections keep failing. */
  #scheduleReconnect(): void {
    if (this.#subscriptions.size === 0 || !this.#visible) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(Math.max(this.#retryMs * 2, FIRST_RETRY_MS), MAX_RETRY_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#ensureConnected();
    }, delay);
  }

  #receive(reply: LiveDataReply): void {
    if (!('id' in reply)) {
      console.error('Callback Desk live data:', reply.error);
      return;
    }
    const subscription = this.#subscriptions.get(reply.id);
    if (!subscription) return; // Unsubscribed while the reply was on its way.
    if ('error' in reply) {
      subscription.listener.onError(reply.error);
      return;
    }
    // A result means the worker is serving again: the next disconnect may retry at once.
    this.#retryMs = 0;
    subscription.listener.onValue(reply.value as never);
  }

  #post(message: LiveDataRequest): void {
    try {
      this.#port?.postMessage(message);
    } catch {
      // The port just closed; onDisconnect reconnects and subscribes everything again.
    }
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined || !this.#visible) return;
    this.#heartbeat = setInterval(() => this.#post({ op: 'ping' }), LIVE_DATA_HEARTBEAT_MS);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /** No one is listening: close the port so the worker may sleep. */
  #close(): void {
    this.#stopHeartbeat();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const port = this.#port;
    this.#port = null;
    port?.disconnect();
  }
}
