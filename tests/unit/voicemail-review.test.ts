import { describe, expect, it } from 'vitest';
import { ringCentralSource } from '@/utils/capture/sources/ringcentral';
import type { SourceClient } from '@/utils/capture/sources/types';

/**
 * Issue 8 review (adversarial): the recording the background hands the lead detail becomes a
 * blob: URL in the extension's own origin. Whatever type the provider's answer claims, it is
 * played as audio — never a text/html or SVG document ("Open audio in new tab" would render
 * it as a page of the extension).
 */

function clientAnswering(mimeType: string, paths: string[] = []): SourceClient {
  return {
    baseUrl: 'https://platform.ringcentral.com',
    now: 0,
    call: () => Promise.reject(new Error('not used')),
    download: (path: string) => {
      paths.push(path);
      return Promise.resolve({ bytes: new TextEncoder().encode('RIFF....').buffer, mimeType });
    },
  } as unknown as SourceClient;
}

const call = (url: string) => ({
  providerCallId: 'rc-1',
  voicemail: { messageId: '9', url, playback: 'background' as const },
});

describe('RingCentral recording type', () => {
  it('keeps an audio type the provider gives (without its parameters)', async () => {
    const audio = await ringCentralSource.voicemailAudio!(
      clientAnswering('audio/wav; charset=binary'),
      {} as never,
      call(
        'https://media.ringcentral.com/restapi/v1.0/account/1/extension/1/message-store/9/content/9',
      ),
    );
    expect(audio).toMatchObject({ kind: 'bytes', mimeType: 'audio/wav' });
  });

  it.each(['text/html', 'image/svg+xml', 'application/xhtml+xml', 'text/html; charset=utf-8', ''])(
    'plays a %j answer as audio/mpeg, never as a page',
    async (type) => {
      const audio = await ringCentralSource.voicemailAudio!(
        clientAnswering(type),
        {} as never,
        call('/restapi/v1.0/account/1/extension/1/message-store/9/content/9'),
      );
      expect(audio).toMatchObject({ kind: 'bytes', mimeType: 'audio/mpeg' });
    },
  );

  it('fetches only an API path on the connection host, whatever host the stored link names', async () => {
    const paths: string[] = [];
    await ringCentralSource.voicemailAudio!(
      clientAnswering('audio/mpeg', paths),
      {} as never,
      call('https://attacker.example/restapi/v1.0/x?y=1'),
    );
    expect(paths).toEqual(['/restapi/v1.0/x?y=1']);
    await expect(
      ringCentralSource.voicemailAudio!(
        clientAnswering('audio/mpeg'),
        {} as never,
        call('javascript:alert(1)'),
      ),
    ).rejects.toThrow('RingCentral gave no recording for this voicemail.');
  });
});
