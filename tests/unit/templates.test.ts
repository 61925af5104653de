import { describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { Lead, MissedCall } from '@/utils/model';
import { db } from '@/utils/db';
import { DEFAULT_TEMPLATES } from '@/utils/workflow/defaultTemplates';
import {
  FIXED_TEMPLATE_IDS,
  TEMPLATE_VARIABLES,
  TEMPLATE_VARIABLE_NAMES,
  TemplateError,
  buildTemplateVars,
  checkTemplate,
  currentPromise,
  describeTimeCalled,
  getTemplates,
  renderForLead,
  renderTemplate,
  resetTemplate,
  saveScriptDetails,
  saveTemplate,
  spokenNumber,
  templatesItem,
  type TemplateVars,
} from '@/utils/workflow/templates';

const NY = 'America/New_York';
/** Wednesday, March 4, 2026, 10:30 in New York (EST, UTC-5). */
const NOW = Date.parse('2026-03-04T15:30:00Z');
const HOUR = 3_600_000;

const SETTINGS: FirmSettings = {
  ...DEFAULT_SETTINGS,
  firmName: 'Whitfield & Park',
  staff: [{ id: 'sam', name: 'Sam Carter' }],
  currentStaffId: 'sam',
};

function lead(patch: Partial<Lead> = {}): Lead {
  return {
    id: 'L1',
    phoneKey: '+12125550147',
    phone: '+12125550147',
    rawNumber: '(212) 555-0147',
    noCallbackNumber: false,
    priority: false,
    status: 'open',
    firstMissedAt: NOW - HOUR,
    lastMissedAt: NOW - HOUR,
    missedCount: 1,
    dueAt: NOW,
    overdueAt: NOW,
    attemptCount: 0,
    createdAt: NOW - HOUR,
    updatedAt: NOW - HOUR,
    ...patch,
  };
}

/** A lead with nothing known: no name, no number, no source, no area. */
function bareLead(): Lead {
  return lead({
    phoneKey: 'nocallback:c1',
    phone: null,
    rawNumber: 'Anonymous',
    noCallbackNumber: true,
  });
}

function varsFor(l: Lead, extra: Partial<Parameters<typeof buildTemplateVars>[0]> = {}) {
  return buildTemplateVars({ lead: l, settings: SETTINGS, now: NOW, ...extra });
}

async function saveFirmSettings(settings: FirmSettings) {
  await fakeBrowser.storage.local.set({ firmSettings: settings, firmSettings$: { v: 1 } });
}

function expectClean(text: string) {
  expect(text).not.toMatch(/\{\{|\}\}/);
  expect(text).not.toMatch(/undefined|null|NaN/);
  expect(text).not.toMatch(/\S {2,}\S/);
  expect(text).not.toMatch(/ [,.;:!?]/);
}

describe('renderTemplate', () => {
  it('renders every variable from its value', () => {
    const vars = Object.fromEntries(
      TEMPLATE_VARIABLE_NAMES.map((name) => [name, `<${name}>`]),
    ) as TemplateVars;
    for (const name of TEMPLATE_VARIABLE_NAMES) {
      expect(renderTemplate(`x {{${name}}} y`, vars)).toBe(`x <${name}> y`);
      expect(
        renderTemplate(`{{#${name}}}known{{/${name}}}{{^${name}}}unknown{{/${name}}}`, vars),
      ).toBe('known');
    }
  });

  it('renders every missing variable as its fallback, never {{…}} or "undefined"', () => {
    for (const name of TEMPLATE_VARIABLE_NAMES) {
      const fallback = TEMPLATE_VARIABLES[name].fallback;
      expect(fallback.trim()).not.toBe('');
      // "Hi there", not "Hi {{callerName}}" or "Hi undefined".
      expect(renderTemplate(`a {{${name}}} b`, {})).toBe(`a ${fallback} b`);
      expect(renderTemplate(`a {{${name}}} b`, { [name]: '   ' })).toBe(`a ${fallback} b`);
      expect(
        renderTemplate(`{{#${name}}}known{{/${name}}}{{^${name}}}unknown{{/${name}}}`, {}),
      ).toBe('unknown');
    }
    expect(renderTemplate('Hi {{callerName}}, about your {{practiceArea}} matter', {})).toBe(
      'Hi there, about your legal matter',
    );
  });

  it('leaves no gaps where a section rendered nothing', () => {
    expect(
      renderTemplate('about your {{#practiceArea}}{{practiceArea}}{{/practiceArea}} case.', {}),
    ).toBe('about your case.');
    expect(renderTemplate('Thanks {{#firstName}} {{firstName}}{{/firstName}} .', {})).toBe(
      'Thanks.',
    );
  });

  it('keeps a hostile caller name as text: no escaping, no markup, no second rendering', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const vars = varsFor(lead({ name: hostile }));
    expect(renderTemplate('Hi {{callerName}}!', vars)).toBe(`Hi ${hostile}!`);
    expect(renderTemplate('Hi {{{callerName}}}!', vars)).toBe(`Hi ${hostile}!`);

    const curly = varsFor(lead({ name: '{{firmName}} {{#firmName}}x{{/firmName}}' }));
    expect(renderTemplate('Hi {{callerName}} from {{firmName}}', curly)).toBe(
      'Hi {{firmName}} {{#firmName}}x{{/firmName}} from Whitfield & Park',
    );

    // Text, not HTML: ampersands and quotes are not turned into entities.
    const apostrophe = varsFor(lead({ name: `Dana O'Neil & "Co"` }));
    expect(renderTemplate('{{callerName}} / {{firmName}}', apostrophe)).toBe(
      `Dana O'Neil & "Co" / Whitfield & Park`,
    );
  });

  it('drops bidi overrides from values so a name cannot reverse the rest of an SMS line', () => {
    const vars = varsFor(lead({ name: 'Ana\u202E evil' }));
    expect(renderTemplate('Hi {{callerName}}, call {{firmName}}', vars)).toBe(
      'Hi Ana evil, call Whitfield & Park',
    );
  });

  it('treats caller-ID placeholders as no name and tidies all-caps names', () => {
    expect(varsFor(lead({ name: 'WIRELESS CALLER' })).callerName).toBeUndefined();
    expect(varsFor(lead({ name: 'CELL PHONE   NY' })).firstName).toBeUndefined();
    expect(varsFor(lead({ name: 'MARIA LOPEZ' }))).toMatchObject({
      callerName: 'Maria Lopez',
      firstName: 'Maria',
    });
    expect(varsFor(lead({ name: 'Lopez, Maria' })).firstName).toBe('Maria');
    expect(varsFor(lead({ name: 'Dr. Maria Lopez' })).firstName).toBe('Maria');
  });
});

describe('checkTemplate', () => {
  it('lists unknown variables and sections in plain words', () => {
    expect(checkTemplate('Hi {{clientName}}, {{#vip}}VIP{{/vip}} {{callerName}}').errors).toEqual([
      'Unknown variable {{clientName}} (line 1).',
      'Unknown section {{#vip}} (line 1).',
    ]);
    expect(checkTemplate('a\n{{^bogus}}x{{/bogus}}').errors).toEqual([
      'Unknown section {{^bogus}} (line 2).',
    ]);
  });

  it('explains unbalanced tags, and still names unknown variables', () => {
    expect(checkTemplate('Hi {{callerName').errors).toEqual([
      'A "{{" is never closed with "}}" (line 1).',
    ]);
    expect(checkTemplate('{{#firstName}}Hi {{firstName}}\n{{clientName}}').errors).toEqual([
      'The section {{#firstName}} is never closed with {{/firstName}} (line 2).',
      'Unknown variable {{clientName}} (line 2).',
    ]);
    expect(checkTemplate('Hi{{/firstName}}').errors).toEqual([
      '{{/firstName}} closes a section that was never opened (line 1).',
    ]);
    expect(checkTemplate('{{> header}}').errors[0]).toMatch(/partial\) is not supported/);
    expect(checkTemplate('{{=<% %>=}}').errors[0]).toMatch(/delimiters is not supported/);
  });

  it('finds nothing wrong with the defaults', () => {
    for (const id of FIXED_TEMPLATE_IDS)
      expect(checkTemplate(DEFAULT_TEMPLATES[id]).errors).toEqual([]);
  });

  it('saveTemplate refuses a template with errors and keeps the old text', async () => {
    await expect(saveTemplate('sms.textBack', 'Hi {{clientName}}')).rejects.toBeInstanceOf(
      TemplateError,
    );
    expect((await getTemplates())['sms.textBack'].edited).toBe(false);
  });
});

describe("time called, in the firm's words and time zone", () => {
  const at = (iso: string) => Date.parse(iso);
  it.each([
    ['2026-03-04T14:14:00Z', 'this morning at 9:14'],
    ['2026-03-04T08:05:00Z', 'early this morning at 3:05'],
    ['2026-03-04T15:29:00Z', 'this morning at 10:29'],
    ['2026-03-03T21:02:00Z', 'yesterday afternoon at 4:02'],
    ['2026-03-03T14:14:00Z', 'yesterday morning at 9:14'],
    ['2026-03-03T23:45:00Z', 'yesterday evening at 6:45'],
    ['2026-03-04T03:10:00Z', 'last night at 10:10'],
    ['2026-03-02T15:30:00Z', 'on Monday at 10:30 AM'],
    ['2026-02-26T20:00:00Z', 'on Thursday at 3:00 PM'],
    ['2026-02-20T15:30:00Z', 'on February 20 at 10:30 AM'],
    ['2025-12-30T15:30:00Z', 'on December 30, 2025 at 10:30 AM'],
  ])('%s → %s', (calledAt, words) => {
    expect(describeTimeCalled(at(calledAt), NOW, NY)).toBe(words);
  });

  it('afternoon and evening of the same day', () => {
    const evening = at('2026-03-04T23:40:00Z'); // 18:40 EST
    expect(describeTimeCalled(at('2026-03-04T21:02:00Z'), evening, NY)).toBe(
      'this afternoon at 4:02',
    );
    expect(describeTimeCalled(at('2026-03-04T23:30:00Z'), evening, NY)).toBe(
      'this evening at 6:30',
    );
  });

  it("follows the firm's zone, not the computer's", () => {
    const calledAt = at('2026-03-04T03:10:00Z');
    expect(describeTimeCalled(calledAt, NOW, NY)).toBe('last night at 10:10');
    expect(describeTimeCalled(calledAt, NOW, 'Europe/London')).toBe('early this morning at 3:10');
    expect(describeTimeCalled(calledAt, NOW, 'America/Los_Angeles')).toBe(
      'yesterday evening at 7:10',
    );
  });

  it('on the day clocks go forward (New York, March 8, 2026) and the day after', () => {
    const noon = at('2026-03-08T16:00:00Z'); // 12:00 EDT
    expect(describeTimeCalled(at('2026-03-08T06:30:00Z'), noon, NY)).toBe(
      'early this morning at 1:30',
    );
    expect(describeTimeCalled(at('2026-03-08T07:14:00Z'), noon, NY)).toBe(
      'early this morning at 3:14',
    );
    expect(describeTimeCalled(at('2026-03-08T13:14:00Z'), noon, NY)).toBe('this morning at 9:14');
    const nextMorning = at('2026-03-09T13:00:00Z'); // Monday 9:00 EDT
    expect(describeTimeCalled(at('2026-03-08T05:30:00Z'), nextMorning, NY)).toBe(
      'early yesterday morning at 12:30',
    );
    expect(describeTimeCalled(at('2026-03-08T03:30:00Z'), nextMorning, NY)).toBe(
      'on Saturday at 10:30 PM',
    );
  });

  it('on the day clocks go back (the 1:30 that happens twice)', () => {
    const morning = at('2026-11-01T15:00:00Z'); // 10:00 EST
    expect(describeTimeCalled(at('2026-11-01T05:30:00Z'), morning, NY)).toBe(
      'early this morning at 1:30',
    );
    expect(describeTimeCalled(at('2026-11-01T06:30:00Z'), morning, NY)).toBe(
      'early this morning at 1:30',
    );
  });
});

describe('callback number spoken', () => {
  it('writes the digits out in the groups people say', () => {
    expect(spokenNumber('(555) 123-4567')).toBe(
      'five five five, one two three, four five six seven',
    );
    expect(spokenNumber('+1 212 555 0100')).toBe('two one two, five five five, zero one zero zero');
    expect(spokenNumber('212-555-0100 ext. 42')).toBe(
      'two one two, five five five, zero one zero zero, extension four two',
    );
    expect(spokenNumber('+44 20 7946 0958')).toBe(
      'plus four four, two zero, seven nine four six, zero nine five eight',
    );
    expect(spokenNumber('Main line')).toBeUndefined();
  });

  it('builds both forms from the firm line', () => {
    const vars = varsFor(lead(), { firmLine: '555-123-4567' });
    expect(vars.callbackNumber).toBe('(555) 123-4567');
    expect(vars.callbackNumberSpoken).toBe('five five five, one two three, four five six seven');
    // A firm line that is not a number: the fallback, never the raw text.
    expect(varsFor(lead(), { firmLine: 'Front desk' }).callbackNumber).toBeUndefined();
  });
});

describe('greetings and the callback promise follow the SLA settings', () => {
  it('states the in-hours window and the after-hours promise from settings', () => {
    const greeting = (settings: FirmSettings) =>
      renderTemplate(
        DEFAULT_TEMPLATES['greeting.inHours'],
        buildTemplateVars({ lead: bareLead(), settings, now: NOW }),
      );
    const afterHours = (settings: FirmSettings) =>
      renderTemplate(
        DEFAULT_TEMPLATES['greeting.afterHours'],
        buildTemplateVars({ lead: bareLead(), settings, now: NOW }),
      );
    expect(greeting(SETTINGS)).toContain('we will return your call within 15 minutes.');
    const slower = {
      ...SETTINGS,
      sla: { targetMinutes: 10, limitMinutes: 30, afterHoursMinutes: 120 },
    };
    expect(greeting(slower)).toContain('we will return your call within 30 minutes.');
    expect(greeting({ ...SETTINGS, sla: { ...SETTINGS.sla, limitMinutes: 60 } })).toContain(
      'within an hour.',
    );
    expect(afterHours(SETTINGS)).toContain(
      'our hours are Monday to Friday, 9:00 AM to 5:00 PM. Please leave',
    );
    expect(afterHours(SETTINGS)).toContain(
      'we will return your call first thing the next business morning.',
    );
    expect(afterHours(slower)).toContain(
      'we will return your call within 2 hours of opening on the next business day.',
    );
    // An alternative contact is always offered.
    expect(greeting(SETTINGS)).toContain(
      "If it's urgent, you can also send us a text message at this number.",
    );
  });

  it('says what the promise means now: in hours, tonight, over the weekend', () => {
    expect(currentPromise(SETTINGS, NOW)).toBe('within 15 minutes');
    expect(currentPromise(SETTINGS, Date.parse('2026-03-04T23:30:00Z'))).toBe(
      'first thing tomorrow morning',
    );
    expect(currentPromise(SETTINGS, Date.parse('2026-03-06T23:30:00Z'))).toBe(
      'first thing Monday morning',
    );
    expect(currentPromise(SETTINGS, Date.parse('2026-03-05T12:00:00Z'))).toBe(
      'first thing this morning',
    );
    const slow = { ...SETTINGS, sla: { ...SETTINGS.sla, afterHoursMinutes: 120 } };
    expect(currentPromise(slow, Date.parse('2026-03-04T23:30:00Z'))).toBe('by 11:00 AM tomorrow');
  });

  it('gives the next opening in words', () => {
    expect(varsFor(lead()).nextOpening).toBe('tomorrow at 9:00 AM');
    const friday = Date.parse('2026-03-06T16:00:00Z');
    expect(buildTemplateVars({ lead: lead(), settings: SETTINGS, now: friday }).nextOpening).toBe(
      'on Monday at 9:00 AM',
    );
    const early = Date.parse('2026-03-05T12:00:00Z'); // Thursday 7:00
    expect(buildTemplateVars({ lead: lead(), settings: SETTINGS, now: early }).nextOpening).toBe(
      'today at 9:00 AM',
    );
    const holiday = { ...SETTINGS, holidays: ['2026-03-05'] };
    expect(buildTemplateVars({ lead: lead(), settings: holiday, now: NOW }).nextOpening).toBe(
      'on Friday at 9:00 AM',
    );
  });
});

describe('the defaults, rendered', () => {
  it('read cleanly for a lead with nothing known', () => {
    for (const id of FIXED_TEMPLATE_IDS) {
      const text = renderTemplate(DEFAULT_TEMPLATES[id], varsFor(bareLead()));
      expectClean(text);
    }
  });

  it('read cleanly for a fully known lead, with its facts', () => {
    const full = lead({
      name: 'Maria Lopez',
      source: 'Google Ads – Car accidents',
      practiceArea: 'Personal injury',
    });
    const vars = varsFor(full, { firmLine: '+12125550100', consultationAt: NOW + 26 * HOUR });
    for (const id of FIXED_TEMPLATE_IDS) expectClean(renderTemplate(DEFAULT_TEMPLATES[id], vars));
    const script = renderTemplate(DEFAULT_TEMPLATES['callScript.personal-injury'], vars);
    expect(script).toContain('Hi, is this Maria? This is Sam Carter from Whitfield & Park.');
    expect(script).toContain(
      'You called us this morning at 9:30, and I apologize for missing your call earlier.',
    );
    expect(script).toContain('I understand you called about your car accident. Is now a good time');
    expect(script).toContain('Our next opening is tomorrow at 9:00 AM.');
    expect(script).toContain('police');
    const voicemail = renderTemplate(DEFAULT_TEMPLATES.voicemail, vars);
    expect(voicemail).toContain('returning the call you made this morning at 9:30');
    expect(voicemail.match(/two one two, five five five, zero one zero zero/g)).toHaveLength(2);
  });

  it("the automatic text is the playbook's, with the firm name", () => {
    expect(renderTemplate(DEFAULT_TEMPLATES['sms.autoText'], varsFor(bareLead()))).toBe(
      'Whitfield & Park: We missed your call. We are returning it now. If urgent, please reply to this message. Reply STOP to opt out.',
    );
  });

  it('personalises the opening by source and practice area', () => {
    const line = (patch: Partial<Lead>) => varsFor(lead(patch)).sourceLine;
    expect(line({ source: 'Google Ads – PI', practiceArea: 'Personal injury' })).toBe(
      'I understand you called about an accident and an injury',
    );
    expect(line({ source: 'Google Ads – Car accidents' })).toBe(
      'I understand you called about your car accident',
    );
    expect(line({ practiceArea: 'DUI' })).toBe('I understand you called about a DUI charge');
    expect(line({ practiceArea: 'Family law' })).toBe(
      'I understand you called about a family law matter',
    );
    expect(line({ practiceArea: 'Immigration' })).toBe(
      'I understand you called about an immigration matter',
    );
    expect(line({ source: 'Referral' })).toBe('I understand you were referred to us');
    expect(line({ source: 'Yelp' })).toBeUndefined();
    expect(
      varsFor(lead({ source: 'Yelp' }), { sourceLine: 'I see you found us on Yelp.' }).sourceLine,
    ).toBe('I see you found us on Yelp');
  });
});

describe('firm edits and renderForLead', () => {
  it("uses the firm's edit, and the default again after a reset", async () => {
    await saveFirmSettings(SETTINGS);
    const pi = lead({ name: 'Dana Whitfield', practiceArea: 'Personal injury' });
    await saveTemplate('callScript.personal-injury', 'Hello {{firstName}}, {{staffName}} here.');
    expect((await renderForLead('callScript.personal-injury', pi, { now: NOW })).body).toBe(
      'Hello Dana, Sam Carter here.',
    );
    expect((await getTemplates())['callScript.personal-injury'].edited).toBe(true);
    await resetTemplate('callScript.personal-injury');
    const body = (await renderForLead('callScript.personal-injury', pi, { now: NOW })).body;
    expect(body).toContain('Hi, is this Dana? This is Sam Carter from Whitfield & Park.');
  });

  it('falls back to defaults when the stored value is corrupt, keeping what is valid', async () => {
    await templatesItem.setValue({
      templates: { 'sms.textBack': 'Hi {{firstName}}', 'not.a.template': 'x', objection: 42 },
      sourceLines: 'nope',
      callbackNumber: 12,
    } as never);
    const all = await getTemplates();
    expect(all['sms.textBack'].text).toBe('Hi {{firstName}}');
    expect(all.objection.text).toBe(DEFAULT_TEMPLATES.objection);
    await templatesItem.setValue('garbage' as never);
    expect((await getTemplates())['sms.textBack'].edited).toBe(false);
  });

  it('returns an email with its subject, the consultation time when booked', async () => {
    await saveFirmSettings(SETTINGS);
    const l = lead({ name: 'Maria Lopez' });
    const booked = await renderForLead('email.confirmation', l, {
      now: NOW,
      consultationAt: Date.parse('2026-03-05T19:30:00Z'),
    });
    expect(booked.subject).toBe(
      'Your consultation with Whitfield & Park: Thursday, March 5 at 2:30 PM',
    );
    expect(booked.body).toContain('is booked for Thursday, March 5 at 2:30 PM.');
    const open = await renderForLead('email.confirmation', l, { now: NOW });
    expect(open.subject).toBe('Thank you for speaking with Whitfield & Park');
    expect(open.body).toContain('Our next opening is tomorrow at 9:00 AM.');
    const cadence = await renderForLead('email.cadence', l, { now: NOW });
    expect(cadence.subject).toBe('Returning your call to Whitfield & Park');
    expect((await renderForLead('sms.textBack', l, { now: NOW })).subject).toBeUndefined();
  });

  it("gives the firm's callback number, else the line the caller dialled", async () => {
    await saveFirmSettings(SETTINGS);
    const l = lead({ id: 'dialled' });
    const call: MissedCall = {
      id: 'c-dialled',
      leadId: 'dialled',
      phoneKey: l.phoneKey,
      provider: 'manual',
      startedAt: NOW - HOUR,
      dialedLine: '+1 (646) 555-0199',
      reason: 'no-answer',
      capturePath: 'manual',
      capturedAt: NOW - HOUR,
    };
    await db.calls.put(call);
    const viaLine = await renderForLead('voicemail', l, { now: NOW });
    expect(viaLine.body).toContain('six four six, five five five, zero one nine nine');
    await saveScriptDetails({ callbackNumber: '212-555-0100' });
    const viaFirm = await renderForLead('sms.textBack', l, { now: NOW });
    expect(viaFirm.body).toContain('call us at (212) 555-0100.');
    await db.calls.delete('c-dialled');
    await saveScriptDetails({ callbackNumber: '' });
  });

  it("picks the script by practice area: DUI → criminal, the firm's own areas → general or their own", async () => {
    await saveFirmSettings({
      ...SETTINGS,
      practiceAreas: [...SETTINGS.practiceAreas, 'Estate planning'],
    });
    const dui = await renderForLead('callScript.criminal-defense', lead({ practiceArea: 'DUI' }), {
      now: NOW,
    });
    expect(dui.body).toContain('What is the charge');
    const { callScriptIdFor, getStoredTemplates } = await import('@/utils/workflow/templates');
    const stored = await getStoredTemplates();
    expect(callScriptIdFor({ practiceArea: 'DUI' }, SETTINGS, stored)).toBe(
      'callScript.criminal-defense',
    );
    expect(callScriptIdFor({ practiceArea: 'Estate planning' }, SETTINGS, stored)).toBe(
      'callScript.general',
    );
    expect(
      callScriptIdFor(
        { source: 'PI line' },
        {
          ...SETTINGS,
          sourceRules: [
            {
              id: 'r',
              line: '1',
              source: 'PI line',
              practiceArea: 'Personal injury',
              priority: false,
            },
          ],
        },
        stored,
      ),
    ).toBe('callScript.personal-injury');
    await saveTemplate('callScript.estate-planning', 'Estate script for {{callerName}}');
    const own = await getStoredTemplates();
    expect(callScriptIdFor({ practiceArea: 'Estate planning' }, SETTINGS, own)).toBe(
      'callScript.estate-planning',
    );
    expect(
      (
        await renderForLead(
          'callScript.estate-planning',
          lead({ practiceArea: 'Estate planning' }),
          { now: NOW },
        )
      ).body,
    ).toBe('Estate script for there');
    // Until then a firm's own area follows its built-in script, edits included.
    await saveTemplate('callScript.criminal-defense', 'Edited criminal script');
    expect((await renderForLead('callScript.dui', lead(), { now: NOW })).body).toBe(
      'Edited criminal script',
    );
  });
});

describe('fallbacks at the start of a line', () => {
  it('start with a capital (an email signed by nobody in particular)', () => {
    expect(renderTemplate('Kind regards,\n{{staffName}}\n{{firmName}}', {})).toBe(
      'Kind regards,\nThe intake team\nOur office',
    );
    expect(renderTemplate('Call {{callbackNumber}}', {})).toBe('Call our main number');
  });
});
