import { TZDate } from '@date-fns/tz';
import { z } from 'zod';
import { browser, storage } from '#imports';
import { firmSettingsItem, getSettings } from '../settings';

/**
 * The weekly review reminder: a notification at the day and time the firm sets (in the
 * firm's time zone) that opens the weekly review. One alarm, re-planned after each firing,
 * when the setting changes and when the browser starts, so a sleeping computer or a change of
 * time zone (or DST) never leaves it at a stale time.
 */
export const WeeklyReminder = z.object({
  enabled: z.boolean(),
  /** 0 = Sunday … 6 = Saturday (Date#getDay order). */
  weekday: z.number().int().min(0).max(6),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time as HH:mm'),
});
export type WeeklyReminder = z.infer<typeof WeeklyReminder>;

export const DEFAULT_WEEKLY_REMINDER: WeeklyReminder = {
  enabled: false,
  weekday: 1,
  time: '09:00',
};

export const weeklyReminderItem = storage.defineItem<WeeklyReminder>('local:weeklyReviewReminder', {
  fallback: DEFAULT_WEEKLY_REMINDER,
  version: 1,
});

export function parseWeeklyReminder(value: unknown): WeeklyReminder {
  const parsed = WeeklyReminder.safeParse(value);
  return parsed.success ? parsed.data : DEFAULT_WEEKLY_REMINDER;
}

export const WEEKLY_REVIEW_ALARM = 'weekly-review';
export const WEEKLY_REVIEW_NOTIFICATION = 'weekly-review:';
/** The dashboard's weekly review (components/dashboard/urlState.ts: view=weekly). */
export const WEEKLY_REVIEW_PATH = '/dashboard.html?view=weekly&range=7d';

/**
 * The next instant after `now` that is `weekday` at `time` in `timeZone` (wall clock: 09:00
 * stays 09:00 across a DST change; a time the clocks skip is the instant just after the gap).
 */
export function nextReminderAt(
  now: number,
  reminder: Pick<WeeklyReminder, 'weekday' | 'time'>,
  timeZone: string,
): number {
  const [hour, minute] = reminder.time.split(':').map(Number) as [number, number];
  const today = new TZDate(now, timeZone);
  for (let offset = 0; offset <= 7; offset++) {
    const candidate = new TZDate(
      today.getFullYear(),
      today.getMonth(),
      today.getDate() + offset,
      hour,
      minute,
      timeZone,
    );
    if (candidate.getDay() === reminder.weekday && candidate.getTime() > now)
      return candidate.getTime();
  }
  // Unreachable: one of eight consecutive days is the weekday, and only day 0 can be past.
  throw new Error('no reminder time found');
}

async function planReminder(): Promise<void> {
  const reminder = parseWeeklyReminder(await weeklyReminderItem.getValue());
  if (!reminder.enabled) {
    await browser.alarms.clear(WEEKLY_REVIEW_ALARM);
    return;
  }
  const { timeZone } = await getSettings();
  await browser.alarms.create(WEEKLY_REVIEW_ALARM, {
    when: nextReminderAt(Date.now(), reminder, timeZone),
  });
}

async function remind(): Promise<void> {
  const reminder = parseWeeklyReminder(await weeklyReminderItem.getValue());
  if (!reminder.enabled) return;
  await browser.notifications.create(`${WEEKLY_REVIEW_NOTIFICATION}${Date.now()}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: 'Weekly review',
    message: 'Last week against the four before: time to callback, contact rate, spikes, sources.',
    priority: 1,
  });
}

/** Background wiring: listeners registered synchronously, then the alarm planned. */
export function setupWeeklyReviewReminder(): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== WEEKLY_REVIEW_ALARM) return;
    void remind().finally(() => void planReminder());
  });
  browser.notifications.onClicked.addListener((notificationId) => {
    if (!notificationId.startsWith(WEEKLY_REVIEW_NOTIFICATION)) return;
    void browser.tabs.create({ url: browser.runtime.getURL(WEEKLY_REVIEW_PATH) });
    void browser.notifications.clear(notificationId);
  });
  weeklyReminderItem.watch(() => void planReminder());
  // The firm's time zone is where the day and time are read.
  firmSettingsItem.watch(() => void planReminder());
  void planReminder();
}
