import { browser } from '#imports';
import { db } from '../db';
import { BADGE_DUE_SOON_MS, badgeState } from './badge';
import { countDueSoon, countOverdue, type CapturedCall } from './leads';
import type { BadgeState } from '../model';
import { focusLeadItem, getSettings } from '../settings';
import { stripBidiControls } from './bidi';
import { currentStaffOf } from '../team/identity';
import { callNotificationPlan, countAssignedToMe } from '../team/notify';

export const BADGE_ALARM = 'badge-tick';
export const BADGE_NEXT_ALARM = 'badge-next-crossing';
const NOTIFICATION_PREFIX = 'lead:';
const SUMMARY_NOTIFICATION = 'summary:';

/** Recompute the toolbar badge from the database and schedule the next exact change. */
export async function refreshBadge(now: number = Date.now()): Promise<BadgeState> {
  const me = currentStaffOf(await getSettings());
  const [overdue, dueSoon, oldest, next, mine] = await Promise.all([
    countOverdue(db, now),
    countDueSoon(db, now, BADGE_DUE_SOON_MS),
    db.leads.where('openOverdueAt').belowOrEqual(now).first(),
    db.leads.where('openOverdueAt').above(now).first(),
    // The badge follows this browser's user: their new leads show while none is overdue.
    me ? countAssignedToMe(db, me) : undefined,
  ]);
  const state = badgeState(
    overdue,
    dueSoon,
    oldest?.openOverdueAt ? now - oldest.openOverdueAt : 0,
    mine,
  );
  await Promise.all([
    browser.action.setBadgeText({ text: state.text }),
    browser.action.setBadgeBackgroundColor({ color: state.color }),
    browser.action.setTitle({ title: state.title }),
  ]);
  // The periodic alarm keeps it fresh every 30 s; this one flips it right when a lead breaches.
  if (next?.openOverdueAt)
    await browser.alarms.create(BADGE_NEXT_ALARM, { when: next.openOverdueAt + 500 });
  return state;
}

/** Created only when missing: re-creating it at every worker start would push it back. */
async function ensureBadgeAlarm(): Promise<void> {
  if (await browser.alarms.get(BADGE_ALARM)) return;
  await browser.alarms.create(BADGE_ALARM, { periodInMinutes: 0.5 });
}

export function setupBadge(): void {
  void ensureBadgeAlarm();
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === BADGE_ALARM || alarm.name === BADGE_NEXT_ALARM) void refreshBadge();
  });
  void refreshBadge();
}

function formatTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    hour: 'numeric',
    minute: '2-digit',
    weekday: 'short',
  }).format(ms);
}

/** Calls older than this when captured are history (a portal's list, a back-fill). */
export const NOTIFY_RECENT_MS = 60 * 60_000;
/** More new calls than this at once are summed up in one notification. */
export const MAX_CALL_NOTIFICATIONS = 5;

/**
 * One notification per new missed call (number, caller-ID name, time, source, practice
 * area) of the last hour, the newest five at most. The rest — a portal tab opened on a day
 * of history, say — get one summary notification instead of a flood.
 */
export async function notifyNewCalls(
  calls: CapturedCall[],
  now: number = Date.now(),
): Promise<void> {
  const settings = await getSettings();
  // With a team, each browser hears about its own user's leads ("Assigned to you"), leads
  // nobody has, and emergency-line calls while its user is on duty; the others' leads are
  // counted (queue, badge) without a notification.
  const plan = await callNotificationPlan(db, settings, calls, now);
  const emergencies = calls.filter((call) => plan.get(call.callId)?.emergency);
  const announced = calls.filter((call) => {
    const notice = plan.get(call.callId);
    return notice && !notice.emergency;
  });
  await Promise.all(
    emergencies.map((call) =>
      browser.notifications.create(`${NOTIFICATION_PREFIX}${call.leadId}:${call.callId}`, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('/icon/128.png'),
        title: `Emergency line — ${stripBidiControls(call.display)}`,
        message: [call.callerName, formatTime(call.startedAt, settings.timeZone), call.source]
          .filter(Boolean)
          .map((part) => stripBidiControls(part!))
          .join(' · '),
        contextMessage: stripBidiControls(plan.get(call.callId)?.context ?? 'Call back now'),
        priority: 2,
        // Stays on screen until someone acts (cleared when the lead is claimed or tried).
        requireInteraction: true,
      }),
    ),
  );
  if (!settings.notifyNewCalls) return;
  const recent = announced
    .filter((call) => call.startedAt >= now - NOTIFY_RECENT_MS)
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, MAX_CALL_NOTIFICATIONS);
  const older = announced.length - recent.length;
  await Promise.all(
    recent.map((call) =>
      browser.notifications.create(`${NOTIFICATION_PREFIX}${call.leadId}:${call.callId}`, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('/icon/128.png'),
        // Caller-supplied text without bidi controls: a right-to-left override in a name
        // would otherwise reverse the time and source after it.
        title: `${plan.get(call.callId)?.title ?? 'Missed call'} — ${stripBidiControls(call.display)}`,
        message: [call.callerName, formatTime(call.startedAt, settings.timeZone), call.source]
          .filter(Boolean)
          .map((part) => stripBidiControls(part!))
          .join(' · '),
        contextMessage: stripBidiControls(
          plan.get(call.callId)?.context ??
            call.practiceArea ??
            (call.newLead ? 'New lead' : 'Called again'),
        ),
        priority: 2,
        requireInteraction: false,
      }),
    ),
  );
  if (older > 0) {
    await browser.notifications.create(`${SUMMARY_NOTIFICATION}${now}`, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      title: `${older} more missed call${older === 1 ? '' : 's'} added`,
      message: 'They are in the callback queue, sorted by when they are due.',
      priority: 1,
    });
  }
}

/** Clicking a notification opens the side panel (or a tab) on that lead. */
export function setupNotificationClicks(): void {
  browser.notifications.onClicked.addListener((notificationId) => {
    if (notificationId.startsWith(SUMMARY_NOTIFICATION)) {
      void openQueue();
      void browser.notifications.clear(notificationId);
      return;
    }
    if (!notificationId.startsWith(NOTIFICATION_PREFIX)) return;
    const leadId = notificationId.slice(NOTIFICATION_PREFIX.length).split(':')[0] ?? '';
    void openLead(leadId);
    void browser.notifications.clear(notificationId);
  });
}

/** Someone acted on the lead (claimed, tried, closed): its notifications go, emergency ones too. */
export async function clearLeadNotifications(leadId: string): Promise<void> {
  const shown = await browser.notifications.getAll();
  await Promise.all(
    Object.keys(shown)
      .filter((id) => id.startsWith(`${NOTIFICATION_PREFIX}${leadId}:`))
      .map((id) => browser.notifications.clear(id)),
  );
}

/** Open the sidebar on a lead; `logOutcome` (keyboard command) also opens its attempt form. */
export async function openLead(
  leadId: string,
  options: { logOutcome?: boolean } = {},
): Promise<void> {
  await focusLeadItem.setValue({
    leadId,
    at: Date.now(),
    ...(options.logOutcome ? { logOutcome: true } : {}),
  });
  await openSidebar(`#lead=${encodeURIComponent(leadId)}${options.logOutcome ? '&log=1' : ''}`);
}

/** The queue itself (a summary notification). */
async function openQueue(): Promise<void> {
  await openSidebar('');
}

async function openSidebar(hash: string): Promise<void> {
  const [win] = await browser.windows
    .getAll({ windowTypes: ['normal'] })
    .then((ws) => ws.filter((w) => w.focused).concat(ws));
  try {
    if (!win?.id) throw new Error('no window');
    await browser.sidePanel.open({ windowId: win.id });
  } catch {
    // No user gesture or no side panel support (Firefox): fall back to a tab.
    await browser.tabs.create({ url: browser.runtime.getURL(`/sidebar.html${hash}`) });
  }
}
