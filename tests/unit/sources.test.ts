import { describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AircallCall, AircallCallsPage, mapAircallCall } from '@/utils/capture/sources/aircall';
import {
  ClioCommunication,
  ClioCommunicationsPage,
  mapClioCommunication,
  phoneInText,
} from '@/utils/capture/sources/clioCalls';
import { DialpadCall, DialpadCallsPage, mapDialpadCall } from '@/utils/capture/sources/dialpad';
import {
  HubSpotCall,
  HubSpotCallSearchPage,
  hubSpotCallSearch,
  mapHubSpotCall,
} from '@/utils/capture/sources/hubspotCalls';
import {
  RingCentralCallLog,
  RingCentralRecord,
  mapRingCentralRecord,
} from '@/utils/capture/sources/ringcentral';
import { CRM_CALL_LOGS, SOURCES, crmCallLogOf } from '@/utils/capture/sources/registry';
import { sourceConnectionsItem, sourceConnectionsV2 } from '@/utils/capture/sources/connections';
import { db } from '@/utils/db';
import { SOURCE_IDS, toEpochMs } from '@/utils/capture/sources/types';
import { TwilioCall, TwilioCallsPage, mapTwilioCall } from '@/utils/capture/sources/twilio';
import { IncomingCall } from '@/utils/model';
import connectionsV1 from '../fixtures/storage/sourceConnections.v1.json';
import connectionsV2 from '../fixtures/storage/sourceConnections.v2.json';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '../fixtures/api', name), 'utf8'));
const valid = (calls: unknown[]) =>
  calls.forEach((c) => expect(IncomingCall.safeParse(c).success).toBe(true));

describe('registry', () => {
  it('lists every source once: provider APIs with fields and a rate limit, CRM call logs with their CRM', () => {
    expect([...SOURCES, ...CRM_CALL_LOGS].map((s) => s.id).sort()).toEqual([...SOURCE_IDS].sort());
    for (const source of SOURCES) {
      expect(source.rule.length).toBeGreaterThan(20);
      expect(source.rateLimit.max).toBeGreaterThan(0);
      expect(source.fields.length).toBeGreaterThan(0);
      expect(
        () =>
          new URL(
            source.defaultBaseUrl(
              source.configSchema.parse({ clientId: 'x', accountSid: `AC${'0'.repeat(32)}` }),
            ),
          ),
      ).not.toThrow();
    }
    // No credentials of their own: the CRM connection authenticates them.
    expect(CRM_CALL_LOGS.map((log) => [log.id, log.crm, log.label])).toEqual([
      ['hubspot-calls', 'hubspot', 'HubSpot call log'],
      ['clio-calls', 'clio', 'Clio call log'],
    ]);
    for (const log of CRM_CALL_LOGS) {
      expect(log.rule.length).toBeGreaterThan(20);
      expect(crmCallLogOf(log.crm)).toBe(log);
    }
  });
});

describe('stored connections upgrade', () => {
  it('version 2: the CRM call logs keep only their switch; provider connections are untouched', () => {
    expect(sourceConnectionsV2(connectionsV1)).toEqual(connectionsV2);
  });

  it('runs on a version-1 profile and forgets the call logs’ own tokens', async () => {
    const secret = (key: string) => ({ key, value: { token: 'x' }, updatedAt: 1 });
    await db.secrets.bulkPut([
      secret('source:hubspot-calls'),
      secret('source:clio-calls'),
      secret('source:aircall'),
      secret('crm:hubspot'),
    ]);
    await fakeBrowser.storage.local.set({
      sourceConnections: connectionsV1,
      sourceConnections$: { v: 1 },
    });
    await sourceConnectionsItem.migrate();
    expect(await sourceConnectionsItem.getValue()).toEqual(connectionsV2);
    expect((await db.secrets.toArray()).map((s) => s.key).sort()).toEqual([
      'crm:hubspot',
      'source:aircall',
    ]);
  });
});

describe('time parsing', () => {
  it('reads ISO, RFC 2822 and epoch seconds / ms', () => {
    const t = Date.UTC(2026, 2, 10, 15, 4, 5);
    expect(toEpochMs('2026-03-10T15:04:05Z')).toBe(t);
    expect(toEpochMs('Tue, 10 Mar 2026 15:04:05 +0000')).toBe(t);
    expect(toEpochMs(t / 1000)).toBe(t);
    expect(toEpochMs(String(t))).toBe(t);
    expect(toEpochMs('not a date')).toBeUndefined();
    expect(toEpochMs(null)).toBeUndefined();
  });
});

describe('RingCentral call log', () => {
  const page = RingCentralCallLog.parse(fixture('ringcentral-call-log.json'));
  const calls = page.records.map((r) => mapRingCentralRecord(RingCentralRecord.parse(r)));

  it('maps missed, voicemail, hang-up and accepted inbound voice calls; skips in-progress and fax', () => {
    expect(calls.map((c) => c?.reason ?? null)).toEqual([
      'no-answer',
      'voicemail',
      'abandoned',
      'answered',
      null,
      null,
    ]);
    valid(calls.filter(Boolean));
  });

  it('keeps the provider id (re-polls dedupe), the caller and the dialed line (source rules)', () => {
    expect(calls[0]).toEqual({
      from: '+16504445567',
      startedAt: Date.UTC(2026, 2, 10, 14, 58, 9),
      callerName: 'Phillip Marco',
      dialedLine: '+18662130006',
      reason: 'no-answer',
      provider: 'ringcentral',
      providerCallId: 'IXtVRs-3B7A_PfE',
      capturePath: 'api',
      agent: 'Rose White',
    });
    expect(calls[2]).toMatchObject({ from: 'Anonymous' });
  });
});

describe('Aircall calls', () => {
  const page = AircallCallsPage.parse(fixture('aircall-calls.json'));
  const calls = page.calls.map((c) => mapAircallCall(AircallCall.parse(c)));

  it('is missed when missed_call_reason is set; voicemail when one was left; answered closes', () => {
    expect(calls.map((c) => c?.reason ?? null)).toEqual([
      'no-answer',
      'voicemail',
      'abandoned',
      'answered',
      null,
      null,
    ]);
    valid(calls.filter(Boolean));
  });

  it('uses raw_digits as the caller, number.digits as the dialed line, contact names', () => {
    expect(calls[0]).toMatchObject({
      from: '+1 415-555-0142',
      dialedLine: '+1 212-555-0199',
      callerName: 'Maria Gomez',
      providerCallId: '812345601',
      startedAt: 1773154689000,
    });
    expect(calls[2]).toMatchObject({ callerName: 'Acme Ltd' });
    expect(calls[3]).toMatchObject({ agent: 'Dana Intake' });
  });
});

describe('Twilio calls', () => {
  const calls = TwilioCallsPage.parse(fixture('twilio-calls.json')).calls.map((c) =>
    mapTwilioCall(TwilioCall.parse(c)),
  );

  it('counts inbound no-answer, busy and canceled; not completed or outbound', () => {
    expect(calls.map((c) => c?.reason ?? null)).toEqual([
      'no-answer',
      'abandoned',
      'busy',
      null,
      null,
    ]);
    valid(calls.filter(Boolean));
  });

  it('parses RFC 2822 times and Twilio’s anonymous pseudo-number', () => {
    expect(calls[0]).toMatchObject({
      startedAt: Date.UTC(2026, 2, 10, 15, 4, 5),
      dialedLine: '+12125550142',
      callerName: 'GOMEZ MARIA',
    });
    expect(calls[1]).toMatchObject({ from: 'Anonymous' });
  });
});

describe('Dialpad calls', () => {
  const calls = DialpadCallsPage.parse(fixture('dialpad-calls.json')).items.map((c) =>
    mapDialpadCall(DialpadCall.parse(c)),
  );
  it('maps inbound missed and voicemail states, with ms times as string or number', () => {
    expect(calls.map((c) => c?.reason ?? null)).toEqual(['no-answer', 'voicemail', null, null]);
    expect(calls[0]).toMatchObject({
      startedAt: 1773154689000,
      callerName: 'Maria Gomez',
      dialedLine: '+12125550199',
    });
    expect(calls[1]).toMatchObject({ startedAt: 1773155000000, agent: 'Dana Intake' });
    valid(calls.filter(Boolean));
  });
});

describe('HubSpot call search', () => {
  const calls = HubSpotCallSearchPage.parse(fixture('hubspot-calls-search.json')).results.map((c) =>
    mapHubSpotCall(HubSpotCall.parse(c)),
  );
  it('maps inbound unanswered calls; voicemail from the disposition; capture path crm', () => {
    expect(calls.map((c) => c?.reason ?? null)).toEqual([
      'no-answer',
      'voicemail',
      'abandoned',
      null,
    ]);
    expect(calls[0]).toMatchObject({
      from: '(415) 555-0142',
      capturePath: 'crm',
      provider: 'hubspot',
      providerCallId: '51234567801',
    });
    expect(calls[2]).toMatchObject({ startedAt: 1773155700000 });
    valid(calls.filter(Boolean));
  });

  it('asks for inbound unanswered calls logged or changed since the cursor (calls of the last week), with every field the spec requires', () => {
    const body = hubSpotCallSearch(1773150000000, undefined);
    expect(body.filterGroups[0]!.filters).toEqual([
      { propertyName: 'hs_call_direction', operator: 'EQ', value: 'INBOUND' },
      {
        propertyName: 'hs_call_status',
        operator: 'IN',
        values: ['NO_ANSWER', 'BUSY', 'FAILED', 'CANCELED'],
      },
      { propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: '1773150000000' },
      {
        propertyName: 'hs_timestamp',
        operator: 'GTE',
        value: String(1773150000000 - 7 * 86_400_000),
      },
    ]);
    expect(body.sorts).toEqual(['hs_lastmodifieddate']);
    expect(Object.keys(body).sort()).toEqual([
      'after',
      'filterGroups',
      'limit',
      'properties',
      'sorts',
    ]);
  });
});

describe('Clio phone communications', () => {
  const mapped = ClioCommunicationsPage.parse(fixture('clio-communications.json')).data.map((c) =>
    mapClioCommunication(ClioCommunication.parse(c)),
  );

  it('applies the documented rule: missed/voicemail by text, other inbound = answered, outbound and ours skipped', () => {
    expect(mapped.map((m) => m?.call.reason ?? null)).toEqual([
      'no-answer',
      'voicemail',
      'answered',
      null,
      null,
    ]);
  });

  it('takes the number from the text, else asks for the sender contact', () => {
    expect(mapped[0]).toMatchObject({
      call: { from: '(415) 555-0142', callerName: 'Maria Gomez', capturePath: 'crm' },
    });
    expect(mapped[0]!.contactId).toBeUndefined();
    // "2026-03-12" in the voicemail body is a date, not a phone number.
    expect(mapped[1]).toMatchObject({ call: { from: '' }, contactId: 7002 });
  });

  it('finds phone numbers in free text', () => {
    expect(phoneInText('Missed call from +1 (212) 555-0100 at 10:30')).toBe('+1 (212) 555-0100');
    expect(phoneInText('Voicemail on 2026-03-12, ext 12')).toBeUndefined();
    expect(phoneInText('call 020 7946 0958 please')).toBe('020 7946 0958');
  });
});
