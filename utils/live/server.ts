import { browser } from '#imports';
import type { Browser } from 'wxt/browser';
import { liveQuery, type Subscription } from 'dexie';
import { db, type CallbackDeskDB } from '../db';
import { errorMessage } from '../errorMessage';
import { isExtensionPage } from '../handlers';
import {
  LIVE_DATA_PORT,
  MAX_SUBSCRIPTIONS_PER_PORT,
  parseLiveDataRequest,
  runQuery,
  type LiveDataReply,
} from './queries';

/** The part of `runtime.Port` the server uses. */
export interface LiveDataPort {
  name: string;
  sender?: Browser.runtime.MessageSender;
  postMessage(message: LiveDataReply): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

/**
 * Live queries for sidebar frames that cannot open the database themselves: the in-page
 * dock is a cross-site iframe, and browsers that block third-party storage deny it
 * IndexedDB. The frame names a query from utils/live/queries.ts; the background runs it as a
 * Dexie live query and posts every new result until the frame unsubscribes or goes away.
 */
export function setupLiveDataServer(): void {
  browser.runtime.onConnect.addListener((port) => {
    if (port.name === LIVE_DATA_PORT) serveLiveData(port);
  });
}

/**
 * Serve one port. Its subscriptions live only as long as the port: when the worker stops,
 * the port closes and the page subscribes again, so nothing here needs to survive a restart.
 */
export function serveLiveData(port: LiveDataPort, database: CallbackDeskDB = db): void {
  // Only our own pages (the dock's iframe reports our URL, with its CRM tab) read leads; a
  // content script reports the web page's URL and gets nothing.
  if (!port.sender || !isExtensionPage(port.sender)) {
    port.disconnect();
    return;
  }

  const subscriptions = new Map<number, Subscription>();
  let connected = true;
  const post = (reply: LiveDataReply) => {
    if (!connected) return;
    try {
      port.postMessage(reply);
    } catch {
      // The page went away between the query and the reply; onDisconnect cleans up.
    }
  };
  const stop = (id: number) => {
    subscriptions.get(id)?.unsubscribe();
    subscriptions.delete(id);
  };

  port.onDisconnect.addListener(() => {
    connected = false;
    for (const subscription of subscriptions.values()) subscription.unsubscribe();
    subscriptions.clear();
  });

  port.onMessage.addListener((message) => {
    const parsed = parseLiveDataRequest(message);
    if (!parsed.ok) {
      if (parsed.id !== undefined) stop(parsed.id);
      post(
        parsed.id === undefined ? { error: parsed.error } : { id: parsed.id, error: parsed.error },
      );
      return;
    }
    const { command } = parsed;
    if (command.op === 'ping') return; // The message itself keeps the worker awake.
    if (command.op === 'unsubscribe') {
      stop(command.id);
      return;
    }
    const { id, name, args } = command.subscription;
    stop(id);
    if (subscriptions.size >= MAX_SUBSCRIPTIONS_PER_PORT) {
      post({
        id,
        error: `Too many live queries on one page (limit ${MAX_SUBSCRIPTIONS_PER_PORT}).`,
      });
      return;
    }
    const subscription = liveQuery(() => runQuery(database, name, args)).subscribe({
      next: (value) => post({ id, value }),
      error: (error: unknown) => {
        subscriptions.delete(id);
        post({ id, error: errorMessage(error) });
      },
    });
    // A query that failed at once has already removed itself; do not resurrect it.
    if (!subscription.closed) subscriptions.set(id, subscription);
  });
}
