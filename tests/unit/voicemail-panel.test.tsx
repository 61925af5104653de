// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { MissedCall } from '@/utils/model';
import { firmClock } from '@/utils/displayTime';
import { VoicemailPanel } from '@/components/VoicemailPanel';

/** What the lead detail's Voicemail section says for each kind of call (static render). */

const now = Date.UTC(2026, 11, 3, 15, 0);
const clock = firmClock('America/New_York', 'en-US');
const base: MissedCall = {
  id: 'C1',
  leadId: 'L1',
  phoneKey: '+13125550199',
  provider: 'ringcentral',
  providerCallId: 'rc-1',
  startedAt: now - 10 * 60_000,
  reason: 'voicemail',
  capturePath: 'api',
  capturedAt: now,
};
const render = (calls: MissedCall[]) =>
  renderToStaticMarkup(<VoicemailPanel calls={calls} clock={clock} now={now} />);

describe('VoicemailPanel', () => {
  it('shows a transcript as text, never markup, with the duration and a Play button', () => {
    const html = render([
      {
        ...base,
        voicemail: {
          playback: 'background',
          url: 'https://platform.ringcentral.com/restapi/v1.0/x/content/1',
          durationSeconds: 87,
          transcript: '<img src=x onerror=alert(1)> please call',
          transcriptStatus: 'ready',
        },
      },
    ]);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; please call');
    expect(html).not.toContain('<img');
    expect(html).toContain('Voicemail from RingCentral (1:27)');
    expect(html).toContain('Play recording');
  });

  it('says the transcript is on its way while the provider transcribes', () => {
    const html = render([
      {
        ...base,
        voicemail: { playback: 'background', url: 'https://a/b', transcriptStatus: 'pending' },
      },
    ]);
    expect(html).toContain('Transcript not ready yet: RingCentral is still transcribing.');
  });

  it('Dialpad opens in Dialpad in a new tab; a non-web link is never put in an href', () => {
    const html = render([
      {
        ...base,
        provider: 'dialpad',
        voicemail: { playback: 'provider-app', url: 'https://dialpad.com/r/555' },
      },
      {
        ...base,
        id: 'C2',
        provider: 'dialpad',
        voicemail: { playback: 'provider-app', url: 'javascript:alert(1)' },
      },
    ]);
    expect(html).toContain(
      '<a href="https://dialpad.com/r/555" target="_blank" rel="noopener noreferrer">Listen in Dialpad</a>',
    );
    expect(html).not.toContain('javascript:');
    expect(html).toContain('No voicemail recording available from Dialpad for this call.');
  });

  it('a lead with no voicemail says where none came from (Twilio plainly)', () => {
    const html = render([
      { ...base, provider: 'twilio', reason: 'no-answer' },
      { ...base, id: 'C2', provider: 'csv', capturePath: 'csv', reason: 'no-answer' },
    ]);
    expect(html).toContain('Voicemail is not available from Twilio');
    expect(html).toContain('No voicemail recording available from a CSV import.');
  });
});
