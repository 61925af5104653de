import { beforeEach, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { db } from '@/utils/db';
import { captureCalls } from '@/utils/queue/leads';
import { DEFAULT_SETTINGS, type FirmSettings } from '@/utils/settings';
import type { IncomingCall } from '@/utils/model';
import {
  AUTO_TEXT_FLOOD_MAX,
  DEFAULT_AUTO_TEXT_SETTINGS,
  type AutoTextSettings,
} from '@/utils/workflow/autoText';
import {
  noteCapturedCalls,
  pendingAutoTextsItem,
  saveAutoTextSettings,
  setAutoTextProcessor,
} from '@/utils/workflow/autoTextStore';
import { processAutoTexts, type AutoTextDeps } from '@/utils/workflow/autoTextService';
import { resetSmsWorld } from './smsWorld';

/**
 * Issue 8 review (adversarial): SMS pumping. Someone rings the firm from dozens of spoofed
 * caller IDs and hangs up; each missed call would get an automatic text, paid by the firm.
 * However many missed calls arrive, automatic texts are capped per hour; the callers past the
 * cap are marked "No auto-text sent" (staff text the real ones first), never silently dropped.
 */

const NY = 'America/New_York';
const T0 = new TZDate(2026, 5, 10, 13, 0, NY).getTime();
const FIRM: FirmSettings = { ...DEFAULT_SETTINGS, timeZone: NY };
const ON: AutoTextSettings = { ...DEFAULT_AUTO_TEXT_SETTINGS, enabled: true, debounceSeconds: 5 };

let clock = T0;
const deps = (): AutoTextDeps => ({
  db,
  now: () => clock,
  firmSettings: async () => FIRM,
  canSend: async () => true,
  drain: () => undefined,
  schedule: async () => undefined,
});

function missed(i: number): IncomingCall {
  return {
    from: `+1415555${String(1000 + i).padStart(4, '0')}`,
    startedAt: clock - 20_000,
    provider: 'ringcentral',
    providerCallId: `flood-${i}`,
    capturePath: 'portal',
    reason: 'no-answer',
  };
}

beforeEach(async () => {
  await resetSmsWorld();
  await pendingAutoTextsItem.setValue([]);
  setAutoTextProcessor(undefined);
  clock = T0 - 3_600_000;
  await saveAutoTextSettings(ON, clock);
  clock = T0;
});

describe('a flood of missed calls from different numbers', () => {
  it('gets at most the hourly cap of automatic texts; the rest are flagged to text first', async () => {
    const count = AUTO_TEXT_FLOOD_MAX + 15;
    const calls = Array.from({ length: count }, (_, i) => missed(i));
    const { added } = await captureCalls(db, FIRM, calls, clock);
    expect(added).toHaveLength(count);
    await noteCapturedCalls(added, clock);
    clock += 6_000;
    await processAutoTexts(deps());

    const automatic = (await db.messages.toArray()).filter((m) => m.automatic);
    expect(automatic).toHaveLength(AUTO_TEXT_FLOOD_MAX);
    const flagged = (await db.leads.toArray()).filter((l) => l.noAutoText?.reason === 'flood');
    expect(flagged).toHaveLength(15);

    // An hour later the cap has room again.
    clock += 60 * 60_000;
    const later = { ...missed(999), startedAt: clock - 20_000, providerCallId: 'later' };
    const next = await captureCalls(db, FIRM, [later], clock);
    await noteCapturedCalls(next.added, clock);
    clock += 6_000;
    await processAutoTexts(deps());
    expect((await db.messages.toArray()).filter((m) => m.automatic)).toHaveLength(
      AUTO_TEXT_FLOOD_MAX + 1,
    );
  });
});
