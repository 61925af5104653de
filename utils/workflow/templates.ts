import Mustache from 'mustache';
import { TZDate } from '@date-fns/tz';
import {
  getCountryCallingCode,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js';
import { z } from 'zod';
import { storage } from '#imports';
import { db } from '../db';
import type { Lead } from '../model';
import { formatPhone, normalizePhone } from '../phone';
import { getSettings, type FirmSettings } from '../settings';
import { isOpenAt, nextOpening } from '../queue/sla';
import { staffName as staffNameOf } from '../queue/queueView';
import { stripBidiControls } from '../queue/bidi';
import { DEFAULT_TEMPLATES, defaultSourceLine } from './defaultTemplates';
import { MAX_TEXT_LENGTH } from './messageOutbox';
import {
  EMAIL_SUBJECTS,
  FIXED_TEMPLATE_IDS,
  areaSlug,
  builtInAreaFor,
  callScriptId,
  isCallScriptId,
  isTemplateId,
  type CallScriptId,
  type FixedTemplateId,
  type TemplateId,
} from './templateIds';

export * from './templateIds';

// ---------------------------------------------------------------------------------------
// Variables

export interface TemplateVariable {
  /** What the editor shows in the variable list. */
  label: string;
  /** What it becomes, in a few words. */
  description: string;
  /** What `{{name}}` renders when the value is missing: never `{{…}}`, never empty. */
  fallback: string;
}

/**
 * The named variables, in the order the editor lists them. A `{{#name}}…{{/name}}` section
 * shows only when the value is known and `{{^name}}…{{/name}}` only when it is not, so a
 * script can say "Am I speaking with Maria?" or "Who am I speaking with?".
 */
export const TEMPLATE_VARIABLES = {
  callerName: {
    label: 'Caller name',
    description: 'The caller as the firm knows them ("Maria Lopez")',
    fallback: 'there',
  },
  firstName: {
    label: 'First name',
    description: 'The caller\'s first name ("Maria")',
    fallback: 'there',
  },
  firmName: {
    label: 'Firm name',
    description: 'From Options › Firm',
    fallback: 'our office',
  },
  staffName: {
    label: 'Staff name',
    description: "Who is calling (this browser's team member)",
    fallback: 'the intake team',
  },
  timeCalled: {
    label: 'Time called',
    description: 'When they last called, in the firm\'s words ("this morning at 9:14")',
    fallback: 'earlier',
  },
  callbackNumber: {
    label: 'Callback number',
    description: 'The firm number the caller should call back ("(555) 123-4567")',
    fallback: 'our main number',
  },
  callbackNumberSpoken: {
    label: 'Callback number, spoken',
    description: 'The same number written out to say slowly ("five five five, one two three, …")',
    fallback: 'our main number',
  },
  callerNumber: {
    label: 'Caller number',
    description: 'The number the caller called from',
    fallback: 'the number you called from',
  },
  practiceArea: {
    label: 'Practice area',
    description: 'Lower-case, to read inside a sentence ("personal injury")',
    fallback: 'legal',
  },
  source: {
    label: 'Source',
    description: 'The lead\'s source tag ("Google Ads – PI")',
    fallback: 'not known',
  },
  sourceLine: {
    label: 'Source line',
    description:
      'What the caller called about, from the source ("I understand you called about your accident")',
    fallback: 'I understand you called us about a legal matter',
  },
  nextOpening: {
    label: 'Next opening',
    description: 'When the office next opens ("tomorrow at 9:00 AM")',
    fallback: 'on our next business day',
  },
  consultationTime: {
    label: 'Consultation time',
    description: 'The booked consultation ("Tuesday, March 3 at 2:30 PM")',
    fallback: 'at a time that suits you',
  },
  slaPromise: {
    label: 'Callback promise (now)',
    description:
      'From the SLA settings, for now: "within 15 minutes" or "first thing tomorrow morning"',
    fallback: 'as soon as we can',
  },
  slaPromiseInHours: {
    label: 'Callback promise, in hours',
    description: 'From the SLA settings ("within 15 minutes"), for the in-hours greeting',
    fallback: 'as soon as we can',
  },
  slaPromiseAfterHours: {
    label: 'Callback promise, after hours',
    description: 'From the SLA settings ("first thing the next business morning")',
    fallback: 'as soon as we open',
  },
  alternativeContact: {
    label: 'Alternative contact',
    description: 'Completes "you can also …" (set under Scripts & templates)',
    fallback: 'send us a text message at this number',
  },
  officeHours: {
    label: 'Office hours',
    description: 'From the weekly hours ("Monday to Friday, 9:00 AM to 5:00 PM")',
    fallback: 'during business hours',
  },
} as const satisfies Record<string, TemplateVariable>;

export type TemplateVariableName = keyof typeof TEMPLATE_VARIABLES;
export const TEMPLATE_VARIABLE_NAMES = Object.keys(TEMPLATE_VARIABLES) as TemplateVariableName[];

/** Known values; a missing or blank one renders as its fallback. */
export type TemplateVars = Partial<Record<TemplateVariableName, string>>;

function isVariable(name: string): name is TemplateVariableName {
  return Object.hasOwn(TEMPLATE_VARIABLES, name);
}

// ---------------------------------------------------------------------------------------
// Rendering and checking

type Token = [string, string, number, number, Token[]?, number?];

function present(vars: TemplateVars, name: string): string | undefined {
  if (!isVariable(name)) return undefined;
  const value = vars[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function renderTokens(tokens: Token[], vars: TemplateVars): string {
  let out = '';
  for (const token of tokens) {
    const [type, value] = token;
    if (type === 'text') out += value;
    else if (type === 'name' || type === '&') {
      // A value is written as it is: never parsed again, never HTML-escaped (text only).
      const known = present(vars, value);
      if (known !== undefined) out += known;
      else if (isVariable(value)) {
        // A fallback that starts a line ("the intake team" under "Kind regards,") starts
        // with a capital.
        const fallback = TEMPLATE_VARIABLES[value].fallback;
        out += /^[ \t]*$/.test(out.slice(out.lastIndexOf('\n') + 1))
          ? fallback.charAt(0).toUpperCase() + fallback.slice(1)
          : fallback;
      }
    } else if (type === '#') {
      if (present(vars, value) !== undefined) out += renderTokens(token[4] ?? [], vars);
    } else if (type === '^') {
      if (present(vars, value) === undefined) out += renderTokens(token[4] ?? [], vars);
    }
    // '!' comments, '=' delimiter changes and '>' partials render nothing.
  }
  return out;
}

/** Gaps left by a section that rendered nothing: "about your  case", blank-line runs. */
function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/(\S)[ \t]{2,}/g, '$1 ')
        // Only from the start of a run of blanks: scanning from inside one is quadratic.
        .replace(/(?<![ \t])[ \t]+([,.;:!?])/g, '$1')
        .trimEnd(),
    )
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// Mustache keeps every text it parses, for good: in the Options editor that is every draft
// typed (a 5,000-character script edited for a while is megabytes). Parsing is cheap.
Mustache.templateCache = undefined;

function parse(text: string): Token[] {
  return Mustache.parse(text) as unknown as Token[];
}

/**
 * Render a template as plain text. Logic-less (mustache syntax): `{{name}}` is the value or
 * its fallback, `{{#name}}…{{/name}}` shows when the value is known, `{{^name}}…{{/name}}`
 * when it is not. Nothing is HTML-escaped — the result is only ever shown as React text or
 * sent as an SMS / email text / CRM note — and a value is never rendered again, so a caller
 * named `{{firmName}}` or `<img src=x>` stays exactly that. A template that does not parse
 * renders as its own text (the editor refuses to save one).
 */
export function renderTemplate(text: string, vars: TemplateVars): string {
  let tokens: Token[];
  try {
    tokens = parse(text);
  } catch {
    // Never a "{{…}}" in front of a caller: the tags go, the words stay.
    return tidy(text.replace(/\{\{\{?[^{}]*\}?\}\}/g, '').replace(/\{\{|\}\}/g, ''));
  }
  return tidy(renderTokens(tokens, vars));
}

function parses(text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

function lineOf(text: string, index: number): number {
  return text.slice(0, Math.max(0, index)).split('\n').length;
}

/** Mustache's parse errors in plain words, with the line they are on. */
function parseErrorInWords(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const at = /at (\d+)\s*$/.exec(message);
  const line = at ? ` (line ${lineOf(text, Number(at[1]))})` : '';
  let match: RegExpExecArray | null;
  if (/^Unclosed tag/.test(message)) return `A "{{" is never closed with "}}"${line}.`;
  if ((match = /^Unclosed section "([^"]*)"/.exec(message))) {
    return `The section {{#${match[1]}}} is never closed with {{/${match[1]}}}${line}.`;
  }
  if ((match = /^Unopened section "([^"]*)"/.exec(message))) {
    return `{{/${match[1]}}} closes a section that was never opened${line}.`;
  }
  if (/^Invalid tags/.test(message)) return `The delimiter change is not valid${line}.`;
  return `The template could not be read${line}: ${message}.`;
}

/**
 * What is wrong with a template, in plain words: unknown variables and sections, tags that
 * do not balance, partials. An empty list means it can be saved.
 */
export function checkTemplate(text: string): { errors: string[] } {
  // An empty text sends nothing: the automatic text would fail at every missed call.
  if (text.trim() === '')
    return { errors: ['The template is empty. Write it, or use Reset to default.'] };
  let tokens: Token[];
  try {
    tokens = parse(text);
  } catch (error) {
    // Still name the unknown variables: the firm fixes everything in one go.
    const unknown = [...text.matchAll(/\{\{\s*([#^&{]?)\s*([\w.-]+)\s*\}?\}\}/g)]
      .filter((m) => !isVariable(m[2]!))
      .map(
        (m) =>
          `Unknown ${m[1] === '#' || m[1] === '^' ? 'section' : 'variable'} {{${m[1]}${m[2]}}} (line ${lineOf(text, m.index)}).`,
      );
    return { errors: [parseErrorInWords(text, error), ...new Set(unknown)] };
  }
  const errors: string[] = [];
  const seen = new Set<string>();
  const add = (message: string) => {
    if (!seen.has(message)) {
      seen.add(message);
      errors.push(message);
    }
  };
  const walk = (list: Token[]) => {
    for (const token of list) {
      const [type, name, start] = token;
      const where = ` (line ${lineOf(text, start)})`;
      if (type === 'name' || type === '&') {
        if (name === '') add(`An empty {{}} names no variable${where}.`);
        else if (!isVariable(name)) add(`Unknown variable {{${name}}}${where}.`);
      } else if (type === '#' || type === '^') {
        if (!isVariable(name)) add(`Unknown section {{${type}${name}}}${where}.`);
        walk(token[4] ?? []);
      } else if (type === '>') {
        add(`{{>${name}}} (a partial) is not supported${where}.`);
      } else if (type === '=') {
        add(`Changing the {{ }} delimiters is not supported${where}.`);
      }
    }
  };
  walk(tokens);
  return { errors };
}

// ---------------------------------------------------------------------------------------
// Values from a lead and the firm's settings

const DAY = 86_400_000;
const MINUTE = 60_000;

function dayNumber(ms: number, timeZone: string): number {
  const d = new TZDate(ms, timeZone);
  return Math.round(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / DAY);
}

function clockTime(ms: number, timeZone: string, withPeriod: boolean): string {
  const d = new TZDate(ms, timeZone);
  const h = d.getHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  const text = `${hour12}:${String(d.getMinutes()).padStart(2, '0')}`;
  return withPeriod ? `${text} ${h < 12 ? 'AM' : 'PM'}` : text;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "on March 3" / "on March 3, 2025" (another year). */
function calendarDate(ms: number, now: number, timeZone: string): string {
  const d = new TZDate(ms, timeZone);
  const year = d.getFullYear() !== new TZDate(now, timeZone).getFullYear();
  return `${MONTHS[d.getMonth()]} ${d.getDate()}${year ? `, ${d.getFullYear()}` : ''}`;
}

/**
 * When someone called, as the firm would say it, in the firm's time zone, relative to now:
 * "this morning at 9:14", "this afternoon at 4:02", "last night at 11:10", "yesterday
 * afternoon at 4:02", "on Monday at 10:30 AM", "on March 3 at 10:30 AM".
 */
export function describeTimeCalled(calledAt: number, now: number, timeZone: string): string {
  const days = dayNumber(now, timeZone) - dayNumber(calledAt, timeZone);
  const hour = new TZDate(calledAt, timeZone).getHours();
  const time = clockTime(calledAt, timeZone, false);
  if (days <= 0) {
    if (hour < 5) return `early this morning at ${time}`;
    if (hour < 12) return `this morning at ${time}`;
    if (hour < 17) return `this afternoon at ${time}`;
    if (hour < 21) return `this evening at ${time}`;
    return `tonight at ${time}`;
  }
  if (days === 1) {
    if (hour < 5) return `early yesterday morning at ${time}`;
    if (hour < 12) return `yesterday morning at ${time}`;
    if (hour < 17) return `yesterday afternoon at ${time}`;
    if (hour < 21) return `yesterday evening at ${time}`;
    return `last night at ${time}`;
  }
  const withPeriod = clockTime(calledAt, timeZone, true);
  if (days < 7) return `on ${WEEKDAYS[new TZDate(calledAt, timeZone).getDay()]} at ${withPeriod}`;
  return `on ${calendarDate(calledAt, now, timeZone)} at ${withPeriod}`;
}

/** A future time in words: "today at 1:00 PM", "tomorrow at 9:00 AM", "on Monday at 9:00 AM". */
export function describeUpcoming(at: number, now: number, timeZone: string): string {
  const days = dayNumber(at, timeZone) - dayNumber(now, timeZone);
  const time = clockTime(at, timeZone, true);
  if (days <= 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  if (days < 7) return `on ${WEEKDAYS[new TZDate(at, timeZone).getDay()]} at ${time}`;
  return `on ${calendarDate(at, now, timeZone)} at ${time}`;
}

/** "Tuesday, March 3 at 2:30 PM" (with the year when it is not this year's). */
export function describeConsultation(at: number, now: number, timeZone: string): string {
  const weekday = WEEKDAYS[new TZDate(at, timeZone).getDay()];
  return `${weekday}, ${calendarDate(at, now, timeZone)} at ${clockTime(at, timeZone, true)}`;
}

const DIGIT_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
];

/**
 * A phone number written out to be read aloud slowly, in the groups people say it in:
 * "(555) 123-4567" → "five five five, one two three, four five six seven".
 */
export function spokenNumber(phone: string, defaultCountry = 'US'): string | undefined {
  const normalized = normalizePhone(phone, defaultCountry as CountryCode);
  if (!normalized.e164) return undefined;
  const parsed = parsePhoneNumberFromString(normalized.e164);
  if (!parsed) return undefined;
  const national =
    parsed.country === defaultCountry ||
    (!parsed.country && parsed.countryCallingCode === safeCallingCode(defaultCountry));
  const shown = national ? parsed.formatNational() : parsed.formatInternational();
  const groups = shown
    .replace(/\s*ext\..*$/, '')
    .split(/[^\d+]+/)
    .filter((group) => /\d/.test(group))
    .map((group) =>
      [...group].map((ch) => (ch === '+' ? 'plus' : DIGIT_WORDS[Number(ch)])).join(' '),
    );
  const extension = normalized.extension
    ? `, extension ${[...normalized.extension].map((d) => DIGIT_WORDS[Number(d)] ?? d).join(' ')}`
    : '';
  return groups.join(', ') + extension;
}

function safeCallingCode(country: string): string | undefined {
  try {
    return getCountryCallingCode(country as CountryCode);
  } catch {
    return undefined;
  }
}

/** "5 minutes", "an hour", "2 hours", "90 minutes". */
function minutesInWords(minutes: number): string {
  if (minutes === 60) return 'an hour';
  if (minutes > 60 && minutes % 60 === 0) return `${minutes / 60} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The in-hours promise: the SLA limit (when a callback becomes overdue) is what we promise. */
export function inHoursPromise(settings: Pick<FirmSettings, 'sla'>): string {
  return `within ${minutesInWords(Math.max(settings.sla.limitMinutes, settings.sla.targetMinutes))}`;
}

function partOfDay(hour: number): string {
  return hour < 12 ? 'morning' : hour < 17 ? 'afternoon' : 'evening';
}

/** The earliest opening hour across the week (for "first thing … morning"). */
function earliestOpeningHour(settings: Pick<FirmSettings, 'weeklyHours'>): number | undefined {
  const opens = settings.weeklyHours.flat().map((i) => Number(i.open.slice(0, 2)));
  return opens.length ? Math.min(...opens) : undefined;
}

/**
 * The after-hours promise for a recorded greeting, which plays on any evening or weekend:
 * "first thing the next business morning" within an hour of opening, else "within 2 hours
 * of opening on the next business day".
 */
export function afterHoursPromise(settings: Pick<FirmSettings, 'sla' | 'weeklyHours'>): string {
  const minutes = settings.sla.afterHoursMinutes;
  const hour = earliestOpeningHour(settings);
  if (minutes <= 60) {
    return hour === undefined
      ? 'first thing when we reopen'
      : `first thing the next business ${partOfDay(hour)}`;
  }
  return `within ${minutesInWords(minutes)} of opening on the next business day`;
}

/** The promise as it stands now: in hours the window; after hours when we open. */
export function currentPromise(settings: FirmSettings, now: number): string {
  if (isOpenAt(settings, now)) return inHoursPromise(settings);
  const opening = nextOpening(settings, now);
  if (opening === null) return afterHoursPromise(settings);
  const { timeZone } = settings;
  const minutes = settings.sla.afterHoursMinutes;
  const days = dayNumber(opening, timeZone) - dayNumber(now, timeZone);
  if (minutes <= 60) {
    // "first thing tomorrow morning", "first thing Monday morning", "first thing this morning".
    const part = partOfDay(new TZDate(opening, timeZone).getHours());
    if (days <= 0) return `first thing this ${part}`;
    if (days === 1) return `first thing tomorrow ${part}`;
    if (days < 7) return `first thing ${WEEKDAYS[new TZDate(opening, timeZone).getDay()]} ${part}`;
    return `first thing on ${calendarDate(opening, now, timeZone)}`;
  }
  // "by 11:00 AM tomorrow", "by 11:00 AM Monday".
  const due = opening + minutes * MINUTE;
  const dueDays = dayNumber(due, timeZone) - dayNumber(now, timeZone);
  const time = clockTime(due, timeZone, true);
  if (dueDays <= 0) return `by ${time} today`;
  if (dueDays === 1) return `by ${time} tomorrow`;
  if (dueDays < 7) return `by ${time} ${WEEKDAYS[new TZDate(due, timeZone).getDay()]}`;
  return `by ${time} on ${calendarDate(due, now, timeZone)}`;
}

/**
 * The next time the office opens: the start of the next opening after the current one when
 * it is open now ("tomorrow at 9:00 AM"), the next opening otherwise.
 */
export function nextOpeningAfter(settings: FirmSettings, now: number): number | null {
  let from = now;
  if (isOpenAt(settings, from)) {
    // Walk to the end of the current opening: quarter hours, then minutes.
    const limit = now + 2 * DAY;
    while (from < limit && isOpenAt(settings, from + 15 * MINUTE)) from += 15 * MINUTE;
    while (from < limit && isOpenAt(settings, from + MINUTE)) from += MINUTE;
    from += MINUTE;
  }
  return nextOpening(settings, from);
}

function hhmmWords(hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  return `${hour12}:${String(m).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
}

/** "Monday to Friday, 9:00 AM to 5:00 PM" (runs of days with the same hours). */
export function officeHoursInWords(
  settings: Pick<FirmSettings, 'weeklyHours'>,
): string | undefined {
  const order = [1, 2, 3, 4, 5, 6, 0];
  const key = (day: number) =>
    (settings.weeklyHours[day] ?? [])
      .map((i) => `${hhmmWords(i.open)} to ${hhmmWords(i.close)}`)
      .join(' and ');
  const parts: string[] = [];
  let i = 0;
  while (i < order.length) {
    const hours = key(order[i]!);
    let j = i;
    while (j + 1 < order.length && key(order[j + 1]!) === hours) j++;
    if (hours) {
      const days =
        i === j
          ? WEEKDAYS[order[i]!]
          : j === i + 1
            ? `${WEEKDAYS[order[i]!]} and ${WEEKDAYS[order[j]!]}`
            : `${WEEKDAYS[order[i]!]} to ${WEEKDAYS[order[j]!]}`;
      parts.push(`${days}, ${hours}`);
    }
    i = j + 1;
  }
  return parts.length ? parts.join('; ') : undefined;
}

/** Caller-ID "names" that are no name at all. */
const NOT_A_NAME =
  /^(wireless caller|cell phone( [a-z]{2})?|mobile( caller)?|unknown( caller| name)?|unavailable|name unavailable|private( caller| number)?|anonymous|restricted|blocked|no caller id|toll free( call)?|v|[+\d\s().-]+)$/i;

/** "MARIA LOPEZ" → "Maria Lopez"; mixed case is kept as the firm wrote it. */
function tidyName(name: string): string {
  const trimmed = name.replace(/\s+/g, ' ').trim();
  if (trimmed === '' || NOT_A_NAME.test(trimmed)) return '';
  if (trimmed === trimmed.toUpperCase() && /[A-Z]/.test(trimmed)) {
    return trimmed
      .toLowerCase()
      .replace(/(^|[\s'-])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
  }
  return trimmed;
}

const HONORIFIC = /^(mr|mrs|ms|miss|mx|dr|prof|rev|sir|madam)\.?$/i;

function firstNameOf(name: string): string {
  if (name === '') return '';
  // "Lopez, Maria" (CRM order) → "Maria".
  const comma = name.indexOf(',');
  const given = comma > 0 ? name.slice(comma + 1).trim() : name;
  // "Dr. Maria Lopez" → "Maria": a title is not a first name.
  const words = given.split(' ').filter((w) => !HONORIFIC.test(w));
  return words[0] ?? '';
}

/** Practice areas read inside a sentence: "Personal injury" → "personal injury", "DUI" stays. */
function areaInSentence(area: string | undefined): string | undefined {
  if (!area) return undefined;
  return area
    .trim()
    .split(/\s+/)
    .map((word) => (word.length > 1 && word === word.toUpperCase() ? word : word.toLowerCase()))
    .join(' ');
}

export interface TemplateVarsInput {
  lead: Lead;
  settings: FirmSettings;
  staffName?: string;
  now: number;
  /** The firm number to give the caller (the firm line, or the line they dialled). */
  firmLine?: string;
  consultationAt?: number;
  /** Completes "you can also …" in greetings and texts. */
  alternativeContact?: string;
  /** The firm's own line for this lead's source (Options › Scripts & templates). */
  sourceLine?: string;
}

/** The practice area a lead's script follows: its own, else its source rule's. */
export function practiceAreaOf(
  lead: Pick<Lead, 'practiceArea' | 'source'>,
  settings: FirmSettings,
): string | undefined {
  if (lead.practiceArea) return lead.practiceArea;
  if (!lead.source) return undefined;
  return settings.sourceRules.find((rule) => rule.source === lead.source && rule.practiceArea)
    ?.practiceArea;
}

/** Every variable's value for a lead (missing ones left out: they render as fallbacks). */
export function buildTemplateVars(input: TemplateVarsInput): TemplateVars {
  const { lead, settings, now } = input;
  const vars: TemplateVars = {};
  // Plain text has no <bdi>: a right-to-left override in a caller-ID name would reverse the
  // rest of the line in an SMS, an email or a note, so values lose their bidi controls.
  const set = (name: TemplateVariableName, value: string | undefined) => {
    const clean = value === undefined ? '' : stripBidiControls(value);
    if (clean.trim() !== '') vars[name] = clean;
  };
  const name = tidyName(lead.name ?? '');
  set('callerName', name);
  set('firstName', firstNameOf(name));
  set('firmName', settings.firmName);
  set('staffName', input.staffName ?? staffNameOf(settings.staff, settings.currentStaffId));
  set('timeCalled', describeTimeCalled(lead.lastMissedAt, now, settings.timeZone));
  if (input.firmLine) {
    const line = normalizePhone(input.firmLine, settings.defaultCountry as CountryCode);
    if (line.e164) {
      set('callbackNumber', line.display);
      set('callbackNumberSpoken', spokenNumber(input.firmLine, settings.defaultCountry));
    }
  }
  set(
    'callerNumber',
    lead.phone
      ? formatPhone(lead.phone, settings.defaultCountry as CountryCode) +
          (lead.extension ? ` ext. ${lead.extension}` : '')
      : undefined,
  );
  const area = practiceAreaOf(lead, settings);
  set('practiceArea', areaInSentence(area));
  set('source', lead.source);
  // The scripts add the full stop: "I understand you called about your accident. Is now…"
  set(
    'sourceLine',
    (input.sourceLine?.trim() || defaultSourceLine(lead.source, area))?.replace(/[\s.!]+$/, ''),
  );
  const opening = nextOpeningAfter(settings, now);
  if (opening !== null) set('nextOpening', describeUpcoming(opening, now, settings.timeZone));
  if (input.consultationAt !== undefined) {
    set('consultationTime', describeConsultation(input.consultationAt, now, settings.timeZone));
  }
  set('slaPromise', currentPromise(settings, now));
  set('slaPromiseInHours', inHoursPromise(settings));
  set('slaPromiseAfterHours', afterHoursPromise(settings));
  set('alternativeContact', input.alternativeContact);
  set('officeHours', officeHoursInWords(settings));
  return vars;
}

// ---------------------------------------------------------------------------------------
// The firm's edits

const StoredTemplates = z.object({
  /** Edited texts by template id; an id not here renders its default. */
  templates: z.record(z.string(), z.string().max(20_000)),
  /** The firm's own "I understand you called about …" line per source tag. */
  sourceLines: z.record(z.string(), z.string().max(500)),
  /** The number to give callers; blank: the line they dialled. */
  callbackNumber: z.string().max(64),
  /** Completes "you can also …" in greetings. */
  alternativeContact: z.string().max(300),
});
export type StoredTemplates = z.infer<typeof StoredTemplates>;

export const EMPTY_STORED_TEMPLATES: StoredTemplates = {
  templates: {},
  sourceLines: {},
  callbackNumber: '',
  alternativeContact: '',
};

export const templatesItem = storage.defineItem<StoredTemplates>('local:templates', {
  fallback: EMPTY_STORED_TEMPLATES,
  version: 1,
});

/** A stored value read field by field: a corrupt field (or entry) falls back to the default. */
export function parseStoredTemplates(value: unknown): StoredTemplates {
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const texts = (record: unknown, max: number, keep: (key: string) => boolean) => {
    const out: Record<string, string> = {};
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return out;
    for (const [key, text] of Object.entries(record)) {
      if (keep(key) && typeof text === 'string' && text.length <= max) out[key] = text;
    }
    return out;
  };
  const str = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max ? v : '');
  return StoredTemplates.parse({
    templates: texts(raw.templates, 20_000, isTemplateId),
    sourceLines: texts(raw.sourceLines, 500, (key) => key.trim() !== ''),
    callbackNumber: str(raw.callbackNumber, 64),
    alternativeContact: str(raw.alternativeContact, 300),
  });
}

export async function getStoredTemplates(): Promise<StoredTemplates> {
  return parseStoredTemplates(await templatesItem.getValue());
}

/**
 * The built-in call script a firm's own area follows until it gets its own: "dui" → the
 * criminal defense script, "estate-planning" → the general one. Null for other templates.
 */
export function followedScript(id: TemplateId): CallScriptId | null {
  if (!isCallScriptId(id) || (FIXED_TEMPLATE_IDS as readonly string[]).includes(id)) return null;
  return callScriptId(builtInAreaFor(id.slice('callScript.'.length).replace(/-/g, ' ')));
}

/** The default text of a template (a firm's own area starts as its built-in script's). */
export function defaultTemplate(id: TemplateId): string {
  const followed = followedScript(id);
  return (
    (DEFAULT_TEMPLATES as Record<string, string>)[followed ?? id] ??
    DEFAULT_TEMPLATES['callScript.general']
  );
}

export interface TemplateEntry {
  id: TemplateId;
  text: string;
  /** The firm changed it (Reset to default puts the default back). */
  edited: boolean;
}

/** Every fixed template plus the firm's own area scripts, with the text in use. */
export async function getTemplates(): Promise<
  Record<FixedTemplateId, TemplateEntry> & Partial<Record<CallScriptId, TemplateEntry>>
> {
  const stored = await getStoredTemplates();
  const out = {} as Record<FixedTemplateId, TemplateEntry> &
    Partial<Record<CallScriptId, TemplateEntry>>;
  const ids: TemplateId[] = [
    ...FIXED_TEMPLATE_IDS,
    ...(Object.keys(stored.templates).filter(isTemplateId) as TemplateId[]),
  ];
  for (const id of ids) {
    const edited = stored.templates[id];
    out[id] = { id, text: templateText(stored, id), edited: edited !== undefined };
  }
  return out;
}

/** The text in use for one template. */
export function templateText(stored: StoredTemplates, id: TemplateId): string {
  const own = stored.templates[id];
  if (own !== undefined) return own;
  // A firm's own area without a script of its own follows its built-in script, edits included.
  const followed = followedScript(id);
  return followed ? templateText(stored, followed) : defaultTemplate(id);
}

/**
 * The text a caller's message is rendered from: the one in use, or — when a stored text no
 * longer parses (storage edited around the editor, an older version's text) — the default,
 * so no "{{" ever reaches an SMS, an email or a script. The editor still shows the firm's
 * text with its errors (templateText).
 */
export function renderableText(stored: StoredTemplates, id: TemplateId): string {
  const text = templateText(stored, id);
  return parses(text) ? text : defaultTemplate(id);
}

/** Thrown by saveTemplate: the messages are the editor's (checkTemplate) plain words. */
export class TemplateError extends Error {
  readonly errors: string[];
  constructor(errors: string[]) {
    super(errors.join(' '));
    this.errors = errors;
    this.name = 'TemplateError';
  }
}

/**
 * checkTemplate, plus what the template's use demands: a text (`sms.*`) must fit in one text
 * as it reads for a caller with nothing known — longer, the outbox refuses it, and every
 * automatic text would fail.
 */
export function checkTemplateFor(id: TemplateId, text: string): { errors: string[] } {
  const { errors } = checkTemplate(text);
  if (errors.length || !id.startsWith('sms.')) return { errors };
  const length = renderTemplate(text, {}).length;
  if (length > MAX_TEXT_LENGTH)
    return {
      errors: [
        `A text can be at most ${MAX_TEXT_LENGTH.toLocaleString('en-US')} characters; this one comes to ${length.toLocaleString('en-US')}. Shorten it.`,
      ],
    };
  return { errors };
}

/** Save a firm edit. Refuses a template with errors (unknown variables, unbalanced tags). */
export async function saveTemplate(id: TemplateId, text: string): Promise<void> {
  if (!isTemplateId(id)) throw new TemplateError([`There is no template called "${id}".`]);
  const { errors } = checkTemplateFor(id, text);
  if (errors.length) throw new TemplateError(errors);
  if (text.length > 20_000)
    throw new TemplateError(['A template can be at most 20,000 characters.']);
  const stored = await getStoredTemplates();
  const templates = { ...stored.templates };
  // Saving the default text unchanged is the same as not having edited it.
  if (text === defaultTemplate(id) && id in DEFAULT_TEMPLATES) delete templates[id];
  else templates[id] = text;
  await templatesItem.setValue({ ...stored, templates });
}

/** Put the default text back (a firm's own area script is removed: it uses the general one). */
export async function resetTemplate(id: TemplateId): Promise<void> {
  const stored = await getStoredTemplates();
  const templates = { ...stored.templates };
  delete templates[id];
  await templatesItem.setValue({ ...stored, templates });
}

/** Save the firm-wide script details (callback number, alternative contact, source lines). */
export async function saveScriptDetails(
  details: Partial<Omit<StoredTemplates, 'templates'>>,
): Promise<StoredTemplates> {
  const stored = await getStoredTemplates();
  const next = parseStoredTemplates({ ...stored, ...details });
  await templatesItem.setValue(next);
  return next;
}

/**
 * The call script a lead gets: the firm's own script for its practice area when it wrote
 * one (by the area's slug, so "DUI" can have its own), else the built-in one for the area
 * (DUI → criminal defense), else the general script.
 */
export function callScriptIdFor(
  lead: Pick<Lead, 'practiceArea' | 'source'>,
  settings: FirmSettings,
  stored: StoredTemplates,
): CallScriptId {
  const area = practiceAreaOf(lead, settings);
  if (area) {
    const own = callScriptId(areaSlug(area));
    if (stored.templates[own] !== undefined) return own;
  }
  return callScriptId(builtInAreaFor(area));
}

export interface RenderContext {
  stored: StoredTemplates;
  settings: FirmSettings;
  /** The line the caller last dialled (their missed call's firm line). */
  dialedLine?: string;
}

/** The number to give a caller: the one asked for, the firm's callback number, the line they dialled. */
function callbackLine(ctx: RenderContext, asked?: string): string | undefined {
  const candidates = [asked, ctx.stored.callbackNumber, ctx.dialedLine];
  return candidates.find(
    (c) => c && normalizePhone(c, ctx.settings.defaultCountry as CountryCode).e164 !== null,
  );
}

/**
 * The firm's own opening line for a source tag. Own entries only: a tag such as
 * "constructor" (a CSV column, a rule) must not find what every object has.
 */
export function sourceLineOf(
  stored: Pick<StoredTemplates, 'sourceLines'>,
  source: string | undefined,
): string | undefined {
  if (!source || !Object.hasOwn(stored.sourceLines, source)) return undefined;
  const line = stored.sourceLines[source];
  return typeof line === 'string' ? line : undefined;
}

export interface RenderExtra {
  staffName?: string;
  consultationAt?: number;
  firmLine?: string;
  now?: number;
}

/** The variables for a lead, with the firm's stored details (synchronous, for the UI). */
export function varsForLead(lead: Lead, ctx: RenderContext, extra: RenderExtra = {}): TemplateVars {
  return buildTemplateVars({
    lead,
    settings: ctx.settings,
    now: extra.now ?? Date.now(),
    staffName: extra.staffName,
    consultationAt: extra.consultationAt,
    firmLine: callbackLine(ctx, extra.firmLine),
    alternativeContact: ctx.stored.alternativeContact,
    sourceLine: sourceLineOf(ctx.stored, lead.source),
  });
}

/** Render one template for a lead with an already-loaded context (no storage reads). */
export function renderWith(
  id: TemplateId,
  lead: Lead,
  ctx: RenderContext,
  extra: RenderExtra = {},
): { subject?: string; body: string } {
  const vars = varsForLead(lead, ctx, extra);
  const body = renderTemplate(renderableText(ctx.stored, id), vars);
  const subjectId = (EMAIL_SUBJECTS as Record<string, TemplateId | undefined>)[id];
  if (!subjectId) return { body };
  // A subject is one line.
  const subject = renderTemplate(renderableText(ctx.stored, subjectId), vars).replace(/\s+/g, ' ');
  return { subject, body };
}

/** Load what rendering needs: the firm's edits, settings and the line the lead last dialled. */
export async function loadRenderContext(lead: Pick<Lead, 'id'>): Promise<RenderContext> {
  const [stored, settings, calls] = await Promise.all([
    getStoredTemplates(),
    getSettings(),
    db.calls.where('leadId').equals(lead.id).toArray(),
  ]);
  const dialedLine = calls
    .filter((call) => call.dialedLine)
    .sort((a, b) => b.startedAt - a.startedAt)[0]?.dialedLine;
  return { stored, settings, dialedLine };
}

/**
 * Render a template for a lead, as text: the SMS, auto-text and email helpers' entry point.
 * Emails (`email.confirmation`, `email.cadence`) come with their subject.
 */
export async function renderForLead(
  id: TemplateId,
  lead: Lead,
  extra: RenderExtra = {},
): Promise<{ subject?: string; body: string }> {
  return renderWith(id, lead, await loadRenderContext(lead), extra);
}
