import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { notifyNewCalls } from '@/utils/queue/alerts';
import type { CapturedCall } from '@/utils/queue/leads';

const now = Date.UTC(2026, 2, 4, 15, 0);
const call = (minutesAgo: number, i: number): CapturedCall => ({
  leadId: `L${i}`,
  callId: `C${i}`,
  newLead: true,
  display: `(212) 555-01${String(i).padStart(2, '0')}`,
  startedAt: now - minutesAgo * 60_000,
});

describe('notifyNewCalls', () => {
  let created: { id: string; title: string; message: string; contextMessage?: string }[];
  beforeEach(() => {
    created = [];
    vi.spyOn(fakeBrowser.notifications, 'create').mockImplementation((async (
      id: string,
      options: { title: string; message: string; contextMessage?: string },
    ) => {
      created.push({
        id,
        title: options.title,
        message: options.message,
        contextMessage: options.contextMessage,
      });
      return id;
    }) as never);
  });

  it('at most five at once, the newest', async () => {
    await notifyNewCalls(
      Array.from({ length: 8 }, (_, i) => call(i, i)),
      now,
    );
    expect(created.map((n) => n.id)).toEqual([
      'lead:L0:C0',
      'lead:L1:C1',
      'lead:L2:C2',
      'lead:L3:C3',
      'lead:L4:C4',
      'summary:' + now,
    ]);
  });

  it('one notification per recent call', async () => {
    await notifyNewCalls([call(1, 1), call(20, 2)], now);
    expect(created.map((n) => n.id)).toEqual(['lead:L1:C1', 'lead:L2:C2']);
    expect(created[0]?.title).toBe('Missed call — (212) 555-0101');
  });

  it('a day of history at once: the last hour one by one, the rest in one summary', async () => {
    const calls = Array.from({ length: 40 }, (_, i) => call(i * 30, i));
    await notifyNewCalls(calls, now);
    // 0, 30 and 60 minutes ago are within the hour.
    expect(created.filter((n) => n.id.startsWith('lead:'))).toHaveLength(3);
    expect(created.filter((n) => n.id.startsWith('summary:')).map((n) => n.title)).toEqual([
      '37 more missed calls added',
    ]);
  });

  it('a right-to-left override in a caller name cannot reverse the rest of the text', async () => {
    // U+202E (RIGHT-TO-LEFT OVERRIDE) would show "Google Ads · 10:59 AM" backwards.
    const evil = {
      ...call(1, 1),
      display: '\u202E(212) 555-0101',
      callerName: 'Mallory \u202Egnirts\u2066',
      source: 'Google Ads',
      practiceArea: '\u202BFamily law',
    };
    await notifyNewCalls([evil], now);
    const shown = created[0]!;
    const text = [shown.title, shown.message, shown.contextMessage].join('\n');
    expect(text).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
    expect(shown.title).toBe('Missed call — (212) 555-0101');
    expect(shown.message).toMatch(/^Mallory gnirts · .+ · Google Ads$/);
    expect(shown.contextMessage).toBe('Family law');
  });
});
