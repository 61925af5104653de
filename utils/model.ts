import { z } from 'zod';
import { fitCallerName } from './callLimits';

/** How a missed call reached us. */
export const CAPTURE_PATHS = ['portal', 'api', 'crm', 'csv', 'manual'] as const;
export const CapturePath = z.enum(CAPTURE_PATHS);
export type CapturePath = z.infer<typeof CapturePath>;

/** Why the call counts as missed. Answered calls only close or inform a lead. */
export const CALL_REASONS = [
  'no-answer',
  'voicemail',
  'after-hours',
  'abandoned',
  'busy',
  'answered',
] as const;
export const CallReason = z.enum(CALL_REASONS);
export type CallReason = z.infer<typeof CallReason>;

export const LEAD_STATUSES = ['open', 'claimed', 'done'] as const;
export const LeadStatus = z.enum(LEAD_STATUSES);
export type LeadStatus = z.infer<typeof LeadStatus>;

export const ATTEMPT_METHODS = ['call', 'voicemail', 'text', 'email'] as const;
export const AttemptMethod = z.enum(ATTEMPT_METHODS);
export type AttemptMethod = z.infer<typeof AttemptMethod>;

export const OUTCOMES = [
  'reached',
  'left-voicemail',
  'no-answer',
  'wrong-number',
  'not-a-fit',
  'consultation-booked',
  'retained',
  'sent',
] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const OUTCOME_LABELS: Record<Outcome, string> = {
  reached: 'Reached',
  'left-voicemail': 'Left voicemail',
  'no-answer': 'No answer',
  'wrong-number': 'Wrong number',
  'not-a-fit': 'Not a fit',
  'consultation-booked': 'Consultation booked',
  retained: 'Retained',
  sent: 'Sent (text/email)',
};

/** Outcomes that end the callback: the lead needs no further attempt. */
export const CLOSING_OUTCOMES: readonly Outcome[] = [
  'reached',
  'wrong-number',
  'not-a-fit',
  'consultation-booked',
  'retained',
];

const isoInstant = z.number().int().nonnegative();

/**
 * A missed call as any capture path reports it, before normalisation. This is the shape
 * content scripts, API pullers, CSV rows and the manual form all produce; it is validated
 * at the edge (messages, CSV rows) with this schema.
 */
export const IncomingCall = z.object({
  /** The caller's number as shown ("(555) 123-4567", "+44 20…", "Anonymous"). */
  from: z.string().trim().max(64),
  /** When the call started, epoch ms. */
  startedAt: isoInstant,
  /** Longer than 120 characters: shortened, ending in "…" (utils/callLimits.ts). */
  callerName: z.string().trim().transform(fitCallerName).optional(),
  /** The firm line / tracking number that was dialled. */
  dialedLine: z.string().trim().max(64).optional(),
  reason: CallReason.default('no-answer'),
  provider: z.string().trim().min(1).max(40),
  /** The provider's own id for the call, when it has one (dedupe across re-reads). */
  providerCallId: z.string().trim().max(200).optional(),
  capturePath: CapturePath,
  /** Source tag chosen by hand (manual entry); otherwise source rules decide. */
  source: z.string().trim().max(80).optional(),
  practiceArea: z.string().trim().max(80).optional(),
  /** Staff member whose line/portal saw the call. */
  agent: z.string().trim().max(120).optional(),
});
export type IncomingCall = z.input<typeof IncomingCall>;
export type ParsedIncomingCall = z.output<typeof IncomingCall>;

/** One link from a lead to a CRM contact. */
export interface LeadCrmLink {
  system: 'hubspot' | 'clio';
  /**
   * The account the contact lives in (HubSpot portal, Clio firm account; see
   * accountKeyOf in utils/crm/model.ts). Absent on links stored before accounts were
   * recorded whose account could not be told at upgrade: such a link is re-matched.
   */
  account?: string;
  contactId: string;
  url?: string;
  name?: string;
}

export interface Lead {
  id: string;
  /** E.164 for callable numbers; `nocallback:<callId>` for anonymous / malformed callers. */
  phoneKey: string;
  /** E.164 or null when there is no callback number. */
  phone: string | null;
  extension?: string;
  /** What the caller ID showed, kept for leads with no callback number. */
  rawNumber: string;
  noCallbackNumber: boolean;
  name?: string;
  source?: string;
  practiceArea?: string;
  priority: boolean;
  status: LeadStatus;
  assignee?: string;
  firstMissedAt: number;
  lastMissedAt: number;
  missedCount: number;
  /** Target time to call back (5 min in hours). */
  dueAt: number;
  /** Hard limit; past it the lead is overdue (15 min in hours). */
  overdueAt: number;
  /** Copies of dueAt/overdueAt kept only while the lead is open, so indexes list open leads. */
  openDueAt?: number;
  openOverdueAt?: number;
  attemptCount: number;
  lastAttemptAt?: number;
  /** Time of the first callback attempt (for time-to-callback metrics). */
  firstAttemptAt?: number;
  closedAt?: number;
  closeOutcome?: Outcome;
  /** A later answered call from this caller: they got through, so no callback is needed. */
  answeredLaterAt?: number;
  /**
   * The CRM contacts this caller is, at most one per CRM and account: HubSpot and Clio can
   * both be connected, and a link made in one HubSpot portal (or Clio account) means
   * nothing in another. Helpers in utils/crm/model.ts (crmLinkOf, withCrmLink).
   */
  crmLinks?: LeadCrmLink[];
  createdAt: number;
  updatedAt: number;
}

export interface MissedCall {
  id: string;
  leadId: string;
  phoneKey: string;
  provider: string;
  providerCallId?: string;
  /** `${provider}:${providerCallId}` — unique index for exact re-reads. */
  providerKey?: string;
  startedAt: number;
  dialedLine?: string;
  callerName?: string;
  reason: CallReason;
  capturePath: CapturePath;
  /** Other paths that saw the same call (merged duplicates). */
  alsoSeenBy?: CapturePath[];
  agent?: string;
  source?: string;
  capturedAt: number;
}

/**
 * An answered call that closed no lead, kept for a day so that a missed leg of the same call
 * (group ring) or an earlier missed call arriving after it still finds that the caller got
 * through, whatever the order of arrival.
 */
export interface AnsweredCall {
  /** The provider's key, or `<phoneKey>:<startedAt>`: a re-read overwrites it. */
  id: string;
  phoneKey: string;
  startedAt: number;
  provider: string;
  providerCallId?: string;
  capturePath: CapturePath;
  agent?: string;
  capturedAt: number;
}

export interface Attempt {
  id: string;
  leadId: string;
  method: AttemptMethod;
  at: number;
  by?: string;
  outcome: Outcome;
  notes?: string;
  /**
   * Sent by the desk on its own (the automatic text-back), not by a person: it counts as
   * the cadence's text but is not a callback attempt (it sets no firstAttemptAt, does not
   * count in attemptCount and never satisfies step 1).
   */
  automatic?: boolean;
  /** How long the call lasted, from the attempt form's timer (click to call), in seconds. */
  durationSeconds?: number;
  /**
   * A text or email attempt: what was sent (the SMS text, the email body as sent), its
   * subject (emails) and where it went (the number or the address). The attempt's CRM
   * record (utils/crm/records.ts) carries them.
   */
  message?: string;
  subject?: string;
  to?: string;
}

export const AttemptInput = z.object({
  leadId: z.string().min(1),
  method: AttemptMethod,
  outcome: Outcome,
  notes: z.string().max(10_000).optional(),
  by: z.string().max(120).optional(),
  /** Close the lead after recording (defaults from the outcome). */
  close: z.boolean().optional(),
});
export type AttemptInput = z.input<typeof AttemptInput>;

export const LeadPatch = z.object({
  leadId: z.string().min(1),
  assignee: z.string().max(120).nullable().optional(),
  status: LeadStatus.optional(),
  practiceArea: z.string().max(80).nullable().optional(),
  source: z.string().max(80).nullable().optional(),
  name: z.string().max(120).nullable().optional(),
});
export type LeadPatch = z.input<typeof LeadPatch>;

export function isOpen(lead: Pick<Lead, 'status'>): boolean {
  return lead.status !== 'done';
}

// ---------------------------------------------------------------------------------------
// Protocol types: what the background and the pages exchange (utils/messaging.ts). They live
// here, not in the modules that implement them, so the protocol depends on the model only.

export interface CapturedCall {
  leadId: string;
  callId: string;
  newLead: boolean;
  /** Display data for the notification. */
  display: string;
  callerName?: string;
  startedAt: number;
  source?: string;
  practiceArea?: string;
}

export interface CaptureResult {
  added: CapturedCall[];
  duplicates: number;
  /** Answered calls that closed an open lead (the caller got through). */
  answeredClosed: number;
  /** Answered calls that concerned no open lead: no lead to store them on. */
  ignored: number;
  rejected: { index: number; error: string }[];
  /**
   * Missed calls whose caller got through (an answered call of the same caller, within the
   * dedupe window or later, arrived first) or was reached by a callback made after the call
   * started: stored on that closed lead, not queued.
   */
  alreadyAnswered?: number;
  /** CSV calls older than 90 days: stored as history, not queued. */
  history?: number;
}

export interface BadgeState {
  overdue: number;
  dueSoon: number;
  text: string;
  color: string;
  title: string;
}

export interface PollOutcome {
  sourceId: string;
  status: 'ok' | 'error' | 'waiting' | 'disabled';
  fetched?: number;
  added?: number;
  duplicates?: number;
  answeredClosed?: number;
  rejected?: number;
  error?: string;
  nextPollAfter?: number;
}

/** What one read of a portal page found. */
export interface AdapterReadResult {
  /** Calls to report: missed, voicemail, and answered (answered only close open leads). */
  calls: IncomingCall[];
  /** Call-history rows the row selectors matched. */
  rowsSeen: number;
  /** Rows understood: turned into a call, or recognised as not ours (an outbound call). */
  rowsRead: number;
  /** One line per cue that failed ("time: no readable time in 2 rows"), for the health panel. */
  misses: string[];
}

/**
 * What a portal page reports about its adapter since its previous report: new rows seen and
 * read (deltas, so the totals accumulate across pages and days), the misses it has not
 * reported yet, and whether the page currently reads cleanly.
 */
export const AdapterHealthReport = z.object({
  adapterId: z.string().regex(/^[a-z0-9-]{1,40}$/),
  rowsSeen: z.number().int().min(0).max(100_000),
  rowsRead: z.number().int().min(0).max(100_000),
  misses: z.array(z.string().max(200)).max(50),
  /** Rows were seen and every one was read. */
  ok: z.boolean(),
  /** A failure outside the adapter (the background refused the calls, say). */
  error: z.string().max(300).optional(),
});
export type AdapterHealthReport = z.infer<typeof AdapterHealthReport>;

/** A CSS selector as typed by the firm; the options form also checks it parses. */
const selector = z.string().trim().min(1, 'required').max(300, 'at most 300 characters');

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

/**
 * The firm's own portal adapter: which host, which elements are rows, and where each field
 * sits in a row. The fields alone; utils/capture/adapters/customConfig.ts adds the check that
 * the host has no built-in adapter (CustomAdapterConfig), used wherever it is read.
 */
export const CustomAdapterFields = z.object({
  enabled: z.boolean(),
  hostPattern: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^(\*\.)?([a-z0-9-]+\.)+[a-z]{2,}$/,
      'a host name such as portal.example-voip.com or *.example-voip.com',
    ),
  rowSelector: selector,
  numberSelector: selector,
  timeSelector: selector,
  nameSelector: selector.optional(),
  statusSelector: selector.optional(),
  missedPattern: z
    .string()
    .min(1, 'required')
    .max(200, 'at most 200 characters')
    .refine(isValidRegex, 'not a valid regular expression'),
});
export type CustomAdapterConfig = z.infer<typeof CustomAdapterFields>;

export const PreviewRequest = z.object({
  tabId: z.number().int().nonnegative(),
  // The form's current values, saved or not: the preview is how the firm tunes them.
  config: CustomAdapterFields.omit({ hostPattern: true, enabled: true }),
});
export type PreviewRequest = z.input<typeof PreviewRequest>;

/** The options page's live preview of the firm's selectors on an open tab. */
export interface CustomAdapterPreview extends AdapterReadResult {
  url: string;
}
