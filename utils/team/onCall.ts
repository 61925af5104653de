import { TZDate } from '@date-fns/tz';
import { isOpenAt, type BusinessCalendar } from '../queue/sla';
import {
  DEFAULT_ON_CALL,
  type FirmSettings,
  type OnCallRotation,
  type OnCallSwap,
  type StaffMember,
} from '../settings';

/**
 * Who is on call and who is on shift. Pure: settings and a time in, staff out (no browser,
 * no database). Times are the firm's (settings.timeZone), like its opening hours.
 */

export const WEEKDAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** The on-call day `at` belongs to: its date (YYYY-MM-DD) and weekday (0 = Sunday). */
export interface OnCallDay {
  date: string;
  weekday: number;
}

/**
 * The on-call day runs from the handover time to the handover time the next morning:
 * Tuesday 01:30 with an 08:00 handover belongs to Monday's on-call day; Saturday 02:00 to
 * Friday's; Saturday 10:00 to Saturday's.
 */
export function onCallDayOf(rotation: OnCallRotation, timeZone: string, at: number): OnCallDay {
  const local = new TZDate(at, timeZone);
  const beforeHandover = local.getHours() * 60 + local.getMinutes() < minutesOf(rotation.handover);
  // Noon of the calendar day, one day back when before the handover: never near a DST jump.
  const day = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate() - (beforeHandover ? 1 : 0),
    12,
    0,
    timeZone,
  );
  return {
    date: `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`,
    weekday: day.getDay(),
  };
}

export interface OnCallAnswer {
  staffId: string;
  /** The swap that put them there, when it was one. */
  swap?: OnCallSwap;
  day: OnCallDay;
}

/**
 * Who is on call at `at` by the rota (a swap for that on-call day wins over the weekly
 * pattern; the last swap listed for a date wins). Undefined: nobody, or the person named
 * is no longer in the team. It does not ask whether the firm is open: see assignLead.
 */
export function onCallAt(
  settings: Pick<FirmSettings, 'timeZone' | 'staff' | 'onCall'>,
  at: number,
): OnCallAnswer | undefined {
  const rotation = settings.onCall ?? DEFAULT_ON_CALL;
  const day = onCallDayOf(rotation, settings.timeZone, at);
  const swap = rotation.swaps.filter((s) => s.date === day.date).at(-1);
  const staffId = swap?.staffId ?? rotation.weekly[day.weekday] ?? undefined;
  if (!staffId || !settings.staff.some((m) => m.id === staffId)) return undefined;
  return swap ? { staffId, swap, day } : { staffId, day };
}

/** The firm is closed at `at` (evening, night, weekend, holiday): the on-call person answers. */
export function isAfterHours(settings: BusinessCalendar, at: number): boolean {
  return !isOpenAt(settings, at);
}

/** One calendar per staff member and settings object, so sla.ts's day memo is reused. */
const calendars = new WeakMap<FirmSettings['staff'][number], Map<object, BusinessCalendar>>();

function calendarOf(member: StaffMember, firm: BusinessCalendar): BusinessCalendar {
  let perFirm = calendars.get(member);
  if (!perFirm) calendars.set(member, (perFirm = new Map()));
  let cal = perFirm.get(firm);
  if (!cal) {
    // Firm holidays are everyone's: nobody is on shift then (the on-call person answers).
    cal = {
      timeZone: firm.timeZone,
      holidays: firm.holidays,
      weeklyHours: member.workingHours ?? firm.weeklyHours,
    };
    perFirm.clear();
    perFirm.set(firm, cal);
  }
  return cal;
}

/** Working at `at` by their own hours (absent: the firm's), holidays off. */
export function isOnShift(member: StaffMember, firm: BusinessCalendar, at: number): boolean {
  return isOpenAt(calendarOf(member, firm), at);
}

/**
 * Who should hear about an emergency call at `at`: everyone on shift, and the on-call person
 * (after hours that may be the only one).
 */
export function staffOnDuty(
  settings: Pick<FirmSettings, 'timeZone' | 'weeklyHours' | 'holidays' | 'staff' | 'onCall'>,
  at: number,
): string[] {
  const ids = settings.staff.filter((m) => isOnShift(m, settings, at)).map((m) => m.id);
  const onCall = isAfterHours(settings, at) ? onCallAt(settings, at)?.staffId : undefined;
  if (onCall && !ids.includes(onCall)) ids.push(onCall);
  return ids;
}
