import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/utils/db';
import { setSourceEnabled } from '@/utils/capture/sources/connections';
import { readCursor } from '@/utils/capture/sources/poller';
import { crmConnectionsItem } from '@/utils/crm/connections';
import { writeCredentials } from '@/utils/crm/tokens';
import type { SourceClient, SourceRequest } from '@/utils/capture/sources/types';
import { ringCentralSource } from '@/utils/capture/sources/ringcentral';
import type { z } from 'zod';
import { EMULATED_TWILIO_SID, startClioCommunications, startTwilio } from '../emulators/providers';
import { routedFetch } from '../emulators/route.ts';
import {
  clock,
  closeAll,
  connectClio,
  connectSource,
  minutesAgo,
  now,
  poll,
  resetPollerWorld,
  track,
} from './pollerWorld.ts';
import { startHubSpotEmulator } from '../emulators/hubspot.ts';

/**
 * Review of the capture side (issue 7): records that change after the desk read them.
 * Every poll runs against the emulators, the poller's clock moved past each wait it sets.
 */

const callsOf = (phone: string) => db.calls.where('phoneKey').equals(phone).toArray();

beforeEach(resetPollerWorld);
afterEach(closeAll);

describe('a Clio entry edited after the desk read it (read by updated_since)', () => {
  for (const numberInText of [true, false]) {
    it(`"Missed call" edited to say the caller left a voicemail: the call becomes a voicemail (number ${numberInText ? 'in the text' : 'on the contact'})`, async () => {
      const clio = await track(startClioCommunications({ token: 'clio-token' }));
      const fetch = routedFetch({ 'https://app.clio.com': clio.url }, globalThis.fetch);
      await connectClio('clio-token');
      const entry = clio.state.addCall({
        from: '+13055550901',
        at: minutesAgo(6),
        loggedAt: minutesAgo(5),
        numberInText,
      }) as { body: string; updated_at: string };
      expect(await poll('clio-calls', fetch)).toMatchObject({ status: 'ok', added: 1 });
      expect((await callsOf('+13055550901')).map((c) => c.reason)).toEqual(['no-answer']);

      // The integration edits the entry once the voicemail is in: Clio's updated_at moves.
      clock.offset += 2 * 60_000;
      entry.body = 'Caller left a voicemail (0:42).';
      entry.updated_at = new Date(now()).toISOString();
      expect(await poll('clio-calls', fetch)).toMatchObject({ status: 'ok', added: 0 });
      expect((await callsOf('+13055550901')).map((c) => c.reason)).toEqual(['voicemail']);
      expect(await db.leads.count()).toBe(1);
    });
  }
});

describe('a call whose free-text fields are longer than the queue keeps is still captured', () => {
  it('Clio: the sender contact’s number field holds a note after the number', async () => {
    const clio = await track(startClioCommunications({ token: 'clio-token' }));
    const fetch = routedFetch({ 'https://app.clio.com': clio.url }, globalThis.fetch);
    await connectClio('clio-token');
    clio.state.addCall({ from: '+13055550902', at: minutesAgo(6), numberInText: false });
    // Clio's phone number is free text: people write notes into it.
    clio.contacts[0]!.phone_numbers[0]!.number =
      '+1 305-555-0902 (mobile; ask for Dana after 5pm, otherwise leave a message with reception)';
    expect(await poll('clio-calls', fetch)).toMatchObject({ status: 'ok', added: 1, rejected: 0 });
    expect(await db.leads.where('phoneKey').equals('+13055550902').count()).toBe(1);
  });

  it('Twilio: a call to a SIP address longer than 64 characters', async () => {
    const twilio = await track(startTwilio());
    await connectSource(
      'twilio',
      twilio.url,
      { authToken: 'twilio-token' },
      { accountSid: EMULATED_TWILIO_SID },
    );
    twilio.state.addCall({
      from: '+14155550902',
      to: 'sip:front-desk-queue@callback-desk-firm-main-office.sip.us1.twilio.com;transport=tls',
      at: minutesAgo(6),
    });
    expect(await poll('twilio')).toMatchObject({ status: 'ok', added: 1, rejected: 0 });
    expect(await db.leads.where('phoneKey').equals('+14155550902').count()).toBe(1);
  });
});

describe('RingCentral: a read carried on below the oldest start it reached', () => {
  it('keeps the calls that started in the same second as the last one read, whether dateTo is inclusive or not', async () => {
    // 6,001 inbound missed calls, newest first; the 6,000th and 6,001st started in the same
    // second. RingCentral does not say whether dateTo is inclusive: here it is not.
    const base = Date.parse('2026-03-04T15:00:00Z');
    const records = Array.from({ length: 6001 }, (_, i) => ({
      id: `rc-${i}`,
      startTime: new Date(base - Math.min(i, 5999) * 1000).toISOString(),
      direction: 'Inbound',
      type: 'Voice',
      result: 'Missed',
      from: { phoneNumber: `+1312555${String(i).padStart(4, '0')}` },
    }));
    const client: SourceClient = {
      baseUrl: 'https://platform.ringcentral.com',
      now: base + 60_000,
      async call<S extends z.ZodType>(req: SourceRequest<S>) {
        const q = req.query ?? {};
        const from = Date.parse(String(q.dateFrom));
        const to = q.dateTo === undefined ? Infinity : Date.parse(String(q.dateTo));
        const rows = records.filter((r) => {
          const t = Date.parse(r.startTime);
          return t >= from && t < to;
        });
        const page = Number(q.page);
        const slice = rows.slice((page - 1) * 1000, page * 1000);
        const more = page * 1000 < rows.length;
        const body = {
          records: slice,
          navigation: more ? { nextPage: { uri: `?page=${page + 1}` } } : {},
        };
        return { data: req.schema!.parse(body), status: 200, headers: new Headers() } as never;
      },
    };
    const config = { clientId: 'rc-app', scope: 'extension' as const };
    const since = base - 2 * 3_600_000;
    const first = await ringCentralSource.fetchCalls(client, config, since);
    expect(first.complete).toBe(false);
    const second = await ringCentralSource.fetchCalls(client, config, since, first.resume);
    expect(second.complete).toBe(true);
    const ids = new Set([...first.calls, ...second.calls].map((c) => c.providerCallId));
    expect(ids.size).toBe(6001);
  });
});

describe('Clio: a read carried on after the contact-lookup budget ran out', () => {
  it('an entry deleted in Clio before the point the read stopped at does not make the next poll skip one', async () => {
    const clio = await track(startClioCommunications({ token: 'clio-token' }));
    const fetch = routedFetch({ 'https://app.clio.com': clio.url }, globalThis.fetch);
    await connectClio('clio-token');
    for (let i = 0; i < 60; i++)
      clio.state.addCall({
        from: `+1305556${String(1000 + i)}`,
        at: minutesAgo(120 - i),
        numberInText: false,
      });
    const first = await poll('clio-calls', fetch);
    expect(first).toMatchObject({ status: 'ok' });
    expect(first.added).toBeLessThan(60);
    // Someone deletes an entry the desk read already (a duplicate log, say).
    clio.state.calls.splice(0, 1);
    let added = first.added ?? 0;
    for (let i = 0; i < 5 && readCursor(await db.cursors.get('clio-calls'), now()).sweep; i++) {
      clock.offset += 60_000;
      added += (await poll('clio-calls', fetch)).added ?? 0;
    }
    expect(added).toBe(60);
    expect(await db.leads.count()).toBe(60);
  }, 60_000);
});

describe('HubSpot: a read of several pages while records change', () => {
  it('a record read on the first page and changed before the next page is fetched does not make the read skip another', async () => {
    const hubspot = await track(startHubSpotEmulator({ privateAppTokens: ['pat-na1-pages'] }));
    const base = routedFetch({ 'https://api.hubapi.com': hubspot.url }, globalThis.fetch);
    await writeCredentials(db, 'hubspot', {
      auth: 'private-app',
      token: 'pat-na1-pages',
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
    // 250 unanswered calls logged over the last 20 hours: the first poll reads the last day,
    // 100 a page.
    const records = Array.from({ length: 250 }, (_, i) => {
      const record = hubspot.seedCall({
        hs_timestamp: String(minutesAgo(1200 - i * 4)),
        hs_call_direction: 'INBOUND',
        hs_call_status: 'NO_ANSWER',
        hs_call_from_number: `+1718555${String(1000 + i)}`,
      });
      record.updatedAt = new Date(minutesAgo(1200 - i * 4)).toISOString();
      return record;
    });
    // Right after the first page came back, the phone integration updates a call on it.
    let searches = 0;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await base(input, init);
      if (String(input).includes('/crm/v3/objects/calls/search') && ++searches === 1)
        records[0]!.updatedAt = new Date(now()).toISOString();
      return response;
    };
    expect(await poll('hubspot-calls', fetch)).toMatchObject({ status: 'ok' });
    clock.offset += 60_000;
    expect(await poll('hubspot-calls', fetch)).toMatchObject({ status: 'ok' });
    expect(await db.leads.count()).toBe(250);
  });
});
