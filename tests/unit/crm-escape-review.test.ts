import { describe, expect, it } from 'vitest';
import type { SendItem } from '@/utils/crm/model';
import { hubspotConnector, useOutboxWorld } from './outboxWorld.ts';

/**
 * Issue 8 review (adversarial): what a caller's name or a text's words become in HubSpot.
 * Rich-text properties (the SMS communication's body) carry escaped text, never markup; the
 * email's text property stays plain text.
 */
useOutboxWorld('crm-escape-review');

const HOSTILE = 'Hi <img src=x onerror=alert(1)> "{{firmName}}" & co\nline 2';

const item = (payload: Record<string, unknown>): SendItem =>
  ({ job: { id: 'j1', payload }, contactId: '501', marker: 'cbd_j1' }) as unknown as SendItem;

describe('HubSpot engagements from hostile text', () => {
  it('an SMS communication body is escaped HTML', () => {
    const { properties } = hubspotConnector().engagementInput(
      item({ kind: 'text', at: 1, body: HOSTILE, subject: 'Text', toNumber: '+14155550134' }),
    );
    const body = properties.hs_communication_body!;
    expect(body).not.toMatch(/<img|<script/);
    expect(body).toContain(
      '&lt;img src=x onerror=alert(1)&gt; &quot;{{firmName}}&quot; &amp; co<br>line 2',
    );
  });

  it('an email keeps its text plain, and the subject is what was sent', () => {
    const { properties } = hubspotConnector().engagementInput(
      item({
        kind: 'email',
        at: 1,
        body: HOSTILE,
        subject: 'Re: <b>you</b>',
        to: 'dana@example.com',
      }),
    );
    expect(properties.hs_email_text!.startsWith(HOSTILE)).toBe(true);
    expect(properties.hs_email_subject).toBe('Re: <b>you</b>');
    expect(JSON.parse(properties.hs_email_headers!)).toMatchObject({
      to: [{ email: 'dana@example.com' }],
    });
  });
});
