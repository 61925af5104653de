import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/utils/db';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import { captureCalls } from '@/utils/queue/leads';
import {
  mapRingCentralRecord,
  readRingCentralVoicemail,
  ringCentralContentPath,
  RingCentralRecord,
  RingCentralVoicemailMessage,
} from '@/utils/capture/sources/ringcentral';
import {
  AircallCall,
  AircallTranscription,
  aircallTranscriptText,
  mapAircallCall,
} from '@/utils/capture/sources/aircall';
import { DialpadCall, mapDialpadCall } from '@/utils/capture/sources/dialpad';
import { mapTwilioCall, TwilioCall } from '@/utils/capture/sources/twilio';
import {
  base64OfBytes,
  bytesOfBase64,
  isVoicemailNews,
  mergeVoicemail,
  noVoicemailText,
  portalVoicemailLink,
  voicemailOf,
} from '@/utils/capture/sources/voicemail';
import type { SourceClient } from '@/utils/capture/sources/types';
import type { CallVoicemail } from '@/utils/model';

/**
 * Each provider's voicemail, read from records shaped like the vendors' own (RingCentral call
 * log + message store, Aircall call + AI transcription, Dialpad call with recording_details),
 * and how a late transcript merges into the stored call.
 */

const T0 = Date.parse('2026-12-03T14:05:00Z');

/** A RingCentral call-log record with its linked voicemail (RingCentral API: CallLogRecordMessage). */
const rcRecord = {
  uri: 'https://platform.ringcentral.com/restapi/v1.0/account/1234/extension/5678/call-log/Y3s2',
  id: 'Y3s2fFrPqKbwUA',
  sessionId: '404621876004',
  startTime: '2026-12-03T14:05:00.000Z',
  duration: 41,
  type: 'Voice',
  direction: 'Inbound',
  action: 'Phone Call',
  result: 'Voicemail',
  to: { phoneNumber: '+12125550100', name: 'Front Desk' },
  from: { phoneNumber: '+13125550199', name: 'MARIA GOMEZ', location: 'Chicago, IL' },
  message: {
    id: '7100223344',
    type: 'VoiceMail',
    uri: 'https://platform.ringcentral.com/restapi/v1.0/account/1234/extension/5678/message-store/7100223344',
  },
};

/** Its message-store record (gist grokify/dc136d4db50fb5cec8cc097b36dc8d2f, vmTranscriptionStatus). */
function rcMessage(status: string, availability = 'Alive') {
  return {
    uri: 'https://platform.ringcentral.com/restapi/v1.0/account/1234/extension/5678/message-store/7100223344',
    id: 7100223344,
    to: [{ name: '(212) 555-0100 (Front Desk)' }],
    from: { phoneNumber: '+13125550199', name: 'MARIA GOMEZ', location: '' },
    type: 'VoiceMail',
    creationTime: '2026-12-03T14:05:41.000Z',
    readStatus: 'Unread',
    priority: 'Normal',
    attachments: [
      {
        id: 10000000001,
        uri: 'https://media.ringcentral.com/restapi/v1.0/account/1234/extension/5678/message-store/7100223344/content/10000000001',
        type: 'AudioRecording',
        contentType: 'audio/mpeg',
        vmDuration: 27,
      },
      ...(status === 'Completed'
        ? [
            {
              id: 10000000002,
              uri: 'https://media.ringcentral.com/restapi/v1.0/account/1234/extension/5678/message-store/7100223344/content/10000000002',
              type: 'AudioTranscription',
              contentType: 'text/plain',
            },
          ]
        : []),
    ],
    direction: 'Inbound',
    availability,
    messageStatus: 'Received',
    vmTranscriptionStatus: status,
  };
}

/** A client whose downloads answer with `text` and record the paths asked. */
function fakeClient(text: string): SourceClient & { paths: string[] } {
  const paths: string[] = [];
  return {
    baseUrl: 'https://platform.ringcentral.com',
    now: T0,
    paths,
    call: () => Promise.reject(new Error('not used')),
    download: (path) => {
      paths.push(path);
      return Promise.resolve({
        bytes: new TextEncoder().encode(text).buffer,
        mimeType: 'text/plain',
      });
    },
  };
}

describe('RingCentral: call log message link + message store', () => {
  it('a call-log record with a VoiceMail message is a voicemail played through the background', () => {
    const call = mapRingCentralRecord(RingCentralRecord.parse(rcRecord))!;
    expect(call.reason).toBe('voicemail');
    expect(call.voicemail).toEqual({ messageId: '7100223344', playback: 'background' });
    const noMessage = mapRingCentralRecord(
      RingCentralRecord.parse({ ...rcRecord, result: 'Missed', message: undefined }),
    )!;
    expect(noMessage.voicemail).toBeUndefined();
  });

  it('a completed transcription is read as text from the API host (never the media host)', async () => {
    const client = fakeClient(
      '  Hi, this is Maria Gomez about my car accident. Please call back.\n',
    );
    const voicemail = await readRingCentralVoicemail(
      client,
      RingCentralVoicemailMessage.parse(rcMessage('Completed')),
    );
    expect(voicemail).toEqual({
      messageId: '7100223344',
      playback: 'background',
      url: 'https://media.ringcentral.com/restapi/v1.0/account/1234/extension/5678/message-store/7100223344/content/10000000001',
      durationSeconds: 27,
      transcript: 'Hi, this is Maria Gomez about my car accident. Please call back.',
      transcriptStatus: 'ready',
    });
    expect(client.paths).toEqual([
      '/restapi/v1.0/account/1234/extension/5678/message-store/7100223344/content/10000000002',
    ]);
    expect(ringCentralContentPath('https://evil.example/steal')).toBeUndefined();
  });

  it('InProgress is pending (a later poll fills it in); NotAvailable and TimedOut say so; a purged message has no recording', async () => {
    const read = (status: string, availability?: string) =>
      readRingCentralVoicemail(
        fakeClient(''),
        RingCentralVoicemailMessage.parse(rcMessage(status, availability)),
      );
    expect(await read('InProgress')).toMatchObject({ transcriptStatus: 'pending' });
    expect(await read('NotAvailable')).toMatchObject({ transcriptStatus: 'none' });
    expect(await read('TimedOut')).toMatchObject({ transcriptStatus: 'failed' });
    const purged = await read('NotAvailable', 'Purged');
    expect(purged.url).toBeUndefined();
  });
});

describe('Aircall: pre-signed voicemail link + AI transcription', () => {
  const aircallCall = {
    id: 1812345678,
    direct_link: 'https://api.aircall.io/v1/calls/1812345678',
    direction: 'inbound',
    status: 'done',
    missed_call_reason: 'no_available_agent',
    started_at: 1764770700,
    answered_at: null,
    ended_at: 1764770745,
    duration: 45,
    raw_digits: '+1 312-555-0188',
    voicemail:
      'https://aircall-production.s3.amazonaws.com/calls/1812345678/voicemail.mp3?X-Amz-Expires=600&X-Amz-Signature=abc',
    recording: null,
    number: { id: 42, digits: '+1 212-555-0100', name: 'Main line' },
    user: null,
    contact: { first_name: 'Lee', last_name: 'Park', company_name: null },
  };

  it('a call with a voicemail link is a voicemail whose link is fetched fresh at each play', () => {
    const call = mapAircallCall(AircallCall.parse(aircallCall))!;
    expect(call.reason).toBe('voicemail');
    expect(call.voicemail).toEqual({ url: aircallCall.voicemail, playback: 'fresh-link' });
    expect(mapAircallCall(AircallCall.parse({ ...aircallCall, voicemail: null }))!.voicemail).toBe(
      undefined,
    );
  });

  it('the transcription is its utterances joined, as plain text', () => {
    const body = AircallTranscription.parse({
      transcription: {
        id: 99,
        call_id: 1812345678,
        call_created_at: '2026-12-03T14:05:00.000Z',
        type: 'voicemail',
        content: {
          language: 'en-US',
          utterances: [
            {
              start_time: 0.2,
              end_time: 3.1,
              text: 'Hi, this is Lee Park.',
              participant_type: 'external',
            },
            {
              start_time: 3.1,
              end_time: 6,
              text: '<b>I was arrested</b> last night.',
              participant_type: 'external',
            },
          ],
        },
      },
    });
    expect(aircallTranscriptText(body)).toBe(
      'Hi, this is Lee Park. <b>I was arrested</b> last night.',
    );
  });
});

describe('Dialpad: recording_details voicemail + transcription_text', () => {
  const dialpadCall = {
    call_id: 6543210987654321,
    direction: 'inbound',
    state: 'voicemail',
    date_started: 1764770700000,
    external_number: '+13125550177',
    internal_number: '+12125550100',
    contact: { name: 'Sam Ortiz', phone: '+13125550177' },
    target: { name: 'Main Office', phone: '+12125550100', type: 'office' },
    recording_details: [
      {
        id: '5551234',
        recording_type: 'voicemail',
        url: 'https://dialpad.com/r/5551234',
        duration: 27000,
        start_time: '1764770725000',
      },
    ],
    transcription_text: 'Hello, I need help with a custody question.',
  };

  it('opens in Dialpad, with its transcript', () => {
    const call = mapDialpadCall(DialpadCall.parse(dialpadCall))!;
    expect(call.voicemail).toEqual({
      playback: 'provider-app',
      url: 'https://dialpad.com/r/5551234',
      messageId: '5551234',
      transcript: 'Hello, I need help with a custody question.',
      transcriptStatus: 'ready',
    });
  });

  it('an older record with voicemail_link only; a missed call without recording has none', () => {
    const legacy = mapDialpadCall(
      DialpadCall.parse({
        ...dialpadCall,
        recording_details: undefined,
        transcription_text: undefined,
        voicemail_link: 'https://dialpad.com/r/777',
      }),
    )!;
    expect(legacy.voicemail).toEqual({
      playback: 'provider-app',
      url: 'https://dialpad.com/r/777',
    });
    const missed = mapDialpadCall(
      DialpadCall.parse({
        ...dialpadCall,
        state: 'missed',
        recording_details: undefined,
        transcription_text: undefined,
      }),
    )!;
    expect(missed.voicemail).toBeUndefined();
  });

  it('a javascript: link is never kept', () => {
    const call = mapDialpadCall(
      DialpadCall.parse({
        ...dialpadCall,
        recording_details: [{ recording_type: 'voicemail', url: 'javascript:alert(1)' }],
        transcription_text: undefined,
      }),
    )!;
    expect(call.voicemail).toEqual({ playback: 'provider-app' });
  });
});

describe('Twilio and capture paths without voicemail say so', () => {
  it('Twilio: not available', () => {
    const call = mapTwilioCall(
      TwilioCall.parse({
        sid: 'CA0123456789abcdef0123456789abcdef',
        from: '+13125550166',
        to: '+12125550100',
        status: 'no-answer',
        direction: 'inbound',
        start_time: 'Thu, 03 Dec 2026 14:05:00 +0000',
      }),
    )!;
    expect(call.voicemail).toBeUndefined();
    expect(noVoicemailText({ provider: 'twilio', capturePath: 'api' })).toMatch(
      /^Voicemail is not available from Twilio/,
    );
  });

  it('portal, CSV and hand-entered calls name their path; a portal voicemail points to the portal', () => {
    expect(noVoicemailText({ provider: 'dialpad', capturePath: 'portal' })).toBe(
      'No voicemail recording available from phone portal capture (Dialpad).',
    );
    expect(noVoicemailText({ provider: 'csv', capturePath: 'csv' })).toBe(
      'No voicemail recording available from a CSV import.',
    );
    expect(noVoicemailText({ provider: 'aircall', capturePath: 'api' })).toBe(
      'No voicemail recording available from Aircall for this call.',
    );
    expect(
      portalVoicemailLink({ provider: 'dialpad', capturePath: 'portal', reason: 'voicemail' }),
    ).toEqual({ label: 'Dialpad', url: 'https://dialpad.com/app/history/voicemails' });
    expect(
      portalVoicemailLink({ provider: 'dialpad', capturePath: 'api', reason: 'voicemail' }),
    ).toBeUndefined();
  });
});

describe('merging a re-read voicemail into the stored call', () => {
  const pending: CallVoicemail = {
    messageId: '1',
    playback: 'background',
    url: 'https://platform.ringcentral.com/restapi/x',
    transcriptStatus: 'pending',
  };

  it('a transcript that arrives later attaches; the same data again is no news', () => {
    const late: CallVoicemail = {
      ...pending,
      transcript: 'Call me back',
      transcriptStatus: 'ready',
    };
    expect(mergeVoicemail(pending, late)).toEqual(late);
    expect(isVoicemailNews(late, late)).toBe(false);
    // Never back to pending.
    expect(mergeVoicemail(late, pending)).toBe(late);
  });

  it('a pre-signed link that merely changed is not news (it is fetched fresh at play)', () => {
    const stored: CallVoicemail = { url: 'https://s3/x?sig=1', playback: 'fresh-link' };
    expect(isVoicemailNews(stored, { url: 'https://s3/x?sig=2', playback: 'fresh-link' })).toBe(
      false,
    );
  });

  it('only API capture keeps a voicemail: a portal page cannot plant a link', () => {
    expect(voicemailOf({ capturePath: 'portal', voicemail: pending })).toBeUndefined();
    expect(voicemailOf({ capturePath: 'api', voicemail: pending })).toBe(pending);
  });

  it('audio bytes cross the messaging as base64 intact', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    expect(bytesOfBase64(base64OfBytes(bytes.buffer))).toEqual(bytes);
  });
});

describe('capture stores the voicemail and attaches a late transcript to the same call', () => {
  beforeEach(async () => {
    await Promise.all([db.leads.clear(), db.calls.clear(), db.answeredCalls.clear()]);
  });

  const settings = { ...DEFAULT_SETTINGS, timeZone: 'UTC' };
  const incoming = (voicemail: CallVoicemail, capturePath: 'api' | 'portal' = 'api') => ({
    from: '+13125550199',
    startedAt: T0,
    reason: 'voicemail',
    provider: 'ringcentral',
    providerCallId: 'Y3s2fFrPqKbwUA',
    capturePath,
    voicemail,
  });

  it('one call, one lead; the transcript fills in on the re-read', async () => {
    const now = T0 + 60_000;
    const first = await captureCalls(db, settings, [incoming({ ...pending() })], now);
    expect(first.added).toHaveLength(1);
    const second = await captureCalls(
      db,
      settings,
      [incoming({ ...pending(), transcript: 'Please call me back.', transcriptStatus: 'ready' })],
      now + 120_000,
    );
    expect(second.added).toHaveLength(0);
    expect(await db.calls.count()).toBe(1);
    expect(await db.leads.count()).toBe(1);
    const [call] = await db.calls.toArray();
    expect(call!.voicemail).toMatchObject({
      transcript: 'Please call me back.',
      transcriptStatus: 'ready',
      durationSeconds: 27,
    });
  });

  it('a portal-captured call keeps no voicemail data even if the page sent some', async () => {
    await captureCalls(db, settings, [incoming(pending(), 'portal')], T0 + 60_000);
    const [call] = await db.calls.toArray();
    expect(call!.voicemail).toBeUndefined();
  });

  function pending(): CallVoicemail {
    return {
      messageId: '7100223344',
      playback: 'background',
      url: 'https://platform.ringcentral.com/restapi/v1.0/account/1234/extension/5678/message-store/7100223344/content/10000000001',
      durationSeconds: 27,
      transcriptStatus: 'pending',
    };
  }
});
