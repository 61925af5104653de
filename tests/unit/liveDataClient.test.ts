import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveDataClient, type LiveDataClientPort } from '@/utils/live/client';
import { LIVE_DATA_HEARTBEAT_MS, type LiveDataRequest } from '@/utils/live/queries';

/** Ports handed out by a fake `runtime.connect`; each can answer and be closed by the worker. */
function fakeConnector() {
  const ports: {
    sent: LiveDataRequest[];
    disconnected: boolean;
    reply: (message: unknown) => void;
    drop: () => void;
  }[] = [];
  const connect = vi.fn((): LiveDataClientPort => {
    const onMessage: ((message: unknown) => void)[] = [];
    const onDisconnect: (() => void)[] = [];
    const record = {
      sent: [] as LiveDataRequest[],
      disconnected: false,
      reply: (message: unknown) => onMessage.forEach((l) => l(message)),
      // As when the service worker stops: the page's side sees onDisconnect.
      drop: () => onDisconnect.forEach((l) => l()),
    };
    ports.push(record);
    return {
      postMessage: (message) => {
        if (record.disconnected) throw new Error('Attempting to use a disconnected port object');
        record.sent.push(message);
      },
      disconnect: () => {
        record.disconnected = true;
      },
      onMessage: { addListener: (l) => onMessage.push(l) },
      onDisconnect: { addListener: (l) => onDisconnect.push(l) },
    };
  });
  return { connect, ports, last: () => ports.at(-1)! };
}

const subscribes = (sent: LiveDataRequest[]) =>
  sent.filter((m) => m.op === 'subscribe').map((m) => ('name' in m ? m.name : ''));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LiveDataClient', () => {
  it('connects on the first subscription and delivers each result to its subscriber', () => {
    const { connect, last } = fakeConnector();
    const client = new LiveDataClient(connect);
    expect(connect).not.toHaveBeenCalled();

    const queue = vi.fn();
    const lead = vi.fn();
    client.subscribe('openLeads', {}, { onValue: queue, onError: vi.fn() });
    client.subscribe('lead', { leadId: 'a' }, { onValue: lead, onError: vi.fn() });
    expect(connect).toHaveBeenCalledTimes(1);
    expect(last().sent).toEqual([
      { op: 'subscribe', id: 1, name: 'openLeads', args: {} },
      { op: 'subscribe', id: 2, name: 'lead', args: { leadId: 'a' } },
    ]);

    last().reply({ id: 1, value: [] });
    last().reply({ id: 2, value: null });
    last().reply({ id: 1, value: [{ id: 'a' }] });
    expect(queue.mock.calls).toEqual([[[]], [[{ id: 'a' }]]]);
    expect(lead.mock.calls).toEqual([[null]]);
  });

  it('subscribes everything again after the worker restarts', () => {
    const { connect, ports, last } = fakeConnector();
    const client = new LiveDataClient(connect);
    const queue = vi.fn();
    client.subscribe('openLeads', {}, { onValue: queue, onError: vi.fn() });
    const unsubscribeHealth = client.subscribe(
      'adapterHealth',
      {},
      { onValue: vi.fn(), onError: vi.fn() },
    );
    client.subscribe('leadCalls', { leadId: 'a' }, { onValue: vi.fn(), onError: vi.fn() });
    unsubscribeHealth();
    last().reply({ id: 1, value: [] });

    last().drop();
    vi.advanceTimersByTime(0);
    expect(ports).toHaveLength(2);
    expect(subscribes(last().sent)).toEqual(['openLeads', 'leadCalls']);
    last().reply({ id: 1, value: [{ id: 'new' }] });
    expect(queue).toHaveBeenLastCalledWith([{ id: 'new' }]);
  });

  it('backs off while the background keeps refusing, and recovers at once after a result', () => {
    const { connect, ports, last } = fakeConnector();
    const client = new LiveDataClient(connect);
    client.subscribe('openLeads', {}, { onValue: vi.fn(), onError: vi.fn() });
    last().drop();
    vi.advanceTimersByTime(0);
    expect(ports).toHaveLength(2);
    last().drop();
    vi.advanceTimersByTime(99);
    expect(ports).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(ports).toHaveLength(3);
    last().drop();
    vi.advanceTimersByTime(199);
    expect(ports).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(ports).toHaveLength(4);

    last().reply({ id: 1, value: [] });
    last().drop();
    vi.advanceTimersByTime(0);
    expect(ports).toHaveLength(5);
  });

  it('pings while visible, so the worker is not stopped under an open dock', () => {
    const { connect, last } = fakeConnector();
    const client = new LiveDataClient(connect);
    client.subscribe('openLeads', {}, { onValue: vi.fn(), onError: vi.fn() });
    vi.advanceTimersByTime(LIVE_DATA_HEARTBEAT_MS * 3);
    expect(last().sent.filter((m) => m.op === 'ping')).toHaveLength(3);
  });

  it('lets the worker sleep while hidden and catches up when shown', () => {
    const { connect, ports, last } = fakeConnector();
    const client = new LiveDataClient(connect);
    client.subscribe('openLeads', {}, { onValue: vi.fn(), onError: vi.fn() });
    client.setVisible(false);
    vi.advanceTimersByTime(LIVE_DATA_HEARTBEAT_MS * 3);
    expect(last().sent.filter((m) => m.op === 'ping')).toHaveLength(0);

    last().drop();
    vi.advanceTimersByTime(60_000);
    expect(ports).toHaveLength(1);

    client.setVisible(true);
    expect(ports).toHaveLength(2);
    expect(subscribes(last().sent)).toEqual(['openLeads']);
  });

  it('closes the port when the last subscriber leaves', () => {
    const { connect, ports, last } = fakeConnector();
    const client = new LiveDataClient(connect);
    const off1 = client.subscribe('openLeads', {}, { onValue: vi.fn(), onError: vi.fn() });
    const off2 = client.subscribe('adapterHealth', {}, { onValue: vi.fn(), onError: vi.fn() });
    off1();
    expect(last().sent.at(-1)).toEqual({ op: 'unsubscribe', id: 1 });
    off2();
    expect(last().disconnected).toBe(true);
    vi.advanceTimersByTime(LIVE_DATA_HEARTBEAT_MS * 2);
    expect(ports).toHaveLength(1);

    client.subscribe('openLeads', {}, { onValue: vi.fn(), onError: vi.fn() });
    expect(ports).toHaveLength(2);
  });

  it('reports errors to the subscriber they concern', () => {
    const { connect, last } = fakeConnector();
    const client = new LiveDataClient(connect);
    const first = vi.fn();
    const second = vi.fn();
    client.subscribe('lead', { leadId: 'a' }, { onValue: vi.fn(), onError: first });
    client.subscribe('lead', { leadId: 'b' }, { onValue: vi.fn(), onError: second });
    last().reply({ id: 2, error: 'Invalid arguments for lead' });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledWith('Invalid arguments for lead');
  });

  it('tells subscribers when the extension is gone (reloaded under the page)', () => {
    const client = new LiveDataClient(() => {
      throw new Error('Extension context invalidated.');
    });
    const onError = vi.fn();
    client.subscribe('openLeads', {}, { onValue: vi.fn(), onError });
    expect(onError).toHaveBeenCalledWith('Extension context invalidated.');
    const later = vi.fn();
    client.subscribe('adapterHealth', {}, { onValue: vi.fn(), onError: later });
    expect(later).toHaveBeenCalledWith('Extension context invalidated.');
  });
});
