import { z } from 'zod';
import { storage } from '#imports';
import { AttemptMethod } from './model';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time as HH:mm');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date as YYYY-MM-DD');

export const OpeningInterval = z
  .object({ open: hhmm, close: hhmm })
  .refine((i) => i.open < i.close, 'opening must be before closing');
export type OpeningInterval = z.infer<typeof OpeningInterval>;

/** One day's openings; overlapping intervals would count the same minutes twice. */
export const DayHours = z.array(OpeningInterval).refine((intervals) => {
  const sorted = [...intervals].sort((a, b) => a.open.localeCompare(b.open));
  return sorted.every((interval, i) => i === 0 || sorted[i - 1]!.close <= interval.open);
}, 'opening hours overlap');

/** Index 0 = Sunday … 6 = Saturday (Date#getDay order). */
export const WeeklyHours = z.array(DayHours).length(7);
export type WeeklyHours = z.infer<typeof WeeklyHours>;

export const SlaWindows = z.object({
  /** Business hours: call back within this many minutes (target). */
  targetMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** Business hours: overdue after this many minutes (limit). */
  limitMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** After hours: due within this many minutes of the next opening. */
  afterHoursMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
});
export type SlaWindows = z.infer<typeof SlaWindows>;

/** The limit is when a callback becomes overdue, so it cannot come before the target. */
function limitNotBeforeTarget(w: Partial<SlaWindows>): boolean {
  return (
    w.limitMinutes === undefined ||
    w.targetMinutes === undefined ||
    w.limitMinutes >= w.targetMinutes
  );
}
const LIMIT_BEFORE_TARGET = {
  message: 'limit must be at least the target',
  path: ['limitMinutes'],
};

/**
 * One step of the follow-up cadence: how staff reach the caller and when. The first step's
 * time is the callback windows' (target and limit of the missed call); a later step counts
 * its delay from the previous attempt (in business minutes: the clock stops at closing) or
 * from the first missed call (clock time; a time after hours moves to the next opening).
 */
export const CadenceStep = z.object({
  methods: z
    .array(AttemptMethod)
    .min(1, 'choose at least one method')
    .max(4)
    .refine((m) => new Set(m).size === m.length, 'a method is listed twice'),
  from: z.enum(['previous-attempt', 'first-call']),
  delayMinutes: z
    .number()
    .int('whole minutes')
    .min(0, 'cannot be negative')
    .max(7 * 24 * 60, 'at most 7 days (10080 minutes)'),
});
export type CadenceStep = z.infer<typeof CadenceStep>;

/** Later steps timed from the first missed call must come in order. */
function firstCallDelaysInOrder(steps: readonly CadenceStep[], ctx: z.RefinementCtx): void {
  let previous: { index: number; delay: number } | undefined;
  steps.forEach((step, index) => {
    if (index === 0 || step.from !== 'first-call') return;
    if (previous && step.delayMinutes <= previous.delay) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps', index, 'delayMinutes'],
        message: `must be later than step ${previous.index + 1} (${previous.delay} minutes after the first missed call)`,
      });
    }
    previous = { index, delay: step.delayMinutes };
  });
}

export const Cadence = z
  .object({
    steps: z
      .array(CadenceStep)
      .min(1, 'the cadence needs at least one step')
      .max(6, 'at most 6 steps'),
  })
  .superRefine((c, ctx) => firstCallDelaysInOrder(c.steps, ctx));
export type Cadence = z.infer<typeof Cadence>;

/** 1 call now; 2 call + voicemail + text about an hour later; 3 email within 24 h. */
export const DEFAULT_CADENCE: Cadence = {
  steps: [
    { methods: ['call'], from: 'first-call', delayMinutes: 0 },
    { methods: ['call', 'voicemail', 'text'], from: 'previous-attempt', delayMinutes: 60 },
    { methods: ['email'], from: 'first-call', delayMinutes: 24 * 60 },
  ],
};

export const SourceRule = z.object({
  id: z.string().min(1),
  /** The dialled line / tracking number (any format; normalised when matched). */
  line: z.string().trim().min(1),
  source: z.string().trim().min(1).max(80),
  practiceArea: z.string().trim().max(80).optional(),
  priority: z.boolean().default(false),
  /** Tighter windows for priority (paid) sources. */
  sla: SlaWindows.partial().refine(limitNotBeforeTarget, LIMIT_BEFORE_TARGET).optional(),
  /** The source's own follow-up cadence; absent: the firm's. */
  cadence: Cadence.optional(),
  /** Calls on this line go to this staff member (StaffMember.id), e.g. the purchased-leads specialist. */
  assignTo: z.string().min(1).optional(),
  /** An emergency line: every staff member on shift is notified until someone acts. */
  emergency: z.boolean().optional(),
});
export type SourceRule = z.infer<typeof SourceRule>;

export const STAFF_ROLES = ['intake', 'attorney'] as const;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

export const StaffMember = z.object({
  id: z.string().min(1),
  name: z.string().trim().min(1).max(120),
  email: z.string().trim().max(200).optional(),
  /**
   * Intake staff share new leads in hours (round robin); attorneys get their clients' calls.
   * Absent (staff saved before roles existed): intake.
   */
  role: StaffRole.optional(),
  /** Practice areas this person takes (absent or empty: all). */
  practiceAreas: z.array(z.string().trim().min(1).max(80)).optional(),
  /** When this person is on shift, in the firm's time zone; absent: the firm's opening hours. */
  workingHours: WeeklyHours.optional(),
  /** This person's user in each CRM (HubSpot owner id, Clio user id): contact owners map to them. */
  crmUserIds: z
    .object({
      hubspot: z.string().trim().min(1).max(40).optional(),
      clio: z.string().trim().min(1).max(40).optional(),
    })
    .optional(),
});
export type StaffMember = z.infer<typeof StaffMember>;

/** A one-off change of the on-call rota: `staffId` covers the on-call day starting on `date`. */
export const OnCallSwap = z.object({
  date: isoDate,
  staffId: z.string().min(1),
  note: z.string().trim().max(120).optional(),
});
export type OnCallSwap = z.infer<typeof OnCallSwap>;

/**
 * Who takes calls after hours (evenings, nights, weekends, holidays). The on-call day runs
 * from `handover` to `handover` the next morning, so Monday 02:00 belongs to Sunday's person
 * and Saturday 02:00 to Friday's. `weekly[d]` (0 = Sunday … 6 = Saturday, Date#getDay order)
 * is the staff id on call for the on-call day starting on weekday d; null: nobody.
 * Swaps by date override the pattern (utils/team/onCall.ts).
 */
export const OnCallRotation = z.object({
  handover: hhmm,
  weekly: z.array(z.string().min(1).nullable()).length(7),
  swaps: z.array(OnCallSwap),
});
export type OnCallRotation = z.infer<typeof OnCallRotation>;

export const DEFAULT_ON_CALL: OnCallRotation = {
  handover: '08:00',
  weekly: [null, null, null, null, null, null, null],
  swaps: [],
};

export const EMAIL_COMPOSERS = ['gmail', 'outlook', 'mailto'] as const;
export const EmailCompose = z.enum(EMAIL_COMPOSERS);
export type EmailCompose = z.infer<typeof EmailCompose>;

export const FirmSettings = z.object({
  firmName: z.string().trim().max(120),
  timeZone: z.string().refine(isValidTimeZone, 'unknown time zone'),
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'two-letter country code'),
  weeklyHours: WeeklyHours,
  holidays: z.array(isoDate),
  sla: SlaWindows.refine(limitNotBeforeTarget, LIMIT_BEFORE_TARGET),
  sourceRules: z.array(SourceRule),
  practiceAreas: z.array(z.string().trim().min(1).max(80)),
  sources: z.array(z.string().trim().min(1).max(80)),
  staff: z.array(StaffMember),
  /** Which staff member uses this browser ("mine" filter, attempts' author). */
  currentStaffId: z.string().optional(),
  notifyNewCalls: z.boolean(),
  /** Two calls from the same caller this close together are one call seen twice. */
  dedupeWindowSeconds: z.number().int().min(0).max(3600),
  /**
   * The follow-up cadence after a missed call (source rules may have their own). Absent
   * (settings saved before it existed): DEFAULT_CADENCE; parseSettings fills it in.
   */
  cadence: Cadence.optional(),
  /**
   * Where "Send confirmation email" opens the email: Gmail's or Outlook on the web's compose
   * page, or the computer's mail app (`mailto:`). Absent: `mailto`.
   */
  emailCompose: EmailCompose.optional(),
  /** After-hours on-call rota. Absent (settings saved before it existed): nobody on call. */
  onCall: OnCallRotation.optional(),
  /** In hours, round robin only among intake staff who take the lead's practice area. */
  roundRobinByPracticeArea: z.boolean().optional(),
});
export type FirmSettings = z.infer<typeof FirmSettings>;

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const weekday: OpeningInterval[] = [{ open: '09:00', close: '17:00' }];

export const DEFAULT_SETTINGS: FirmSettings = {
  firmName: 'My Law Firm',
  timeZone: 'America/New_York',
  defaultCountry: 'US',
  weeklyHours: [[], weekday, weekday, weekday, weekday, weekday, []],
  holidays: [],
  sla: { targetMinutes: 5, limitMinutes: 15, afterHoursMinutes: 60 },
  sourceRules: [],
  practiceAreas: [
    'Personal injury',
    'Criminal defense',
    'DUI',
    'Family law',
    'Estate planning',
    'Immigration',
    'Employment',
  ],
  sources: ['Google Ads – PI', 'Website', 'Referral', 'Attorney Leads', 'Yelp', 'Direct'],
  staff: [],
  notifyNewCalls: true,
  dedupeWindowSeconds: 120,
  cadence: DEFAULT_CADENCE,
  onCall: DEFAULT_ON_CALL,
  roundRobinByPracticeArea: false,
};

/**
 * Firm settings. Versioned so a later shape can migrate stored values; parsed with zod on
 * every read so a corrupted value falls back to defaults field by field instead of crashing.
 */
export const firmSettingsItem = storage.defineItem<FirmSettings>('local:firmSettings', {
  fallback: DEFAULT_SETTINGS,
  version: 1,
});

export function parseSettings(value: unknown): FirmSettings {
  const merged = { ...DEFAULT_SETTINGS, ...(typeof value === 'object' && value ? value : {}) };
  const parsed = FirmSettings.safeParse(merged);
  if (parsed.success) return parsed.data;
  // Keep every field that is valid on its own; reset the broken ones.
  const repaired: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof FirmSettings)[]) {
    const field = FirmSettings.shape[key].safeParse((merged as Record<string, unknown>)[key]);
    if (field.success) repaired[key] = field.data;
  }
  // A source rule whose own cadence is broken keeps the rule (with the firm's cadence), so
  // one bad override does not cost the firm all its rules.
  const rules = (merged as Record<string, unknown>).sourceRules;
  if (!FirmSettings.shape.sourceRules.safeParse(rules).success && Array.isArray(rules)) {
    const kept = rules.map((rule: unknown) =>
      typeof rule === 'object' &&
      rule &&
      'cadence' in rule &&
      !Cadence.safeParse(rule.cadence).success
        ? { ...rule, cadence: undefined }
        : rule,
    );
    const field = FirmSettings.shape.sourceRules.safeParse(kept);
    if (field.success) repaired.sourceRules = field.data;
  }
  // One broken staff member (or one bad swap) does not cost the firm its whole team.
  const staff = (merged as Record<string, unknown>).staff;
  if (!FirmSettings.shape.staff.safeParse(staff).success && Array.isArray(staff)) {
    repaired.staff = staff.flatMap((member: unknown) => {
      if (typeof member !== 'object' || !member) return [];
      const kept: Record<string, unknown> = { ...member };
      for (const key of ['email', 'role', 'practiceAreas', 'workingHours', 'crmUserIds'] as const)
        if (!StaffMember.shape[key].safeParse(kept[key]).success) delete kept[key];
      const parsed = StaffMember.safeParse(kept);
      return parsed.success ? [parsed.data] : [];
    });
  }
  const onCall = (merged as Record<string, unknown>).onCall;
  if (!OnCallRotation.safeParse(onCall).success && typeof onCall === 'object' && onCall) {
    const o = onCall as Record<string, unknown>;
    const handover = OnCallRotation.shape.handover.safeParse(o.handover);
    const weekly = OnCallRotation.shape.weekly.safeParse(o.weekly);
    repaired.onCall = {
      handover: handover.success ? handover.data : DEFAULT_ON_CALL.handover,
      weekly: weekly.success ? weekly.data : DEFAULT_ON_CALL.weekly,
      swaps: Array.isArray(o.swaps)
        ? o.swaps.flatMap((swap: unknown) => {
            const parsed = OnCallSwap.safeParse(swap);
            return parsed.success ? [parsed.data] : [];
          })
        : [],
    };
  }
  return FirmSettings.parse(repaired);
}

export async function getSettings(): Promise<FirmSettings> {
  return parseSettings(await firmSettingsItem.getValue());
}

/** Validate and save. Throws a ZodError with readable issues when the input is invalid. */
export async function saveSettings(next: FirmSettings): Promise<FirmSettings> {
  const parsed = FirmSettings.parse(next);
  await firmSettingsItem.setValue(parsed);
  return parsed;
}

/** Per-site dock preferences, owned by the background (content scripts ask for them). */
export const DockPrefs = z.object({
  open: z.boolean(),
  hidden: z.boolean(),
});
export type DockPrefs = z.infer<typeof DockPrefs>;

export const dockPrefsItem = storage.defineItem<Record<string, DockPrefs>>('local:dockPrefs', {
  fallback: {},
  version: 1,
});

/** The lead a notification click asked to show; the sidebar opens on it. */
export const focusLeadItem = storage.defineItem<{
  leadId: string;
  at: number;
  /** The "Log outcome" keyboard command: open the lead's attempt form too. */
  logOutcome?: boolean;
} | null>('local:focusLead', { fallback: null });
