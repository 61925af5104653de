import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Browser } from 'wxt/browser';

/**
 * The message tests' shared senders and delivery: a message arrives at the background the way
 * the browser delivers it, with the sender the browser reports (a content script on a web
 * page, or one of Callback Desk's own pages), and the test reads the reply.
 */

export type Sender = Browser.runtime.MessageSender;

export interface Reply {
  res?: unknown;
  err?: { name: string; message: string; stack?: string; [key: string]: unknown };
}

/** A content script on the web page at `url`, in tab `tabId`: the browser reports both. */
export function contentScriptAt(url: string, tabId: number): Sender {
  return { id: fakeBrowser.runtime.id, url, tab: { id: tabId, url } as never, frameId: 0 };
}

/** One of Callback Desk's own pages (the sidebar app, unless `path` says otherwise). */
export function ownPage(path: `/${string}` = '/sidebar.html'): Sender {
  return { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL(path as '/sidebar.html') };
}

/** Deliver a message as the browser does, with the sender it reports; resolve with the reply. */
export function deliver(type: string, data: unknown, sender: Sender): Promise<Reply> {
  return new Promise((resolve) => {
    void fakeBrowser.runtime.onMessage.trigger(
      { id: 1, type, data, timestamp: Date.now() },
      sender,
      resolve,
    );
  });
}
