import { describe, expect, it } from 'vitest';
import {
  autoTextKey,
  decideAutoText,
  DEFAULT_AUTO_TEXT_SETTINGS,
  maskPhone,
  parseAutoTextSettings,
  type AutoTextFacts,
  type AutoTextSettings,
} from '../../utils/workflow/autoText';

const utc = (iso: string) => Date.parse(iso);
/** Wednesday 10 June 2026, 13:00 in New York (10:00 in Los Angeles). */
const NOON_NY = utc('2026-06-10T17:00:00Z');
const ON: AutoTextSettings = { ...DEFAULT_AUTO_TEXT_SETTINGS, enabled: true };

function facts(overrides: Partial<AutoTextFacts> = {}, at = NOON_NY): AutoTextFacts {
  return {
    now: at + 20_000,
    settings: ON,
    firmTimeZone: 'America/New_York',
    call: { startedAt: at - 30_000, capturedAt: at, reason: 'no-answer', capturePath: 'portal' },
    lead: { phone: '+14155550134', noCallbackNumber: false, status: 'open', source: 'Website' },
    optedOut: false,
    cannotReceiveSms: false,
    canSend: true,
    ...overrides,
  };
}

describe('automatic text rules', () => {
  it('sends after the debounce, within the minute, to a fresh missed call', () => {
    expect(decideAutoText(facts())).toMatchObject({ kind: 'send' });
    // Before the debounce ends it waits, to the second the debounce ends.
    expect(decideAutoText(facts({ now: NOON_NY + 5_000 }))).toEqual({
      kind: 'wait',
      until: NOON_NY + 15_000,
      reason: 'debounce',
    });
  });

  it('is off by default and per source', () => {
    expect(decideAutoText(facts({ settings: DEFAULT_AUTO_TEXT_SETTINGS }))).toEqual({
      kind: 'skip',
      reason: 'off',
      flag: false,
    });
    const onlyAds: AutoTextSettings = {
      ...ON,
      sourceScope: 'selected',
      sources: ['Google Ads – PI'],
      includeUntagged: false,
    };
    const lead = facts().lead;
    expect(decideAutoText(facts({ settings: onlyAds }))).toMatchObject({ reason: 'source-off' });
    expect(
      decideAutoText(facts({ settings: onlyAds, lead: { ...lead, source: 'google ads – pi' } })),
    ).toMatchObject({ kind: 'send' });
    expect(
      decideAutoText(facts({ settings: onlyAds, lead: { ...lead, source: undefined } })),
    ).toMatchObject({ reason: 'source-off' });
    expect(
      decideAutoText(
        facts({
          settings: { ...onlyAds, includeUntagged: true },
          lead: { ...lead, source: undefined },
        }),
      ),
    ).toMatchObject({ kind: 'send' });
  });

  it('never texts a "no callback number" lead, an answered call or a lead already called back', () => {
    const lead = facts().lead;
    expect(
      decideAutoText(facts({ lead: { ...lead, phone: null, noCallbackNumber: true } })),
    ).toEqual({ kind: 'skip', reason: 'no-callback-number', flag: false });
    expect(decideAutoText(facts({ call: { ...facts().call, reason: 'answered' } }))).toMatchObject({
      reason: 'answered',
    });
    expect(decideAutoText(facts({ lead: { ...lead, status: 'done' } }))).toMatchObject({
      reason: 'called-back',
    });
    expect(
      decideAutoText(facts({ lead: { ...lead, lastAttemptAt: NOON_NY + 10_000 } })),
    ).toMatchObject({ reason: 'called-back' });
    expect(
      decideAutoText(facts({ lead: { ...lead, answeredLaterAt: NOON_NY - 10_000 } })),
    ).toMatchObject({ reason: 'called-back' });
    // An attempt from before this call (an earlier callback) does not stop it.
    expect(
      decideAutoText(facts({ lead: { ...lead, lastAttemptAt: NOON_NY - 3_600_000 } })),
    ).toMatchObject({ kind: 'send' });
  });

  it('never texts an opted-out number or one the provider said is a landline', () => {
    expect(decideAutoText(facts({ optedOut: true }))).toEqual({
      kind: 'skip',
      reason: 'opted-out',
      flag: false,
    });
    expect(decideAutoText(facts({ cannotReceiveSms: true }))).toEqual({
      kind: 'skip',
      reason: 'not-mobile',
      flag: false,
    });
  });

  it('sends at most one automatic text per number per 24 hours', () => {
    const day = 24 * 3_600_000;
    expect(
      decideAutoText(facts({ lastAutomaticTextAt: NOON_NY + 20_000 - day + 60_000 })),
    ).toMatchObject({ reason: 'texted-recently' });
    expect(
      decideAutoText(facts({ lastAutomaticTextAt: NOON_NY + 20_000 - day - 1 })),
    ).toMatchObject({ kind: 'send' });
  });

  it('flags a call seen too late, or while nothing could send, as "no auto-text sent"', () => {
    const late = facts({
      call: { ...facts().call, startedAt: NOON_NY - 6 * 60_000 },
    });
    expect(decideAutoText(late)).toEqual({ kind: 'skip', reason: 'captured-late', flag: true });
    expect(decideAutoText(facts({ canSend: false }))).toEqual({
      kind: 'skip',
      reason: 'no-sms-connection',
      flag: true,
    });
    // Not flagged when the rules would not have texted anyway.
    expect(decideAutoText(facts({ canSend: false, optedOut: true }))).toMatchObject({
      flag: false,
    });
  });

  it('texts only calls the portals and call logs saw live, not imports or hand entries', () => {
    for (const capturePath of ['csv', 'manual'] as const)
      expect(decideAutoText(facts({ call: { ...facts().call, capturePath } }))).toMatchObject({
        reason: 'not-live',
      });
  });
});

describe('quiet hours in the caller’s zone', () => {
  it('holds a Pacific caller’s text while it is 7 a.m. there, though the New York firm is open', () => {
    const at = utc('2026-06-10T14:00:00Z'); // 10:00 New York, 07:00 Los Angeles
    const verdict = decideAutoText(facts({}, at));
    expect(verdict).toMatchObject({
      kind: 'wait',
      reason: 'quiet-hours',
      until: utc('2026-06-10T15:00:00Z'), // 08:00 PDT: the first allowed minute
      zones: { zones: ['America/Los_Angeles'], from: 'number' },
    });
    // At that minute the same call is sent.
    expect(decideAutoText({ ...facts({}, at), now: utc('2026-06-10T15:00:00Z') })).toMatchObject({
      kind: 'send',
    });
  });

  it('sends to a Pacific caller at 8:30 p.m. their time though it is 11:30 p.m. at the firm', () => {
    const at = utc('2026-06-11T03:30:00Z');
    expect(decideAutoText(facts({}, at))).toMatchObject({ kind: 'send' });
    // A New York caller at the same instant is in quiet hours until 08:00 EDT.
    const ny = facts({}, at);
    ny.lead = { ...ny.lead, phone: '+12125550100' };
    expect(decideAutoText(ny)).toMatchObject({
      kind: 'wait',
      until: utc('2026-06-11T12:00:00Z'),
    });
  });

  it('a number spanning zones waits until it is allowed in all of them', () => {
    // South Dakota (+1 605): Mountain and Central. 21:10 Central is 20:10 Mountain.
    const at = utc('2026-06-11T02:10:00Z');
    const f = facts({}, at);
    f.lead = { ...f.lead, phone: '+16055550100' };
    expect(decideAutoText(f)).toMatchObject({
      kind: 'wait',
      reason: 'quiet-hours',
      until: utc('2026-06-11T14:00:00Z'), // 08:00 MDT = 09:00 CDT
    });
  });

  it('an unplaced number uses the firm’s zone', () => {
    const at = utc('2026-06-10T12:30:00Z'); // 08:30 New York, 05:30 Los Angeles
    const f = facts({}, at);
    f.lead = { ...f.lead, phone: '+18005550100' };
    expect(decideAutoText(f)).toMatchObject({
      kind: 'send',
      zones: { zones: ['America/New_York'], from: 'firm' },
    });
  });

  it('holds to 08:00 local across the autumn DST night, and honours configured hours', () => {
    // Sat 31 Oct 2026 21:30 PDT = 04:30Z on 1 Nov; clocks go back at 02:00 that night.
    const at = utc('2026-11-01T04:30:00Z');
    expect(decideAutoText(facts({}, at))).toMatchObject({
      until: utc('2026-11-01T16:00:00Z'), // 08:00 PST (UTC−8), not 15:00Z
    });
    const f = facts({ settings: { ...ON, sendFrom: '09:30', sendUntil: '20:00' } }, at);
    expect(decideAutoText(f)).toMatchObject({ until: utc('2026-11-01T17:30:00Z') });
  });
});

describe('automatic text helpers', () => {
  it('keys a number’s text by its call (the 24 h cap is the decision’s)', () => {
    expect(autoTextKey('+14155550134', 'call-1')).toBe('auto:+14155550134:call-1');
  });

  it('masks the number it shows', () => {
    expect(maskPhone('+14155550134')).toBe('+1 415 ••••• 34');
    expect(maskPhone('+442079460000')).toBe('+44 207 ••••• 00');
  });

  it('repairs stored settings field by field and refuses hours that end before they start', () => {
    expect(parseAutoTextSettings(undefined)).toEqual(DEFAULT_AUTO_TEXT_SETTINGS);
    expect(parseAutoTextSettings({ enabled: true, debounceSeconds: 'x' })).toEqual({
      ...DEFAULT_AUTO_TEXT_SETTINGS,
      enabled: true,
    });
    expect(parseAutoTextSettings({ sendFrom: '22:00', sendUntil: '06:00' })).toMatchObject({
      sendFrom: '08:00',
      sendUntil: '21:00',
    });
  });
});
