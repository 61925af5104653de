import { describe, expect, it, vi } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { LeadPatch, type Lead } from '@/utils/model';
import { patchLead } from '@/utils/queue/leads';
import { DEFAULT_CADENCE } from '@/utils/queue/cadence';
import {
  checkEmailAddress,
  composeUrl,
  emailsDue,
  oneLine,
  parseLocalDateTime,
} from '@/utils/workflow/email';
import { recordEmailSent } from '@/utils/workflow/emailService';
import { writeCredentials } from '@/utils/crm/tokens';
import { db, lead, settings, t0, useOutboxWorld } from './outboxWorld.ts';

useOutboxWorld('email');

describe('the caller’s email address', () => {
  it.each([
    'dana@example.com',
    'Dana.O’Neil@example.com'.replace('’', "'"),
    'dana+intake@mail.example.co.uk',
    'jürgen@münchen.de',
    '  dana@example.com  ',
  ])('accepts %s', (text) => {
    expect(checkEmailAddress(text)).toEqual({ ok: true, address: text.trim() });
  });

  it.each([
    ['', 'Enter the caller’s email address.'],
    ['dana', 'An email address has an @ in it. Enter an email address such as name@example.com.'],
    ['dana@', 'Enter an email address such as name@example.com.'],
    ['dana@example', 'Enter an email address such as name@example.com.'],
    ['dana..w@example.com', 'Enter an email address such as name@example.com.'],
    ['.dana@example.com', 'Enter an email address such as name@example.com.'],
    ['<dana@example.com>', 'Enter an email address such as name@example.com.'],
    ['Dana <dana@example.com>', 'Enter one address only, without spaces, commas or semicolons.'],
    [
      'a@example.com, b@example.com',
      'Enter one address only, without spaces, commas or semicolons.',
    ],
    [
      'a@example.com;b@example.com',
      'Enter one address only, without spaces, commas or semicolons.',
    ],
    [
      'a@example.com\nBcc: evil@example.com',
      'Enter one address only, without spaces, commas or semicolons.',
    ],
  ])('refuses %j with a plain message', (text, message) => {
    expect(checkEmailAddress(text)).toEqual({ ok: false, error: message });
  });

  it('LeadPatch refuses a bad address with the same plain words, and null removes it', () => {
    const bad = LeadPatch.safeParse({ leadId: 'l', email: 'not an address' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe('Enter an email address such as name@example.com.');
    expect(LeadPatch.parse({ leadId: 'l', email: null }).email).toBeNull();
  });

  it('patchLead stores the address on the lead (trimmed) and removes it', async () => {
    const l = await lead('(415) 555-0301');
    const saved = await patchLead(db, settings, { leadId: l.id, email: ' dana@example.com ' });
    expect(saved.email).toBe('dana@example.com');
    expect((await db.leads.get(l.id))!.email).toBe('dana@example.com');
    const removed = await patchLead(db, settings, { leadId: l.id, email: null });
    expect(removed.email).toBeUndefined();
  });
});

describe('compose links: hostile subjects and bodies stay in their own field', () => {
  const hostile = {
    to: 'dana@example.com',
    subject: 'Hi Dana\r\nBcc: evil@example.com\nX-Injected: 1',
    body: 'Line one & two?cc=evil@example.com#frag\n100% + 5 = more\r\n\r\n<script>alert(1)</script>',
  };

  it('Gmail: https://mail.google.com/mail/?view=cm&fs=1&to=…&su=…&body=…', () => {
    const url = new URL(composeUrl('gmail', hostile));
    expect(`${url.origin}${url.pathname}`).toBe('https://mail.google.com/mail/');
    expect([...url.searchParams.keys()]).toEqual(['view', 'fs', 'to', 'su', 'body']);
    expect(url.searchParams.get('view')).toBe('cm');
    expect(url.searchParams.get('fs')).toBe('1');
    expect(url.searchParams.get('to')).toBe('dana@example.com');
    expect(url.searchParams.get('su')).toBe('Hi Dana Bcc: evil@example.com X-Injected: 1');
    expect(url.searchParams.get('body')).toBe(hostile.body.replace(/\r\n/g, '\n'));
    expect(url.hash).toBe('');
  });

  it('Outlook on the web: the deeplink compose URL, spaces as %20 (never +)', () => {
    const link = composeUrl('outlook', hostile);
    expect(link.startsWith('https://outlook.office.com/mail/deeplink/compose?to=')).toBe(true);
    const url = new URL(link);
    expect([...url.searchParams.keys()]).toEqual(['to', 'subject', 'body']);
    expect(url.searchParams.get('subject')).toBe('Hi Dana Bcc: evil@example.com X-Injected: 1');
    expect(url.searchParams.get('body')).toBe(hostile.body.replace(/\r\n/g, '\n'));
    expect(link).not.toMatch(/\+(?!5)/); // the only "+" is the encoded one in "%2B"
    expect(link).toContain('Hi%20Dana');
    expect(link).toContain('%2B%205');
  });

  it('mailto: no raw line break, no extra header or recipient; body lines as %0D%0A (RFC 6068)', () => {
    const link = composeUrl('mailto', hostile);
    expect(link).not.toMatch(/[\r\n\s]/);
    const [head, query] = link.split('?') as [string, string];
    expect(head).toBe('mailto:dana@example.com');
    const pairs = query.split('&').map((p) => p.split('='));
    expect(pairs.map(([k]) => k)).toEqual(['subject', 'body']);
    expect(decodeURIComponent(pairs[0]![1]!)).toBe('Hi Dana Bcc: evil@example.com X-Injected: 1');
    const body = decodeURIComponent(pairs[1]![1]!);
    expect(body).toBe(hostile.body.replace(/\r\n/g, '\n').replace(/\n/g, '\r\n'));
    expect(pairs[1]![1]).toContain('%0D%0A');
  });

  it('an address with ? and = in its local part cannot add a parameter to a mailto link', () => {
    const link = composeUrl('mailto', { to: 'a?cc=evil@example.com', subject: 's', body: 'b' });
    expect(link.startsWith('mailto:a%3Fcc%3Devil@example.com?subject=s&body=b')).toBe(true);
  });

  it('refuses to build a link to a bad address', () => {
    expect(() =>
      composeUrl('gmail', { to: 'a@example.com\r\nbcc: b@example.com', subject: 's', body: 'b' }),
    ).toThrow('Enter one address only, without spaces, commas or semicolons.');
  });

  it('a subject is one line', () => {
    expect(oneLine(' a\r\n\n b\u2028c ')).toBe('a b c');
  });
});

describe('which email the lead offers', () => {
  const base = {
    attemptCount: 0,
    source: undefined,
    status: 'open' as Lead['status'],
    noCallbackNumber: false,
  };
  const emailLast = { ...settings, cadence: DEFAULT_CADENCE };

  it('nothing before any callback; the confirmation after a call (open or closed)', () => {
    expect(emailsDue(emailLast, base, [])).toEqual([]);
    expect(emailsDue(emailLast, base, [{ method: 'text', automatic: true }])).toEqual([]);
    expect(
      emailsDue(emailLast, { ...base, status: 'done', attemptCount: 1 }, [{ method: 'call' }]),
    ).toEqual(['confirmation']);
  });

  it('the follow-up email when the cadence’s next step is an email', () => {
    const steps = DEFAULT_CADENCE.steps;
    const emailStep = steps.findIndex((s) => s.methods.includes('email'));
    expect(emailStep).toBeGreaterThan(0);
    expect(
      emailsDue(emailLast, { ...base, attemptCount: emailStep }, [
        { method: 'call' },
        { method: 'voicemail' },
      ]),
    ).toEqual(['cadence', 'confirmation']);
  });

  it('reads the consultation time typed in the firm’s zone', () => {
    expect(parseLocalDateTime('2026-03-09T14:30', 'America/New_York')).toBe(
      new TZDate(2026, 2, 9, 14, 30, 'America/New_York').getTime(),
    );
    expect(parseLocalDateTime('9 March', 'America/New_York')).toBeNull();
  });
});

describe('recording an email opened in the firm’s mail', () => {
  const sent = (leadId: string, requestId = crypto.randomUUID()) => ({
    leadId,
    kind: 'confirmation' as const,
    to: 'dana@example.com',
    subject: 'Your consultation with My Law Firm',
    body: 'Dear Dana,\nsee you Monday at 2:30 PM.',
    requestId,
  });

  it('a confirmation after the call that closed the lead: recorded, lead stays closed, address kept', async () => {
    const l = await lead('(415) 555-0311');
    await db.leads.update(l.id, { status: 'done', closedAt: t0 + 5 * 60_000 });
    const { attempt, duplicate } = await recordEmailSent(db, settings, sent(l.id), t0 + 6e5);
    expect(duplicate).toBe(false);
    expect(attempt).toMatchObject({
      method: 'email',
      outcome: 'sent',
      subject: 'Your consultation with My Law Firm',
      message: 'Dear Dana,\nsee you Monday at 2:30 PM.',
      to: 'dana@example.com',
      notes: 'Confirmation email',
    });
    const after = (await db.leads.get(l.id))!;
    expect(after).toMatchObject({ status: 'done', email: 'dana@example.com' });
    expect(await db.attempts.where('leadId').equals(l.id).count()).toBe(2);
  });

  it('on an open lead it is an attempt: the cadence moves on', async () => {
    const l = await lead('(415) 555-0312');
    await recordEmailSent(db, settings, { ...sent(l.id), kind: 'cadence' }, t0 + 6e5);
    expect((await db.leads.get(l.id))!.attemptCount).toBe(l.attemptCount + 1);
  });

  it('the same click sent twice records one attempt', async () => {
    const l = await lead('(415) 555-0313');
    const input = sent(l.id);
    await recordEmailSent(db, settings, input, t0 + 6e5);
    const again = await recordEmailSent(db, settings, input, t0 + 6e5 + 1);
    expect(again.duplicate).toBe(true);
    expect(
      (await db.attempts.where('leadId').equals(l.id).toArray()).filter(
        (a) => a.method === 'email',
      ),
    ).toHaveLength(1);
  });

  it('recorded, then the CRM hand-off failed: "Record it as sent" again queues its CRM email (once), no second attempt', async () => {
    const l = await lead('(415) 555-0315');
    await writeCredentials(db, 'hubspot', {
      auth: 'private-app',
      token: 'pat-a-token',
      portalId: '77',
      account: { id: '77', name: 'HubSpot account 77', key: '77' },
      connectedAt: t0,
    });
    await db.leads.update(l.id, {
      crmLinks: l.crmLinks!.map((link) => ({ ...link, account: '77' })),
    });
    const input = sent(l.id);
    // The attempt is saved, then the outbox cannot be read (the database was closing).
    const where = db.outbox.where.bind(db.outbox);
    const spy = vi.spyOn(db.outbox, 'where').mockImplementationOnce(() => {
      throw new Error('DatabaseClosedError');
    });
    await expect(recordEmailSent(db, settings, input, t0 + 6e5)).rejects.toThrow();
    spy.mockImplementation(where);
    // The panel says "not recorded … click Record it as sent": the same click again.
    const again = await recordEmailSent(db, settings, input, t0 + 6e5 + 1);
    expect(again.queued).toBe(1);
    expect((await db.outbox.toArray()).filter((j) => j.kind === 'email')).toHaveLength(1);
    expect(
      (await db.attempts.where('leadId').equals(l.id).toArray()).filter(
        (a) => a.method === 'email',
      ),
    ).toHaveLength(1);
    spy.mockRestore();
  });

  it('refuses a bad address or an empty email in plain words, and records nothing', async () => {
    const l = await lead('(415) 555-0314');
    await expect(
      recordEmailSent(db, settings, { ...sent(l.id), to: 'dana at example' }),
    ).rejects.toThrow('Enter an email address such as name@example.com.');
    await expect(recordEmailSent(db, settings, { ...sent(l.id), body: '  ' })).rejects.toThrow(
      'The email has no text.',
    );
    expect(await db.attempts.where('leadId').equals(l.id).count()).toBe(1);
  });
});
