import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { CallbackDeskDB } from '@/utils/db';
import { captureCalls, type CaptureResult } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import {
  callbackWarning,
  checkManualCall,
  describeManualCapture,
  describeWindow,
  type ManualCallForm,
} from '@/utils/queue/manualCall';
import { errorMessage } from '@/utils/errorMessage';

const NY = 'America/New_York';
const NOW = new TZDate(2026, 2, 4, 10, 30, NY).getTime();
const settings = DEFAULT_SETTINGS;

function form(overrides: Partial<ManualCallForm> = {}): ManualCallForm {
  return {
    from: '(212) 555-0143',
    startedAt: '2026-03-04T10:20',
    callerName: '',
    source: '',
    practiceArea: '',
    dialedLine: '',
    reason: 'no-answer',
    ...overrides,
  };
}

describe('checkManualCall', () => {
  it('builds a manual call, with the time read in the firm zone', () => {
    const check = checkManualCall(
      form({ callerName: ' Dana Whitfield ', source: 'Referral', practiceArea: 'DUI' }),
      settings,
      NOW,
    );
    expect(check).toEqual({
      ok: true,
      call: {
        from: '(212) 555-0143',
        startedAt: new TZDate(2026, 2, 4, 10, 20, NY).getTime(),
        callerName: 'Dana Whitfield',
        source: 'Referral',
        practiceArea: 'DUI',
        dialedLine: undefined,
        reason: 'no-answer',
        provider: 'manual',
        capturePath: 'manual',
      },
    });
  });

  it('asks for a number and a valid time', () => {
    const check = checkManualCall(form({ from: '  ', startedAt: '' }), settings, NOW);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors.from).toMatch(/Enter the number/);
    expect(check.errors.startedAt).toBe('Enter the date and time of the call.');
  });

  it('refuses a call in the future, but tolerates a clock a few minutes fast', () => {
    const future = checkManualCall(form({ startedAt: '2026-03-04T11:00' }), settings, NOW);
    expect(future).toEqual({ ok: false, errors: { startedAt: 'That time is in the future.' } });
    expect(checkManualCall(form({ startedAt: '2026-03-04T10:33' }), settings, NOW).ok).toBe(true);
  });

  it('explains a field that is too long', () => {
    const check = checkManualCall(form({ source: 'x'.repeat(81) }), settings, NOW);
    expect(check).toEqual({
      ok: false,
      errors: { source: 'Source is too long (at most 80 characters).' },
    });
  });

  it('shortens a caller name over 120 characters and says so', () => {
    const check = checkManualCall(form({ callerName: 'x'.repeat(130) }), settings, NOW);
    expect(check).toMatchObject({
      ok: true,
      warning: 'Caller name shortened to 120 characters.',
    });
    expect(check.ok && check.call.callerName).toHaveLength(120);
  });

  it('refuses a call dated 1 January 1970, or older than 90 days, with the reason', () => {
    const epoch = checkManualCall(form({ startedAt: '1970-01-01T00:00' }), settings, NOW);
    expect(epoch).toEqual({
      ok: false,
      errors: {
        startedAt:
          'That is more than 90 days ago: calls that old cannot be added here (import them from a CSV export).',
      },
    });
    expect(checkManualCall(form({ startedAt: '2025-12-01T10:00' }), settings, NOW).ok).toBe(false);
    expect(checkManualCall(form({ startedAt: '2026-01-01T10:00' }), settings, NOW).ok).toBe(true);
  });

  it('accepts an uncallable number with a warning', () => {
    const check = checkManualCall(form({ from: '12' }), settings, NOW);
    expect(check.ok && check.warning).toMatch(/"12" is not a callable number/);
    expect(checkManualCall(form({ from: 'Anonymous' }), settings, NOW)).toMatchObject({
      ok: true,
      warning: 'No caller ID: the lead will be flagged "No callback number".',
    });
    expect(callbackWarning('212 555 0143', 'US')).toBeNull();
    expect(callbackWarning('', 'US')).toBeNull();
  });
});

describe('describeManualCapture', () => {
  let db: CallbackDeskDB;
  beforeEach(async () => {
    db = new CallbackDeskDB(`test-${crypto.randomUUID()}`);
    await db.open();
  });
  afterEach(async () => {
    await db.delete();
  });

  async function capture(f: ManualCallForm): Promise<CaptureResult> {
    const check = checkManualCall(f, settings, NOW);
    if (!check.ok) throw new Error('form should be valid');
    return captureCalls(db, settings, [check.call], NOW);
  }

  it('reports a new lead, then the same caller again as already queued', async () => {
    const first = describeManualCapture(await capture(form()), 120);
    expect(first).toMatchObject({
      kind: 'added',
      newLead: true,
      message: 'Added (212) 555-0143 to the queue.',
    });
    const again = describeManualCapture(
      await capture(form({ startedAt: '2026-03-04T10:21' })),
      120,
    );
    expect(again).toEqual({
      kind: 'duplicate',
      message: 'Already in the queue (same caller within 2 minutes).',
    });
    const later = describeManualCapture(
      await capture(form({ startedAt: '2026-03-04T10:28' })),
      120,
    );
    expect(later).toMatchObject({ kind: 'added', newLead: false });
    expect(later.message).toMatch(/already had an open lead/);
  });

  it('says so when the caller already got through on an answered call', async () => {
    await captureCalls(
      db,
      settings,
      [
        {
          from: '+12125550143',
          startedAt: new TZDate(2026, 2, 4, 10, 20, NY).getTime(),
          reason: 'answered',
          provider: 'ringcentral',
          capturePath: 'api',
        },
      ],
      NOW,
    );
    expect(describeManualCapture(await capture(form()), 120)).toEqual({
      kind: 'duplicate',
      message:
        'Not queued: this caller already got through or was called back after that time (an answered call or a closing callback is recorded); the call is kept on their closed lead.',
    });
  });

  it('keeps an uncallable number as a flagged lead', async () => {
    const outcome = describeManualCapture(await capture(form({ from: '12' })), 120);
    expect(outcome.kind).toBe('added');
    const [lead] = await db.leads.toArray();
    expect(lead).toMatchObject({ noCallbackNumber: true, phone: null, rawNumber: '12' });
  });

  it('maps the background’s rejections onto the form fields', () => {
    const outcome = describeManualCapture(
      {
        added: [],
        duplicates: 0,
        answeredClosed: 0,
        ignored: 0,
        rejected: [{ index: 0, error: 'startedAt: the call is in the future; call: odd' }],
      },
      120,
    );
    expect(outcome).toEqual({
      kind: 'rejected',
      message: 'Not added: call: odd',
      errors: { startedAt: 'The call is in the future' },
    });
  });

  it('words the dedupe window', () => {
    expect(describeWindow(120)).toBe('2 minutes');
    expect(describeWindow(60)).toBe('1 minute');
    expect(describeWindow(90)).toBe('90 seconds');
  });
});

describe('errorMessage', () => {
  it('turns zod issues from the background into sentences', () => {
    const zodMessage = JSON.stringify(
      [{ code: 'invalid_value', path: ['outcome'], message: 'Invalid option' }],
      null,
      2,
    );
    expect(errorMessage(new Error(zodMessage))).toBe('Outcome: choose one of the listed options.');
  });

  it('passes plain errors through and explains a missing background', () => {
    expect(errorMessage(new Error('This lead no longer exists.'))).toBe(
      'This lead no longer exists.',
    );
    expect(
      errorMessage(new Error('Could not establish connection. Receiving end does not exist.')),
    ).toMatch(/not responding/);
    expect(errorMessage(undefined)).toBe('Something went wrong.');
  });
});
