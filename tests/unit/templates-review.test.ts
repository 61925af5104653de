import { describe, expect, it } from 'vitest';
import Mustache from 'mustache';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { Lead } from '@/utils/model';
import {
  TemplateError,
  checkTemplate,
  checkTemplateFor,
  getTemplates,
  renderForLead,
  renderTemplate,
  saveTemplate,
  templatesItem,
} from '@/utils/workflow/templates';

/**
 * Issue 8 review (adversarial): what a stored template that no longer reads, or an empty one,
 * does to what callers receive.
 */

const NOW = Date.parse('2026-03-04T15:30:00Z');
const SETTINGS: FirmSettings = {
  ...DEFAULT_SETTINGS,
  firmName: 'Whitfield & Park',
  staff: [{ id: 'sam', name: 'Sam Carter' }],
  currentStaffId: 'sam',
};

const lead: Lead = {
  id: 'L1',
  phoneKey: '+12125550147',
  phone: '+12125550147',
  rawNumber: '(212) 555-0147',
  noCallbackNumber: false,
  name: 'Dana Whitfield',
  priority: false,
  status: 'open',
  firstMissedAt: NOW - 3_600_000,
  lastMissedAt: NOW - 3_600_000,
  missedCount: 1,
  dueAt: NOW,
  overdueAt: NOW,
  attemptCount: 0,
  createdAt: NOW,
  updatedAt: NOW,
};

async function saveFirmSettings(settings: FirmSettings) {
  await fakeBrowser.storage.local.set({ firmSettings: settings, firmSettings$: { v: 1 } });
}

describe('a stored template that no longer reads (corrupt storage, an older version)', () => {
  it('never sends "{{" to a caller: the SMS, the auto-text and the email use the default', async () => {
    await saveFirmSettings(SETTINGS);
    // Written around the editor's check (storage edited, synced from an older build).
    await templatesItem.setValue({
      templates: {
        'sms.textBack': 'Hi {{firstName}}, call {{#firmName}} back',
        'sms.autoText': '{{#firmName}}We missed your call',
        'email.confirmation': 'Dear {{firstName}},\n{{/consultationTime}} see you',
        'email.confirmation.subject': 'Your call {{firmName',
      },
      sourceLines: {},
      callbackNumber: '',
      alternativeContact: '',
    });
    const textBack = await renderForLead('sms.textBack', lead, { now: NOW });
    const autoText = await renderForLead('sms.autoText', lead, { now: NOW });
    const email = await renderForLead('email.confirmation', lead, { now: NOW });
    for (const text of [textBack.body, autoText.body, email.body, email.subject ?? '']) {
      expect(text).not.toMatch(/\{\{|\}\}/);
    }
    expect(textBack.body).toMatch(/^Hi Dana, this is Sam Carter from Whitfield & Park\./);
    expect(autoText.body).toMatch(/^Whitfield & Park: We missed your call\./);
    expect(email.subject).toBe('Thank you for speaking with Whitfield & Park');
    // The editor still shows the firm's own text, with what is wrong with it, to fix.
    const all = await getTemplates();
    expect(all['sms.textBack'].text).toBe('Hi {{firstName}}, call {{#firmName}} back');
    expect(checkTemplate(all['sms.textBack'].text).errors.length).toBeGreaterThan(0);
  });

  it('renderTemplate on text that does not parse leaves no tag behind', () => {
    expect(renderTemplate('Hi {{firstName}, from {{firmName}}', {})).not.toMatch(/\{\{|\}\}/);
    expect(renderTemplate('Hi {{#firstName}}there', {})).not.toMatch(/\{\{|\}\}/);
  });
});

describe('an empty template', () => {
  it('is refused by the editor check and by saveTemplate (the auto-text would die silently)', async () => {
    expect(checkTemplate('').errors).toEqual([
      'The template is empty. Write it, or use Reset to default.',
    ]);
    expect(checkTemplate(' \n\t').errors).toHaveLength(1);
    await expect(saveTemplate('sms.autoText', '  \n ')).rejects.toBeInstanceOf(TemplateError);
    expect((await getTemplates())['sms.autoText'].edited).toBe(false);
  });
});

describe('a text template longer than a text can be', () => {
  it('is refused with the length in plain words (every automatic text would fail)', async () => {
    const long = `{{firmName}}: ${'We missed your call and will call you back shortly. '.repeat(22)}`;
    expect(checkTemplateFor('sms.autoText', long).errors).toEqual([
      expect.stringMatching(/^A text can be at most 1,000 characters; this one comes to 1,1\d\d\./),
    ]);
    await expect(saveTemplate('sms.autoText', long)).rejects.toBeInstanceOf(TemplateError);
    expect((await getTemplates())['sms.autoText'].edited).toBe(false);
    // A call script or an email has no such limit.
    expect(checkTemplateFor('email.confirmation', long).errors).toEqual([]);
  });
});

describe('the defaults with no staff name known (a browser whose user is not picked yet)', () => {
  it('the voicemail script never says "ask for me, the intake team"', async () => {
    await saveFirmSettings({ ...SETTINGS, staff: [], currentStaffId: undefined });
    const { body } = await renderForLead('voicemail', lead, { now: NOW });
    expect(body).not.toMatch(/ask for me, the intake team/i);
    expect(body).toContain('anyone on our intake team');
    await saveFirmSettings(SETTINGS);
    expect((await renderForLead('voicemail', lead, { now: NOW })).body).toContain(
      'When you call, ask for me, Sam Carter, or anyone on our intake team.',
    );
  });
});

describe('a lead whose source tag is a name every object has (from a CSV or a rule)', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'source %j renders its scripts and texts like any other tag',
    async (source) => {
      await saveFirmSettings(SETTINGS);
      const tagged = { ...lead, source };
      const script = await renderForLead('callScript.general', tagged, { now: NOW });
      expect(script.body).toContain('Hi, is this Dana? This is Sam Carter from Whitfield & Park.');
      expect(script.body).not.toMatch(/function|\[object/);
      const text = await renderForLead('sms.textBack', tagged, { now: NOW });
      expect(text.body).toMatch(/^Hi Dana, this is Sam Carter/);
    },
  );
});

describe('editing a template in Options', () => {
  it('does not keep every draft typed in memory (mustache caches each text it parses)', () => {
    let draft = 'Hi {{firstName}}, this is {{staffName}}.';
    for (let i = 0; i < 300; i++) {
      draft += ` More words ${i}.`;
      checkTemplate(draft);
      renderTemplate(draft, {});
    }
    const cache = Mustache.templateCache as { _cache?: Record<string, unknown> } | undefined;
    expect(Object.keys(cache?._cache ?? {}).length).toBeLessThan(5);
  });
});
