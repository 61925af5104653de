import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { db } from '@/utils/db';
import { setSourceEnabled, sourceConnectionsItem } from '@/utils/capture/sources/connections';
import { pollSource } from '@/utils/capture/sources/poller';
import { crmConnectionsItem } from '@/utils/crm/connections';
import { writeCredentials, type ClioCredentials } from '@/utils/crm/tokens';
import type { SourceId } from '@/utils/capture/sources/types';
import { startClioCommunications } from '../emulators/providers';
import { routedFetch } from '../emulators/route.ts';

/**
 * Review of the capture side (issue 7): records that change after the desk read them.
 * Every poll runs against the emulators, the poller's clock moved past each wait it sets.
 */

const running: { close(): Promise<void> }[] = [];
async function track<T extends { close(): Promise<void> }>(emulator: Promise<T>): Promise<T> {
  const e = await emulator;
  running.push(e);
  return e;
}

async function connectClio(token: string) {
  const credentials: ClioCredentials = {
    auth: 'oauth',
    region: 'us',
    clientId: 'firm-clio-app',
    clientSecret: 'firm-clio-secret',
    accessToken: token,
    refreshToken: 'clio-refresh',
    expiresAt: Date.now() + 30 * 24 * 3_600_000,
    account: { id: '345001', name: 'Ana Lopez' },
    connectedAt: Date.now(),
  };
  await writeCredentials(db, 'clio', credentials);
  await crmConnectionsItem.setValue({
    ...(await crmConnectionsItem.getValue()),
    clio: {
      system: 'clio',
      auth: credentials.auth,
      account: credentials.account,
      connectedAt: credentials.connectedAt,
    },
  });
  await setSourceEnabled('clio-calls', true);
}

const clock = { offset: 0 };
const now = () => Date.now() + clock.offset;
const minutesAgo = (m: number) => now() - m * 60_000;

async function poll(id: SourceId, fetch?: typeof globalThis.fetch) {
  for (let i = 0; i < 10; i++) {
    const outcome = await pollSource(id, { now, fetch });
    if (outcome.status !== 'waiting') return outcome;
    clock.offset = Math.max(clock.offset, outcome.nextPollAfter! - Date.now() + 1);
  }
  throw new Error(`${id} kept waiting`);
}

const callsOf = (phone: string) => db.calls.where('phoneKey').equals(phone).toArray();

beforeEach(async () => {
  clock.offset = 0;
  await Promise.all([
    db.leads.clear(),
    db.calls.clear(),
    db.answeredCalls.clear(),
    db.cursors.clear(),
    db.secrets.clear(),
  ]);
  await sourceConnectionsItem.setValue({});
  fakeBrowser.permissions.contains = (async () => true) as typeof fakeBrowser.permissions.contains;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

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
