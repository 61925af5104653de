import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import {
  contactDraft,
  decideMatch,
  filterCandidates,
  linkFor,
  phoneQueryFormats,
  splitName,
} from '@/utils/crm/matching';
import { buildSyncDrafts, textToHtml } from '@/utils/crm/records';
import { crmLinkOf, markerFor, withCrmLink, type CrmContact } from '@/utils/crm/model';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { Attempt, Lead } from '@/utils/model';

const lead = (overrides: Partial<Lead> = {}): Lead => ({
  id: 'lead-1',
  phoneKey: '+14155550134',
  phone: '+14155550134',
  rawNumber: '(415) 555-0134',
  noCallbackNumber: false,
  name: 'Dana M. Whitfield',
  source: 'Google Ads – PI',
  practiceArea: 'Personal injury',
  priority: true,
  status: 'open',
  firstMissedAt: 0,
  lastMissedAt: 0,
  missedCount: 2,
  dueAt: 0,
  overdueAt: 0,
  attemptCount: 1,
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

const contact = (id: string, ...phones: string[]): CrmContact => ({
  id,
  name: `Contact ${id}`,
  phones,
  url: `https://x/${id}`,
});

describe('decideMatch', () => {
  it('links the one contact that really has the number, in any stored format', () => {
    const found = [contact('1', '(415) 555-0134'), contact('2', '415-555-0199')];
    expect(decideMatch(lead(), 'hubspot', found, 'US')).toEqual({
      kind: 'single',
      contact: found[0],
    });
  });

  it('asks when several contacts share the number, and never again once chosen', () => {
    const found = [
      contact('1', '+1 415 555 0134'),
      contact('2', '4155550134'),
      contact('1', '(415) 555-0134'),
    ];
    const decision = decideMatch(lead(), 'clio', found, 'US');
    expect(decision).toEqual({ kind: 'choose', candidates: [found[0], found[1]] });
    const chosen = linkFor('clio', found[1]!, 'us:7700001');
    expect(decideMatch(lead({ crmLinks: [chosen] }), 'clio', found, 'US', 'us:7700001')).toEqual({
      kind: 'linked',
      link: chosen,
    });
  });

  it('offers to create the contact with the lead’s source and practice area when nobody has the number', () => {
    expect(
      decideMatch(lead({ assignee: 'ana' }), 'hubspot', [contact('9', '(212) 555-0134')], 'US'),
    ).toEqual({
      kind: 'none',
      draft: {
        kind: 'contact',
        phone: '+14155550134',
        firstName: 'Dana M.',
        lastName: 'Whitfield',
        source: 'Google Ads – PI',
        practiceArea: 'Personal injury',
        staffId: 'ana',
      },
    });
  });

  it('has nothing to match or create for a caller without a number', () => {
    expect(decideMatch(lead({ phone: null }), 'hubspot', [], 'US')).toEqual({
      kind: 'none',
      draft: null,
    });
    expect(contactDraft(lead({ phone: null }))).toBeNull();
  });

  it('a link to the other CRM does not count', () => {
    const found = [contact('1', '(415) 555-0134')];
    expect(
      decideMatch(
        lead({ crmLinks: [{ system: 'hubspot', account: '42', contactId: '7' }] }),
        'clio',
        found,
        'US',
        'us:1',
      ).kind,
    ).toBe('single');
  });

  it('keeps one link per CRM: linking Clio leaves the HubSpot link in place', () => {
    const hubspot = { system: 'hubspot' as const, account: '42', contactId: '7' };
    const clio = { system: 'clio' as const, account: 'us:1', contactId: '90' };
    const both = withCrmLink({ crmLinks: [hubspot] }, clio);
    expect(both).toEqual([hubspot, clio]);
    expect(crmLinkOf({ crmLinks: both }, 'hubspot', '42')).toEqual(hubspot);
    expect(crmLinkOf({ crmLinks: both }, 'clio', 'us:1')).toEqual(clio);
    // Linking HubSpot again (same portal) replaces only the HubSpot link.
    const again = withCrmLink({ crmLinks: both }, { ...hubspot, contactId: '8' });
    expect(again.map((l) => [l.system, l.contactId])).toEqual([
      ['clio', '90'],
      ['hubspot', '8'],
    ]);
  });

  it('a link made in another HubSpot portal does not count: the lead is matched again', () => {
    const found = [contact('1', '(415) 555-0134')];
    const old = { system: 'hubspot' as const, account: '42', contactId: '7' };
    expect(decideMatch(lead({ crmLinks: [old] }), 'hubspot', found, 'US', '99')).toEqual({
      kind: 'single',
      contact: found[0],
    });
  });
});

describe('helpers', () => {
  it('splits names into first and last', () => {
    expect(splitName('Cher')).toEqual({ firstName: 'Cher' });
    expect(splitName('  Ana  de la Cruz ')).toEqual({ firstName: 'Ana de la', lastName: 'Cruz' });
    expect(splitName(undefined)).toEqual({});
  });

  it('queries Clio in the spellings people type', () => {
    expect(phoneQueryFormats('+14155550134')).toEqual([
      '4155550134',
      '555-0134',
      '415 555 0134',
      '415.555.0134',
    ]);
    expect(phoneQueryFormats('+442071838750')).toEqual([
      '2071838750',
      '020 7183 8750',
      '20 7183 8750',
    ]);
  });

  it('drops fuzzy search hits that are another number', () => {
    expect(
      filterCandidates(
        [contact('1', '+44 4155550134'), contact('2', '14155550134')],
        '+14155550134',
        'US',
      ).map((c) => c.id),
    ).toEqual(['2']);
  });

  it('markers are one search token and escape is HTML-safe', () => {
    expect(markerFor({ id: '0b5c7e2a-1f0d-4c1e-9a7b-1234567890ab' })).toBe(
      'cbd0b5c7e2a1f0d4c1e9a7b1234567890ab',
    );
    expect(textToHtml('<img src=x onerror=alert(1)>\n"&"')).toBe(
      '&lt;img src=x onerror=alert(1)&gt;<br>&quot;&amp;&quot;',
    );
  });
});

describe('buildSyncDrafts', () => {
  const NY = 'America/New_York';
  const t = (h: number, m = 0) => new TZDate(2026, 2, 4, h, m, NY).getTime();
  const settings: FirmSettings = { ...DEFAULT_SETTINGS, staff: [{ id: 'ana', name: 'Ana Lopez' }] };
  const attempts: Attempt[] = [
    { id: 'a2', leadId: 'lead-1', method: 'text', at: t(11), outcome: 'sent', by: 'ana' },
    {
      id: 'a1',
      leadId: 'lead-1',
      method: 'call',
      at: t(10, 3),
      outcome: 'no-answer',
      by: 'ana',
      notes: 'Rang out',
    },
  ];

  it('writes a call and a note per phone attempt, a text record per text, and one task for the next step', () => {
    const drafts = buildSyncDrafts({
      system: 'hubspot',
      // Two attempts recorded: recording the second scheduled the third step (email) a day
      // after the first missed call, and the task follows the lead's due time.
      lead: lead({
        firstMissedAt: t(10),
        assignee: 'ben',
        attemptCount: 2,
        dueAt: t(10) + 24 * 3_600_000,
      }),
      attempts,
      settings,
      firmLine: '+18005550100',
    });
    expect(drafts.map((d) => d.idempotencyKey)).toEqual([
      'a1:hubspot:call',
      'a1:hubspot:note',
      'a2:hubspot:text',
      'a2:hubspot:task',
    ]);
    const [call, note, text, task] = drafts.map((d) => d.payload);
    expect(text).toMatchObject({ kind: 'text' });
    expect(call).toMatchObject({
      kind: 'call',
      outcome: 'no-answer',
      toNumber: '+14155550134',
      fromNumber: '+18005550100',
      staffId: 'ana',
      title: 'Callback: No answer — Dana M. Whitfield ((415) 555-0134)',
    });
    expect(note).toMatchObject({ kind: 'note', subject: 'Callback attempt 1: No answer' });
    expect((note as { body: string }).body).toContain('by Ana Lopez');
    expect((note as { body: string }).body).toContain('Source: Google Ads – PI');
    expect((note as { body: string }).body).toContain('Notes: Rang out');
    expect(task).toMatchObject({
      kind: 'task',
      priority: 'high',
      staffId: 'ben',
      dueAt: t(10) + 24 * 3_600_000,
    });
    expect((task as { body: string }).body).toContain('Number: +14155550134');
  });

  it('adds no task once the lead is closed', () => {
    const drafts = buildSyncDrafts({
      system: 'clio',
      lead: lead({ status: 'done' }),
      attempts: attempts.slice(1),
      settings,
    });
    expect(drafts.map((d) => d.kind)).toEqual(['call', 'note']);
  });
});
