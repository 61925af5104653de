import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { db } from '@/utils/db';
import { setSourceEnabled } from '@/utils/capture/sources/connections';
import { readCursor } from '@/utils/capture/sources/poller';
import { catchingUp } from '@/utils/capture/health';
import { crmConnectionsItem } from '@/utils/crm/connections';
import { writeCredentials } from '@/utils/crm/tokens';
import type { SourceId } from '@/utils/capture/sources/types';
import {
  EMULATED_TWILIO_SID,
  startAircall,
  startClioCommunications,
  startDialpad,
  startRingCentral,
  startTwilio,
} from '../emulators/providers';
import { startHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot.ts';
import { routedFetch } from '../emulators/route.ts';
import {
  clock,
  closeAll,
  connectClio,
  connectRingCentral,
  connectSource as connect,
  minutesAgo,
  now,
  poll,
  resetPollerWorld,
  track,
} from './pollerWorld.ts';

/**
 * Calls whose records appear or change late (issue 7, items 11–14): a caller who waited in a
 * queue, a long answered call, an entry logged hours after the call; records that cannot be
 * read; more calls than one poll reads. Every poll here runs against the emulators, with the
 * poller's clock moved past each wait it sets, as the alarm would.
 */

/** Polls until a sweep is over (the cursor keeps no resume point); returns each poll's outcome. */
async function pollUntilCaughtUp(id: SourceId, maxPolls = 10) {
  const outcomes = [];
  for (let i = 0; i < maxPolls; i++) {
    const outcome = await poll(id);
    outcomes.push(outcome);
    if (outcome.status === 'ok' && !readCursor(await db.cursors.get(id), now()).sweep)
      return outcomes;
    if (outcome.status === 'error')
      clock.offset = Math.max(clock.offset, outcome.nextPollAfter! - Date.now() + 1);
  }
  throw new Error(`${id} never caught up: ${JSON.stringify(outcomes)}`);
}

const leadOf = (phone: string) => db.leads.where('phoneKey').equals(phone).first();
const health = async (id: SourceId) => (await db.cursors.get(id))?.lastError;

beforeEach(resetPollerWorld);
afterEach(closeAll);

describe('records that appear late are read (item 11)', () => {
  it('RingCentral: a caller who waited 20 minutes in a queue, and a 40-minute answered call that closes the lead', async () => {
    const rc = await track(startRingCentral());
    await connectRingCentral(rc);
    rc.state.addCall({ from: '+13125550201', at: minutesAgo(60) });
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 1 });

    // Ten minutes later: the caller rang again 45 minutes ago, got through and talked for
    // 40 minutes; the call log shows the call only now that it ended. Meanwhile another
    // caller hung up after 20 minutes in the queue.
    clock.offset += 10 * 60_000;
    rc.state.addCall({
      from: '+13125550201',
      at: minutesAgo(45),
      outcome: 'answered',
      durationSeconds: 40 * 60,
    });
    rc.state.addCall({ from: '+13125550202', at: minutesAgo(20), outcome: 'abandoned' });
    const notify = vi.spyOn(fakeBrowser.notifications, 'create');
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 1, answeredClosed: 1 });
    // New to the desk although it started 20 minutes ago: the firm is told.
    expect(notify).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ title: 'Missed call — (312) 555-0202' }),
    );
    notify.mockRestore();
    expect(await leadOf('+13125550201')).toMatchObject({ status: 'done', closeOutcome: 'reached' });
    expect(await leadOf('+13125550202')).toMatchObject({ status: 'open' });

    // Re-reading the window stores nothing twice.
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 0 });
    expect(await db.calls.count()).toBe(3);
    expect(await db.leads.count()).toBe(2);
  });

  it('Aircall, Twilio and Dialpad: a missed call that shows up 30 minutes after it started', async () => {
    const aircall = await track(startAircall());
    const twilio = await track(startTwilio());
    const dialpad = await track(startDialpad());
    await connect('aircall', aircall.url, { apiId: 'aircall-id', apiToken: 'aircall-token' });
    await connect(
      'twilio',
      twilio.url,
      { authToken: 'twilio-token' },
      { accountSid: EMULATED_TWILIO_SID },
    );
    await connect('dialpad', dialpad.url, { apiKey: 'dialpad-key' });
    for (const id of ['aircall', 'twilio', 'dialpad'] as const)
      expect(await poll(id)).toMatchObject({ status: 'ok', added: 0 });

    clock.offset += 2 * 60_000;
    aircall.state.addCall({ from: '+12125550301', at: minutesAgo(30) });
    twilio.state.addCall({ from: '+14155550301', at: minutesAgo(30) });
    dialpad.state.addCall({ from: '+16465550301', at: minutesAgo(30) });
    for (const id of ['aircall', 'twilio', 'dialpad'] as const) {
      expect(await poll(id)).toMatchObject({ status: 'ok', added: 1 });
      expect(await poll(id)).toMatchObject({ status: 'ok', added: 0 });
    }
    expect(await db.leads.count()).toBe(3);
  });

  it('Clio: an entry logged three hours after the call is read (by updated_since)', async () => {
    const clio = await track(startClioCommunications({ token: 'clio-token' }));
    const fetch = routedFetch({ 'https://app.clio.com': clio.url }, globalThis.fetch);
    await connectClio('clio-token');
    expect(await poll('clio-calls', fetch)).toMatchObject({ status: 'ok', added: 0 });

    clock.offset += 60_000;
    clio.state.addCall({ from: '+13055550301', at: minutesAgo(180), loggedAt: now() });
    expect(await poll('clio-calls', fetch)).toMatchObject({ status: 'ok', added: 1 });
    expect(await poll('clio-calls', fetch)).toMatchObject({ status: 'ok', added: 0 });
    expect(await leadOf('+13055550301')).toMatchObject({ status: 'open' });
  });

  it('HubSpot: a call record logged three hours after the call is read (by hs_lastmodifieddate)', async () => {
    const hubspot: HubSpotEmulator = await track(
      startHubSpotEmulator({ privateAppTokens: ['pat-na1-late'] }),
    );
    const fetch = routedFetch({ 'https://api.hubapi.com': hubspot.url }, globalThis.fetch);
    await writeCredentials(db, 'hubspot', {
      auth: 'private-app',
      token: 'pat-na1-late',
      account: { id: '', name: 'HubSpot account' },
      connectedAt: Date.now(),
    });
    await crmConnectionsItem.setValue({
      hubspot: {
        system: 'hubspot',
        auth: 'private-app',
        account: { id: '', name: 'HubSpot account' },
        connectedAt: Date.now(),
      },
    });
    await setSourceEnabled('hubspot-calls', true);
    expect(await poll('hubspot-calls', fetch)).toMatchObject({ status: 'ok', added: 0 });

    clock.offset += 60_000;
    hubspot.seedCall({
      hs_timestamp: String(minutesAgo(180)),
      hs_call_direction: 'INBOUND',
      hs_call_status: 'NO_ANSWER',
      hs_call_from_number: '+17185550301',
    });
    expect(await poll('hubspot-calls', fetch)).toMatchObject({ status: 'ok', added: 1 });
    expect(await poll('hubspot-calls', fetch)).toMatchObject({ status: 'ok', added: 0 });
    hubspot.assertNoViolations();
  });
});

describe('one unreadable record does not stop a source (item 12)', () => {
  it('Clio: entries whose sender contact was deleted (404) or is hidden (403) are skipped and reported; the rest is read and the source keeps going', async () => {
    const clio = await track(startClioCommunications({ token: 'clio-token' }));
    const fetch = routedFetch({ 'https://app.clio.com': clio.url }, globalThis.fetch);
    await connectClio('clio-token');
    const deleted = clio.state.addCall({
      from: '+13055550401',
      at: minutesAgo(9),
      numberInText: false,
    });
    const hidden = clio.state.addCall({
      from: '+13055550402',
      at: minutesAgo(8),
      numberInText: false,
    });
    clio.state.addCall({ from: '+13055550403', at: minutesAgo(7), numberInText: false });
    const deletedContact = deleted.senders[0]!.id;
    clio.contacts.splice(
      clio.contacts.findIndex((c) => c.id === deletedContact),
      1,
    );
    clio.hiddenContacts.add(hidden.senders[0]!.id);

    expect(await poll('clio-calls', fetch)).toMatchObject({ status: 'ok', added: 1 });
    expect(await leadOf('+13055550403')).toMatchObject({ status: 'open' });
    const warning = await health('clio-calls');
    expect(warning).toMatch(/^2 records could not be read: /);
    expect(warning).toMatch(/hidden from this Clio user \(Clio answered 403\)/);
    expect(readCursor(await db.cursors.get('clio-calls'), now()).unreadable?.[0]?.text).toMatch(
      new RegExp(`contact ${deletedContact} was deleted \\(Clio answered 404\\)`),
    );

    // The cursor moved: the next entry is read, and the warning stays for the day.
    clock.offset += 20 * 60_000;
    clio.state.addCall({ from: '+13055550404', at: minutesAgo(1), numberInText: true });
    expect(await poll('clio-calls', fetch)).toMatchObject({ status: 'ok', added: 1 });
    expect(await health('clio-calls')).toMatch(/^2 records could not be read/);
  });

  it('RingCentral, Aircall, Twilio, Dialpad: a record failing its schema is skipped and reported; the rest of the page is stored', async () => {
    const rc = await track(startRingCentral());
    await connectRingCentral(rc);
    rc.state.addCall({ from: '+13125550501', at: minutesAgo(5) });
    const bad = rc.state.addCall({ from: '+13125550502', at: minutesAgo(4) });
    delete (bad as Partial<typeof bad>).startTime;
    rc.state.addCall({ from: '+13125550503', at: minutesAgo(3) });

    const aircall = await track(startAircall());
    await connect('aircall', aircall.url, { apiId: 'aircall-id', apiToken: 'aircall-token' });
    aircall.state.addCall({ from: '+12125550501', at: minutesAgo(5) });
    const badAircall = aircall.state.addCall({ from: '+12125550502', at: minutesAgo(4) });
    (badAircall as { direction: unknown }).direction = null;

    const twilio = await track(startTwilio());
    await connect(
      'twilio',
      twilio.url,
      { authToken: 'twilio-token' },
      { accountSid: EMULATED_TWILIO_SID },
    );
    twilio.state.addCall({ from: '+14155550501', at: minutesAgo(5) });
    const badTwilio = twilio.state.addCall({ from: '+14155550502', at: minutesAgo(4) });
    (badTwilio as { status: unknown }).status = 42;

    const dialpad = await track(startDialpad());
    await connect('dialpad', dialpad.url, { apiKey: 'dialpad-key' });
    dialpad.state.addCall({ from: '+16465550501', at: minutesAgo(5) });
    const badDialpad = dialpad.state.addCall({ from: '+16465550502', at: minutesAgo(4) });
    badDialpad.date_started = 'yesterday-ish';

    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 2 });
    expect(await health('ringcentral')).toBe(
      `1 record could not be read: RingCentral call ${bad.id}: startTime is missing. The rest were read.`,
    );
    expect(await poll('aircall')).toMatchObject({ status: 'ok', added: 1 });
    expect(await health('aircall')).toBe(
      `1 record could not be read: Aircall call ${badAircall.id}: direction is missing. The rest were read.`,
    );
    expect(await poll('twilio')).toMatchObject({ status: 'ok', added: 1 });
    expect(await health('twilio')).toBe(
      `1 record could not be read: Twilio call ${badTwilio.sid}: status is not valid. The rest were read.`,
    );
    expect(await poll('dialpad')).toMatchObject({ status: 'ok', added: 1 });
    expect(await health('dialpad')).toMatch(
      /^1 record could not be read: Dialpad call \d+: date_started "yesterday-ish" is not a time/,
    );
    expect(await db.leads.count()).toBe(5);
  });
});

describe('Clio answered entries with no number in their text (item 13)', () => {
  it('look up the sender contact and close the caller’s lead', async () => {
    const clio = await track(startClioCommunications({ token: 'clio-token' }));
    const fetch = routedFetch({ 'https://app.clio.com': clio.url }, globalThis.fetch);
    await connectClio('clio-token');
    clio.state.addCall({ from: '+13055550601', at: minutesAgo(9), numberInText: true });
    clio.state.addCall({
      from: '+13055550601',
      at: minutesAgo(4),
      outcome: 'answered',
      numberInText: false,
    });
    expect(await poll('clio-calls', fetch)).toMatchObject({
      status: 'ok',
      added: 1,
      answeredClosed: 1,
    });
    expect(await leadOf('+13055550601')).toMatchObject({ status: 'done', closeOutcome: 'reached' });
  });
});

describe('more calls than one poll reads (item 14)', () => {
  it('Dialpad: carries on with its page cursor over the next polls until every call is read', async () => {
    const dialpad = await track(startDialpad());
    await connect('dialpad', dialpad.url, { apiKey: 'dialpad-key' });
    for (let i = 0; i < 1_100; i++)
      dialpad.state.addCall({
        from: `+1646555${String(i).padStart(4, '0')}`,
        at: minutesAgo(600 - i / 10),
      });
    const outcomes = await pollUntilCaughtUp('dialpad');
    expect(outcomes.map((o) => o.added)).toEqual([1_000, 100]);
    expect(await db.leads.count()).toBe(1_100);
    expect(await health('dialpad')).toBeUndefined();
    expect(await poll('dialpad')).toMatchObject({ status: 'ok', added: 0 });
  }, 60_000);

  it('Clio: more contact lookups than its 50-a-minute budget: the poll stops at the entry it got to and the next poll carries on from there', async () => {
    const clio = await track(startClioCommunications({ token: 'clio-token' }));
    const fetch = routedFetch({ 'https://app.clio.com': clio.url }, globalThis.fetch);
    await connectClio('clio-token');
    for (let i = 0; i < 70; i++)
      clio.state.addCall({
        from: `+1305555${String(1000 + i)}`,
        at: minutesAgo(120 - i),
        numberInText: false,
      });
    const outcomes = [];
    for (let i = 0; i < 6; i++) {
      const outcome = await poll('clio-calls', fetch);
      outcomes.push(outcome);
      if (outcome.status === 'ok' && !readCursor(await db.cursors.get('clio-calls'), now()).sweep)
        break;
      // The next poll comes a minute later, as the alarm would.
      clock.offset += 60_000;
    }
    expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
    expect(outcomes.length).toBeGreaterThan(1);
    expect(outcomes.reduce((n, o) => n + (o.added ?? 0), 0)).toBe(70);
    expect(await db.leads.count()).toBe(70);
    // Each contact was looked up once: the resumed poll did not start the page over.
    const lookups = () =>
      clio.state.requests.filter((r) => r.path.startsWith('/api/v4/contacts/')).length;
    expect(lookups()).toBe(70);
    // The next poll reads the same entries again (they changed within its window): they are
    // stored already, so no contact is looked up again and the budget is left for sync.
    clock.offset += 60_000;
    expect(await poll('clio-calls', fetch)).toMatchObject({
      status: 'ok',
      fetched: 70,
      duplicates: 70,
      added: 0,
    });
    expect(lookups()).toBe(70);
  }, 60_000);

  it('a resume point the API no longer accepts (an expired page link) starts the read over instead of stopping the source', async () => {
    const twilio = await track(startTwilio());
    await connect(
      'twilio',
      twilio.url,
      { authToken: 'twilio-token' },
      { accountSid: EMULATED_TWILIO_SID },
    );
    twilio.state.addCall({ from: '+14155550701', at: minutesAgo(30) });
    const since = minutesAgo(60);
    await db.cursors.put({
      sourceId: 'twilio',
      cursor: {
        since,
        sweep: {
          startedAt: minutesAgo(2),
          resume: { page: `/2010-04-01/Accounts/${EMULATED_TWILIO_SID}/Calls/Expired.json` },
          polls: 1,
        },
      },
    });
    expect(await poll('twilio')).toMatchObject({ status: 'error' });
    expect(readCursor(await db.cursors.get('twilio'), now())).toEqual({ since });
    const [outcome] = await pollUntilCaughtUp('twilio');
    expect(outcome).toMatchObject({ status: 'ok', added: 1 });
  });

  it('RingCentral (newest first): a poll stopped by the rate limit keeps what it read and pages further back next time; no CSV import needed', async () => {
    const rc = await track(startRingCentral());
    await connectRingCentral(rc);
    for (let i = 0; i < 2_500; i++)
      rc.state.addCall({
        from: `+1312555${String(i).padStart(4, '0')}`,
        at: minutesAgo(1_200 - i / 3),
      });
    // A caller missed long ago got through later: the answered call is on the first page
    // read (newest first), the missed call on a page read by a later poll.
    rc.state.addCall({ from: '+13125559901', at: minutesAgo(1_199) });
    rc.state.addCall({ from: '+13125559901', at: minutesAgo(400), outcome: 'answered' });
    // RingCentral's Heavy group is used up after the first page.
    rc.state.faults.push({ kind: '429', match: /call-log/, retryAfterSeconds: 60 });
    rc.state.faults.unshift({ kind: 'slow', match: /call-log/, delayMs: 1 });
    const first = await poll('ringcentral');
    // The newest 1,000: 999 missed calls and the answered redial (no lead to close yet).
    expect(first).toMatchObject({ status: 'ok', fetched: 1_000, added: 999, answeredClosed: 0 });
    // Options says it is catching up; nothing asks for a CSV import.
    expect(catchingUp(await db.cursors.get('ringcentral'))).toMatch(
      /^Catching up: reading calls since .*, 1 poll so far$/,
    );
    expect(await health('ringcentral')).toBeUndefined();

    const rest = await pollUntilCaughtUp('ringcentral');
    expect(rest.every((o) => o.status === 'ok')).toBe(true);
    expect(await db.leads.count()).toBe(2_501);
    expect(await db.calls.count()).toBe(2_502);
    expect(await leadOf('+13125559901')).toMatchObject({ status: 'done', closeOutcome: 'reached' });
    expect(await health('ringcentral')).toBeUndefined();
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 0 });
    expect(catchingUp(await db.cursors.get('ringcentral'))).toBeUndefined();
  }, 60_000);
});
