import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/utils/db';
import { voicemailAudio } from '@/utils/capture/sources/voicemailAudio';
import { bytesOfBase64 } from '@/utils/capture/sources/voicemail';
import { startAircall, startDialpad, startRingCentral } from '../emulators/providers';
import {
  clock,
  closeAll,
  connectRingCentral,
  connectSource as connect,
  minutesAgo,
  now,
  poll,
  resetPollerWorld,
  track,
} from './pollerWorld.ts';

/**
 * Voicemails read by the pollers against the providers' emulators: stored with the call on
 * capture, a transcript that arrives minutes later attached to the same call on a re-read
 * (no duplicate call, no second lead), and the recording handed to the lead detail by the
 * background without the token ever leaving it.
 */

const onlyCall = async () => {
  const calls = await db.calls.toArray();
  expect(calls).toHaveLength(1);
  return calls[0]!;
};

beforeEach(resetPollerWorld);
afterEach(closeAll);

describe('RingCentral voicemail from the message store', () => {
  it('stores the recording at once, attaches the transcript when it is done, then stops asking', async () => {
    const rc = await track(startRingCentral());
    const { access_token: token } = await connectRingCentral(rc);
    const record = rc.state.addCall({
      from: '+13125550199',
      name: 'Maria Gomez',
      at: minutesAgo(3),
      outcome: 'voicemail',
      voicemail: { transcript: 'Hi, I was in a car accident.', transcriptLater: true },
    });

    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 1 });
    expect((await onlyCall()).voicemail).toMatchObject({
      playback: 'background',
      durationSeconds: 27,
      transcriptStatus: 'pending',
    });

    // Two minutes later RingCentral has transcribed it: the re-read fills it in.
    rc.setTranscript(record.id, 'Hi, I was in a car accident. Please call me back.');
    clock.offset += 2 * 60_000;
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 0 });
    const call = await onlyCall();
    expect(call.voicemail).toMatchObject({
      transcript: 'Hi, I was in a car accident. Please call me back.',
      transcriptStatus: 'ready',
    });
    expect(call.providerKey).toBe(`ringcentral:${record.id}`);
    expect(await db.leads.count()).toBe(1);

    // Complete now: later polls re-read the call log but not the message store.
    const storeReads = () =>
      rc.state.requests.filter((r) => r.path.includes('/message-store/')).length;
    const before = storeReads();
    clock.offset += 2 * 60_000;
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 0 });
    expect(storeReads()).toBe(before);

    // Playing it: the background fetches the audio with the token; the page gets bytes only.
    const audio = await voicemailAudio(db, call.id, { now });
    expect(audio.kind).toBe('bytes');
    if (audio.kind !== 'bytes') return;
    expect(audio.mimeType).toBe('audio/wav');
    expect(new TextDecoder().decode(bytesOfBase64(audio.base64).slice(0, 4))).toBe('RIFF');
    expect(JSON.stringify(audio)).not.toContain(token);
  });

  it('a message store that fails (500, then 429) keeps the call and fills the voicemail in later', async () => {
    const rc = await track(startRingCentral());
    await connectRingCentral(rc);
    rc.state.addCall({
      from: '+13125550160',
      at: minutesAgo(4),
      outcome: 'voicemail',
      voicemail: { transcript: 'Call me about the arraignment.' },
    });
    rc.state.faults.push({ kind: '500', match: /message-store/ });
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 1 });
    expect((await onlyCall()).voicemail).toEqual({
      messageId: expect.any(String),
      playback: 'background',
    });
    // Asked again next poll: no lasting warning on the source.
    expect((await db.cursors.get('ringcentral'))?.lastError).toBeUndefined();

    rc.state.faults.push({ kind: '429', match: /message-store/, retryAfterSeconds: 30 });
    clock.offset += 60_000;
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 0 });

    clock.offset += 2 * 60_000;
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 0 });
    expect((await onlyCall()).voicemail).toMatchObject({
      transcript: 'Call me about the arraignment.',
      transcriptStatus: 'ready',
    });
    expect(await db.leads.count()).toBe(1);
  });

  it('a call-log record without the message link finds its voicemail by caller and time', async () => {
    const rc = await track(startRingCentral());
    await connectRingCentral(rc);
    rc.state.addCall({
      from: '+13125550150',
      at: minutesAgo(8),
      outcome: 'voicemail',
      voicemail: { transcript: 'This is Ana, about my divorce.', unlinked: true },
    });
    rc.state.addCall({
      from: '+13125550151',
      at: minutesAgo(6),
      outcome: 'voicemail',
      voicemail: { transcript: 'Ben here, speeding ticket.', unlinked: true },
    });
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 2 });
    const byCaller = new Map(
      (await db.calls.toArray()).map((c) => [c.phoneKey, c.voicemail?.transcript]),
    );
    expect(byCaller).toEqual(
      new Map([
        ['+13125550150', 'This is Ana, about my divorce.'],
        ['+13125550151', 'Ben here, speeding ticket.'],
      ]),
    );
    // One list request served both; complete now, so the next poll lists nothing.
    const lists = () => rc.state.requests.filter((r) => r.path.endsWith('/message-store')).length;
    expect(lists()).toBe(1);
    clock.offset += 60_000;
    await poll('ringcentral');
    expect(lists()).toBe(1);
  });

  it('a missed call without a voicemail stores none (and asks the message store nothing)', async () => {
    const rc = await track(startRingCentral());
    await connectRingCentral(rc);
    rc.state.addCall({ from: '+13125550198', at: minutesAgo(3) });
    expect(await poll('ringcentral')).toMatchObject({ status: 'ok', added: 1 });
    expect((await onlyCall()).voicemail).toBeUndefined();
    expect(rc.state.requests.some((r) => r.path.includes('/message-store/'))).toBe(false);
  });
});

describe('Aircall voicemail link and AI transcription', () => {
  it('a late transcript attaches to the call; an expired link is replaced by a fresh one at play', async () => {
    const aircall = await track(startAircall({ linkSeconds: -60 }));
    await connect('aircall', aircall.url, { apiId: 'aircall-id', apiToken: 'aircall-token' });
    const record = aircall.state.addCall({
      from: '+13125550188',
      at: minutesAgo(4),
      outcome: 'voicemail',
      voicemail: { transcript: 'This is Lee. I was arrested last night.', transcriptLater: true },
    });

    expect(await poll('aircall')).toMatchObject({ status: 'ok', added: 1 });
    const first = await onlyCall();
    expect(first.voicemail).toMatchObject({ playback: 'fresh-link', transcriptStatus: 'pending' });

    aircall.setTranscript(record.id, 'This is Lee. I was arrested last night.');
    clock.offset += 2 * 60_000;
    expect(await poll('aircall')).toMatchObject({ status: 'ok', added: 0 });
    expect((await onlyCall()).voicemail).toMatchObject({
      transcript: 'This is Lee. I was arrested last night.',
      transcriptStatus: 'ready',
    });
    expect(await db.leads.count()).toBe(1);

    // The stored link has expired (S3 answers 403); playing asks Aircall for a fresh one.
    expect((await fetch(first.voicemail!.url!)).status).toBe(403);
    aircall.linkSeconds = 3600;
    const audio = await voicemailAudio(db, first.id, { now });
    expect(audio).toMatchObject({ kind: 'link', expiresInSeconds: 3600 });
    if (audio.kind !== 'link') return;
    const media = await fetch(audio.url);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('audio/wav');
  });
});

describe('Dialpad voicemail', () => {
  it('opens in Dialpad; a transcript Dialpad adds later attaches to the same call', async () => {
    const dialpad = await track(startDialpad());
    await connect('dialpad', dialpad.url, { apiKey: 'dialpad-key' });
    const record = dialpad.state.addCall({
      from: '+13125550177',
      at: minutesAgo(5),
      outcome: 'voicemail',
    });
    expect(await poll('dialpad')).toMatchObject({ status: 'ok', added: 1 });
    const stored = await onlyCall();
    expect(stored.voicemail).toEqual({
      playback: 'provider-app',
      url: record.recording_details![0]!.url,
      messageId: record.recording_details![0]!.id,
    });

    record.transcription_text = 'Hello, I need help with a custody question.';
    clock.offset += 2 * 60_000;
    expect(await poll('dialpad')).toMatchObject({ status: 'ok', added: 0 });
    expect((await onlyCall()).voicemail).toMatchObject({
      transcript: 'Hello, I need help with a custody question.',
      transcriptStatus: 'ready',
    });
    expect(await voicemailAudio(db, stored.id)).toEqual({
      kind: 'link',
      url: `https://dialpad.com/r/${record.recording_details![0]!.id}`,
    });
  });
});
