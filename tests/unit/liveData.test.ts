import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Browser } from 'wxt/browser';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls, recordAttempt } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { IncomingCall, Lead } from '@/utils/model';
import {
  LIVE_DATA_PORT,
  MAX_SUBSCRIPTIONS_PER_PORT,
  parseLiveDataRequest,
  type LiveDataReply,
} from '@/utils/live/queries';
import { serveLiveData } from '@/utils/live/server';

const allDay = [{ open: '00:00', close: '23:59' }];
const settings: FirmSettings = {
  ...DEFAULT_SETTINGS,
  timeZone: 'UTC',
  weeklyHours: [allDay, allDay, allDay, allDay, allDay, allDay, allDay],
};

function call(from: string, minutesAgo: number, callerName?: string): IncomingCall {
  return {
    from,
    startedAt: Date.now() - minutesAgo * 60_000,
    provider: 'manual',
    capturePath: 'manual',
    ...(callerName ? { callerName } : {}),
  };
}

const extensionUrl = (path: string) => fakeBrowser.runtime.getURL(path);
const crmTab = { id: 7, url: 'https://app.hubspot.com/contacts/1' } as Browser.tabs.Tab;

/** A runtime port as the server sees it; replies go through JSON, as Chrome's do. */
function fakePort(sender: Browser.runtime.MessageSender) {
  const onMessage: ((message: unknown) => void)[] = [];
  const onDisconnect: (() => void)[] = [];
  const replies: LiveDataReply[] = [];
  const port = {
    name: LIVE_DATA_PORT,
    sender,
    postMessage: (reply: LiveDataReply) => replies.push(JSON.parse(JSON.stringify(reply))),
    disconnect: vi.fn(),
    onMessage: { addListener: (l: (message: unknown) => void) => onMessage.push(l) },
    onDisconnect: { addListener: (l: () => void) => onDisconnect.push(l) },
  };
  return {
    port,
    replies,
    send: (message: unknown) => onMessage.forEach((l) => l(message)),
    close: () => onDisconnect.forEach((l) => l()),
    listening: () => onMessage.length > 0,
    valuesFor: (id: number) =>
      replies
        .filter(
          (r): r is { id: number; value: unknown } => 'id' in r && r.id === id && 'value' in r,
        )
        .map((r) => r.value),
  };
}

describe('parseLiveDataRequest', () => {
  it('accepts the registry’s queries with fitting arguments', () => {
    expect(parseLiveDataRequest({ op: 'subscribe', id: 1, name: 'openLeads', args: {} })).toEqual({
      ok: true,
      command: { op: 'subscribe', subscription: { id: 1, name: 'openLeads', args: {} } },
    });
    expect(
      parseLiveDataRequest({ op: 'subscribe', id: 2, name: 'lead', args: { leadId: 'abc' } }),
    ).toMatchObject({
      ok: true,
      command: { subscription: { name: 'lead', args: { leadId: 'abc' } } },
    });
    expect(parseLiveDataRequest({ op: 'unsubscribe', id: 2 })).toEqual({
      ok: true,
      command: { op: 'unsubscribe', id: 2 },
    });
    expect(parseLiveDataRequest({ op: 'ping' })).toEqual({ ok: true, command: { op: 'ping' } });
  });

  it('rejects names outside the registry, prototype keys included', () => {
    for (const name of ['secrets', 'outbox', 'constructor', '__proto__', 'toString', '']) {
      const result = parseLiveDataRequest({ op: 'subscribe', id: 3, name, args: {} });
      expect(result, name).toMatchObject({ ok: false, id: 3 });
    }
  });

  it('rejects arguments that do not fit the query, naming the subscription', () => {
    const bad: unknown[] = [
      {},
      { leadId: '' },
      { leadId: 42 },
      { leadId: 'a'.repeat(201) },
      { leadId: 'abc', extra: true },
      'abc',
    ];
    for (const args of bad) {
      const result = parseLiveDataRequest({ op: 'subscribe', id: 9, name: 'leadCalls', args });
      expect(result, JSON.stringify(args)).toMatchObject({ ok: false, id: 9 });
      if (!result.ok) expect(result.error).toContain('leadCalls');
    }
    expect(
      parseLiveDataRequest({ op: 'subscribe', id: 9, name: 'openLeads', args: { all: 1 } }),
    ).toMatchObject({
      ok: false,
      id: 9,
    });
  });

  it('rejects malformed envelopes', () => {
    for (const message of [
      null,
      'subscribe',
      { op: 'drop', id: 1 },
      { op: 'subscribe', id: -1, name: 'openLeads', args: {} },
      { op: 'subscribe', id: 1.5, name: 'openLeads', args: {} },
      { op: 'subscribe', id: '1', name: 'openLeads', args: {} },
      { op: 'unsubscribe' },
      { op: 'ping', id: 1, extra: 'x' },
    ]) {
      expect(parseLiveDataRequest(message), JSON.stringify(message)).toMatchObject({ ok: false });
    }
  });
});

describe('serveLiveData', () => {
  let db: CallbackDeskDB;
  beforeEach(async () => {
    db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
    await db.open();
  });
  afterEach(async () => {
    await db.delete();
  });

  it('refuses ports from content scripts: they get no lead data', async () => {
    await captureCalls(db, settings, [call('(212) 555-0143', 3, 'Maria Lopez')]);
    for (const sender of [
      { url: 'https://app.hubspot.com/contacts/1', tab: crmTab },
      { url: 'https://evil.example/chrome-extension://test-extension-id/', tab: crmTab },
      {},
    ]) {
      const client = fakePort(sender);
      serveLiveData(client.port, db);
      expect(client.port.disconnect, JSON.stringify(sender)).toHaveBeenCalled();
      expect(client.listening()).toBe(false);
      expect(client.replies).toEqual([]);
    }
  });

  it('serves the dock’s frame (our page inside a CRM tab) and keeps it current', async () => {
    const client = fakePort({ url: extensionUrl('/sidebar.html#ctx=x'), tab: crmTab });
    serveLiveData(client.port, db);
    expect(client.port.disconnect).not.toHaveBeenCalled();

    client.send({ op: 'subscribe', id: 1, name: 'openLeads', args: {} });
    await vi.waitFor(() => expect(client.valuesFor(1)).toEqual([{ leads: [], complete: true }]));

    const { added } = await captureCalls(db, settings, [call('(212) 555-0143', 3, 'Maria Lopez')]);
    const leadId = added[0]!.leadId;
    await vi.waitFor(() =>
      expect((client.valuesFor(1).at(-1) as { leads: Lead[] }).leads.map((l) => l.name)).toEqual([
        'Maria Lopez',
      ]),
    );

    client.send({ op: 'subscribe', id: 2, name: 'lead', args: { leadId } });
    client.send({ op: 'subscribe', id: 3, name: 'leadAttempts', args: { leadId } });
    await vi.waitFor(() => expect(client.valuesFor(3)).toEqual([[]]));
    await recordAttempt(db, settings, {
      leadId,
      method: 'call',
      outcome: 'consultation-booked',
      close: true,
    });
    // The closed lead leaves the open queue; its own record and attempts update.
    await vi.waitFor(() =>
      expect(client.valuesFor(1).at(-1)).toEqual({ leads: [], complete: true }),
    );
    await vi.waitFor(() => expect((client.valuesFor(2).at(-1) as Lead).status).toBe('done'));
    await vi.waitFor(() => expect(client.valuesFor(3).at(-1)).toHaveLength(1));
  });

  it('stops a subscription on unsubscribe, and all of them when the page goes away', async () => {
    const client = fakePort({ url: extensionUrl('/sidepanel.html') });
    serveLiveData(client.port, db);
    client.send({ op: 'subscribe', id: 1, name: 'openLeads', args: {} });
    client.send({ op: 'subscribe', id: 2, name: 'adapterHealth', args: {} });
    await vi.waitFor(() => expect(client.valuesFor(1)).toHaveLength(1));
    await vi.waitFor(() => expect(client.valuesFor(2)).toHaveLength(1));

    client.send({ op: 'unsubscribe', id: 1 });
    await captureCalls(db, settings, [call('(212) 555-0143', 3)]);
    await db.adapterHealth.put({
      id: 'ringcentral@app.ringcentral.com',
      adapterId: 'ringcentral',
      host: 'app.ringcentral.com',
      rowsSeen: 3,
      rowsRead: 3,
      selectorMisses: 0,
      lastSeenAt: Date.now(),
    });
    await vi.waitFor(() => expect(client.valuesFor(2)).toHaveLength(2));
    expect(client.valuesFor(1)).toHaveLength(1);

    client.close();
    const before = client.replies.length;
    // Another page's subscription shows when the server has seen the writes: by then a
    // subscription still running on the closed port would have had them too.
    const witness = fakePort({ url: extensionUrl('/sidepanel.html') });
    serveLiveData(witness.port, db);
    witness.send({ op: 'subscribe', id: 1, name: 'adapterHealth', args: {} });
    await vi.waitFor(() => expect(witness.valuesFor(1)).toHaveLength(1));
    await db.adapterHealth.update('ringcentral@app.ringcentral.com', { rowsSeen: 4 });
    await vi.waitFor(() => expect(witness.valuesFor(1)).toHaveLength(2));
    expect(client.replies).toHaveLength(before);
    witness.close();
  });

  it('answers a bad request with an error for that subscription and keeps serving', async () => {
    const client = fakePort({ url: extensionUrl('/sidebar.html') });
    serveLiveData(client.port, db);
    client.send({ op: 'subscribe', id: 4, name: 'secrets', args: {} });
    client.send({ op: 'subscribe', id: 5, name: 'lead', args: { id: 'x' } });
    client.send({ nonsense: true });
    client.send({ op: 'subscribe', id: 6, name: 'lead', args: { leadId: 'missing' } });
    await vi.waitFor(() => expect(client.valuesFor(6)).toEqual([null]));
    expect(client.replies).toEqual(
      expect.arrayContaining([
        { id: 4, error: expect.stringContaining('Invalid live-data request') },
        { id: 5, error: expect.stringContaining('Invalid arguments for lead') },
        { error: expect.stringContaining('Invalid live-data request') },
      ]),
    );
  });

  it('caps the subscriptions one page may hold', async () => {
    const client = fakePort({ url: extensionUrl('/sidebar.html') });
    serveLiveData(client.port, db);
    for (let id = 1; id <= MAX_SUBSCRIPTIONS_PER_PORT + 1; id++) {
      client.send({ op: 'subscribe', id, name: 'adapterHealth', args: {} });
    }
    await vi.waitFor(() => expect(client.valuesFor(MAX_SUBSCRIPTIONS_PER_PORT)).toHaveLength(1));
    expect(client.replies).toContainEqual({
      id: MAX_SUBSCRIPTIONS_PER_PORT + 1,
      error: expect.stringContaining('Too many live queries'),
    });
    client.close();
  });
});
