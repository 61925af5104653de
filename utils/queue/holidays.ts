import { addDays, format, getDay, lastDayOfMonth, nextDay, type Day } from 'date-fns';

export interface Holiday {
  /** The day the office is closed, YYYY-MM-DD (the observed date). */
  date: string;
  name: string;
}

const MONDAY: Day = 1;
const THURSDAY: Day = 4;

/** The nth given weekday of a month (1-based), e.g. the 3rd Monday of January. */
function nthWeekday(year: number, month: number, weekday: Day, nth: number): Date {
  const first = new Date(year, month, 1);
  const firstMatch = getDay(first) === weekday ? first : nextDay(first, weekday);
  return addDays(firstMatch, (nth - 1) * 7);
}

function lastWeekday(year: number, month: number, weekday: Day): Date {
  const last = lastDayOfMonth(new Date(year, month, 1));
  const back = (getDay(last) - weekday + 7) % 7;
  return addDays(last, -back);
}

/** A fixed-date holiday on a weekend is observed on the Friday before or the Monday after. */
function observed(date: Date): Date {
  const weekday = getDay(date);
  if (weekday === 6) return addDays(date, -1);
  if (weekday === 0) return addDays(date, 1);
  return date;
}

/**
 * US federal holidays of a year as offices observe them (5 U.S.C. 6103). Computed on plain
 * calendar dates, so the firm's time zone does not matter. New Year's Day falling on a
 * Saturday is observed on 31 December of the year before.
 */
export function usFederalHolidays(year: number): Holiday[] {
  const days: [Date, string][] = [
    [observed(new Date(year, 0, 1)), "New Year's Day"],
    [nthWeekday(year, 0, MONDAY, 3), 'Martin Luther King Jr. Day'],
    [nthWeekday(year, 1, MONDAY, 3), "Washington's Birthday"],
    [lastWeekday(year, 4, MONDAY), 'Memorial Day'],
    [observed(new Date(year, 5, 19)), 'Juneteenth'],
    [observed(new Date(year, 6, 4)), 'Independence Day'],
    [nthWeekday(year, 8, MONDAY, 1), 'Labor Day'],
    [nthWeekday(year, 9, MONDAY, 2), 'Columbus Day'],
    [observed(new Date(year, 10, 11)), 'Veterans Day'],
    [nthWeekday(year, 10, THURSDAY, 4), 'Thanksgiving Day'],
    [observed(new Date(year, 11, 25)), 'Christmas Day'],
  ];
  return days.map(([date, name]) => ({ date: format(date, 'yyyy-MM-dd'), name }));
}
