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

/**
 * 'no-contact': the lead ran through the whole follow-up cadence without reaching the
 * caller. It is neither in the open queue nor overdue (it has its own filter and count);
 * a new call from that number reopens it.
 */
export const LEAD_STATUSES = ['open', 'claimed', 'done', 'no-contact'] as const;
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
 * How the lead detail plays a voicemail's recording (utils/capture/sources/voicemail.ts):
 * `background` — the URL needs the provider's token, so the background fetches the audio
 * and hands the page the bytes (RingCentral); `fresh-link` — the URL is pre-signed and
 * short-lived, so the background asks the provider for a new one at each play (Aircall);
 * `provider-app` — a link that opens the recording in the provider's own app (Dialpad).
 */
export const VOICEMAIL_PLAYBACK = ['background', 'fresh-link', 'provider-app'] as const;

/**
 * A voicemail the provider's API reported for a call: only from API capture (a portal page
 * never supplies one). Text fields are shown as text, never as markup.
 */
export const CallVoicemail = z.object({
  /** The provider's own id of the voicemail message (RingCentral message id). */
  messageId: z.string().trim().max(200).optional(),
  /** http(s) only: the recording's URL or the provider-app link. */
  url: z
    .string()
    .trim()
    .max(2_000)
    .refine((u) => /^https?:$/.test(URL.parse(u)?.protocol ?? ''), 'not a web link')
    .optional(),
  playback: z.enum(VOICEMAIL_PLAYBACK).optional(),
  durationSeconds: z.number().int().min(0).max(86_400).optional(),
  transcript: z.string().max(20_000).optional(),
  /** `pending`: the provider is still transcribing (a later poll fills it in). */
  transcriptStatus: z.enum(['pending', 'ready', 'none', 'failed']).optional(),
});
export type CallVoicemail = z.infer<typeof CallVoicemail>;

/** What the background hands the lead detail to play a voicemail (message `voicemailAudio`). */
export type VoicemailAudio =
  | { kind: 'bytes'; base64: string; mimeType: string }
  | { kind: 'link'; url: string; expiresInSeconds?: number };

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
  /** The voicemail the provider's API reports for the call (kept for API capture only). */
  voicemail: CallVoicemail.optional(),
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

/** A caller matched to a CRM contact that is a client (Clio is_client / matter; HubSpot customer). */
export interface ExistingClientTag {
  system: 'hubspot' | 'clio';
  /** Why: "Clio client", "Clio matter 00012-Smith", "HubSpot lifecycle stage customer". */
  reason: string;
  /** The responsible attorney / contact owner mapped to our staff (crmUserIds). */
  ownerStaffId?: string;
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
  /** The staff member (StaffMember.id) who should call back; absent: nobody yet. */
  assignee?: string;
  /**
   * Why the assignee got it, shown as "assigned to Sam: on call": "on call", "round robin",
   * "source rule: Purchased leads", "responsible attorney", "assigned by hand"
   * (utils/team/assignment.ts).
   */
  assignReason?: string;
  /**
   * Who took it (Next callback, or a claim read from the shared CRM task): a staff id, or a
   * CRM user's label when claimed in a browser whose user is not in our staff list.
   */
  claimedBy?: string;
  claimedAt?: number;
  /**
   * The caller is a client already (a CRM contact that is a client): not a lead. Kept out of
   * the lead view and lead metrics, still called back (utils/team/existingClient.ts).
   */
  existingClient?: ExistingClientTag;
  /** Came in on an emergency line (source rule flag): everyone on shift is notified. */
  emergency?: boolean;
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
  /**
   * The current run through the cadence, when it is not the first: a new call (or staff)
   * reopened a No contact lead, and the cadence starts again at step 1 from that call.
   * `attemptsBefore` is attemptCount then; `firstCallAt` stands for the first missed call.
   */
  cadenceRound?: { attemptsBefore: number; firstCallAt: number };
  /** When the lead moved to No contact (its last cadence step went by without contact). */
  noContactAt?: number;
  closedAt?: number;
  closeOutcome?: Outcome;
  /** A later answered call from this caller: they got through, so no callback is needed. */
  answeredLaterAt?: number;
  /**
   * The final disposition after the lead was closed (a consultation booked → retained or
   * not, days later), set by staff or read from the CRM (utils/metrics/disposition.ts).
   */
  disposition?: Disposition;
  dispositionAt?: number;
  dispositionSource?: DispositionSource;
  /**
   * What the metrics need from the lead's attempts by staff (kept with each attempt, so the
   * dashboard need not read every attempt; utils/metrics/attemptSummary.ts).
   */
  attemptSummary?: AttemptSummary;
  /** When the CRM was last asked for the disposition (utils/metrics/disposition.ts). */
  dispositionCheckedAt?: number;
  /**
   * The CRM contacts this caller is, at most one per CRM and account: HubSpot and Clio can
   * both be connected, and a link made in one HubSpot portal (or Clio account) means
   * nothing in another. Helpers in utils/crm/model.ts (crmLinkOf, withCrmLink).
   */
  crmLinks?: LeadCrmLink[];
  /** The caller's email address, asked for on the call (EmailAddress); confirmations go there. */
  email?: string;
  /**
   * A missed call that should have had the automatic text and got none (seen too late —
   * the browser was closed — or no SMS connection could send): staff text this caller
   * first. Ignored once an attempt is recorded after `at` (utils/workflow/autoText.ts).
   */
  noAutoText?: NoAutoTextFlag;
  createdAt: number;
  updatedAt: number;
}

export interface NoAutoTextFlag {
  at: number;
  callId: string;
  /** 'failed': the text could not be prepared or queued (its error is on the call). */
  reason: 'captured-late' | 'no-sms-connection' | 'flood' | 'failed';
}

/** The lead still waits for the text the automatic one did not send: staff text it first. */
export function needsTextFirst(
  lead: Pick<Lead, 'noAutoText' | 'lastAttemptAt' | 'status'>,
): NoAutoTextFlag | undefined {
  const flag = lead.noAutoText;
  if (!flag || lead.status === 'done') return undefined;
  return (lead.lastAttemptAt ?? -Infinity) > flag.at ? undefined : flag;
}

/** What the automatic text did about one missed call (utils/workflow/autoTextService.ts). */
export interface CallAutoText {
  state: 'waiting' | 'held' | 'queued' | 'skipped';
  /** Skipped: the rule that stopped it (SkipReason in utils/workflow/autoText.ts). */
  reason?: string;
  /** Held (quiet hours) or waiting (debounce): when it is looked at again. */
  until?: number;
  /** Held: the caller's zones quiet hours were read in. */
  zones?: readonly string[];
  at: number;
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
  /** The voicemail the provider's API reported; a later poll adds a late transcript. */
  voicemail?: CallVoicemail;
  /** The automatic text's decision for this call, when it was considered. */
  autoText?: CallAutoText;
}

// ---------------------------------------------------------------------------------------
// Metrics (issue 10; utils/metrics/)

export const DISPOSITIONS = ['retained', 'not-retained'] as const;
export const Disposition = z.enum(DISPOSITIONS);
export type Disposition = z.infer<typeof Disposition>;
/** A lead's attempts by staff (automatic texts excluded), as the metrics read them. */
export interface AttemptSummary {
  /** The first callback by phone (a call or a voicemail). */
  firstPhoneAt?: number;
  /** An attempt reached the caller (Reached, Consultation booked, Retained, Not a fit). */
  reached?: true;
  /** An attempt booked a consultation (or retained the client). */
  consultation?: true;
  /** An attempt's outcome was Retained. */
  retained?: true;
  /**
   * The lead's limit (Lead.overdueAt) when staff made their first attempt: the figures'
   * "past the limit" is measured against it, since each later cadence step moves overdueAt.
   */
  limitAt?: number;
}

/** Who set a disposition: staff on the lead, or read from the CRM. */
export type DispositionSource = 'staff' | 'hubspot' | 'clio';

/**
 * Answered inbound calls, counted per firm-local day, hour, dialled line, source and capture
 * path (written by capture, utils/queue/leads.ts; each answered call counted once).
 */
export interface CallStat {
  /** `${day}|${hour}|${line}|${source}|${path}` */
  id: string;
  /** 'YYYY-MM-DD', firm time when counted. */
  day: string;
  hour: number;
  /** The dialled line as E.164 (else as given), or '' when the path did not say. */
  line: string;
  /** The line's source tag, or ''. */
  source: string;
  path: CapturePath;
  answered: number;
  /** Of those, from callers the desk had no lead for (first time): new callers answered live. */
  answeredNew: number;
}

/**
 * A new caller answered live (the desk had no lead for the number), kept so conversion on the
 * answered side can be read from the CRM: the only caller detail kept for answered calls.
 */
export interface LiveCaller {
  phoneKey: string;
  answeredAt: number;
  source: string;
  path: CapturePath;
  disposition?: Disposition;
  dispositionAt?: number;
  dispositionSource?: DispositionSource;
  /** When the CRM was last asked about this caller. */
  checkedAt?: number;
}

/** The post-intake survey's answers for one lead (all optional: record what the caller said). */
export const SurveyInput = z.object({
  leadId: z.string().min(1),
  feltValued: z.boolean().optional(),
  responseTimeAcceptable: z.boolean().optional(),
  rating: z.number().int().min(1, 'a rating from 1 to 5').max(5, 'a rating from 1 to 5').optional(),
  comment: z.string().trim().max(2_000, 'at most 2,000 characters').optional(),
});
export type SurveyInput = z.input<typeof SurveyInput>;
export interface SurveyAnswer extends z.output<typeof SurveyInput> {
  at: number;
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
  /** The call's length from the attempt form's timer (click to call). */
  durationSeconds: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .optional(),
  /** A text the desk sent by itself: recorded, but not a callback attempt. */
  automatic: z.boolean().optional(),
});
export type AttemptInput = z.input<typeof AttemptInput>;

/** What the email field says when the address cannot be one. */
export const EMAIL_ADDRESS_HINT = 'Enter an email address such as name@example.com.';

/**
 * An email address as a person gives it on the phone: one address (no name, no list, no
 * spaces or line breaks — nothing that could add a recipient or a header to a mail link),
 * a local part and a domain with a dot, Unicode letters allowed.
 */
export const EmailAddress = z
  .string()
  .trim()
  .max(254, EMAIL_ADDRESS_HINT)
  .regex(
    /^(?!\.)(?!.*\.\.)[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u,
    EMAIL_ADDRESS_HINT,
  );

export const LeadPatch = z.object({
  leadId: z.string().min(1),
  /** The lead's final disposition (staff); null clears it. */
  disposition: Disposition.nullable().optional(),
  /** The caller's email address; null removes it. */
  email: EmailAddress.nullable().optional(),
  assignee: z.string().max(120).nullable().optional(),
  status: LeadStatus.optional(),
  practiceArea: z.string().max(80).nullable().optional(),
  source: z.string().max(80).nullable().optional(),
  name: z.string().max(120).nullable().optional(),
});
export type LeadPatch = z.input<typeof LeadPatch>;

/** Waiting for a callback: in the open queue (not closed, not No contact). */
export function isOpen(lead: Pick<Lead, 'status'>): boolean {
  return lead.status === 'open' || lead.status === 'claimed';
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

// ---------------------------------------------------------------------------------------
// Texts (the message outbox, utils/workflow/messageOutbox.ts, writes them; the lead's text
// panel and the live query `leadTexts` read them).

export const SMS_PROVIDERS = ['twilio', 'ringcentral', 'dialpad', 'aircall'] as const;
export type SmsProviderId = (typeof SMS_PROVIDERS)[number];

export type MessageState = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface MessageJob {
  id: string;
  /** Idempotency key (unique). */
  key: string;
  leadId: string;
  phoneKey: string;
  /** E.164 number the text goes to. */
  to: string;
  body: string;
  /** Sent by the desk on its own (auto-text), not by a person. */
  automatic: boolean;
  /** The missed call that prompted it (auto-text). */
  callId?: string;
  /** Staff member who sent it (manual texts). */
  by?: string;
  state: MessageState;
  /** When it went (sentAt) or is to go out (sendAfter, else when queued). Indexed with phoneKey. */
  at: number;
  /** `at`, on automatic texts only (index for "last automatic text"). */
  automaticAt?: number;
  /** Held until this time (quiet hours). */
  sendAfter?: number;
  nextTryAt: number;
  /** Send attempts made (each one a request that left). */
  tries: number;
  provider?: SmsProviderId;
  from?: string;
  /** When the latest send request left, and which drain sent it. */
  sentAt?: number;
  sentBy?: string;
  /** A request left and its outcome is unknown: look it up before sending again. */
  maybeSent: boolean;
  /** The provider has no lookup: the firm must check before Retry sends it again. */
  needsCheck?: boolean;
  providerMessageId?: string;
  providerStatus?: string;
  /** When the provider confirmed it (the answer, or a lookup found it). */
  confirmedAt?: number;
  /** Why it waits or failed, in words for the lead. */
  error?: string;
  optedOut?: boolean;
  /** The provider says the number cannot receive texts. */
  notMobile?: boolean;
  /** The Attempt recorded for it. */
  attemptId?: string;
  /** Its attempt is recorded but not yet handed to the CRM layer (a drain repeats that). */
  crmPending?: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A number that must not be texted, as the lead's text panel shows it. */
export interface TextOptOut {
  phoneKey: string;
  reason: string;
  source: 'provider-error' | 'inbound-stop' | 'firm';
  provider?: string;
  at: number;
}

/** What the lead's text panel needs from the background when it opens. */
export interface TextPanelInfo {
  /** Whether a text can go now through a connected provider, and if not, why. */
  canSend:
    | { ok: true; provider: SmsProviderId; providerLabel: string; from: string }
    | { ok: false; reason: string };
  /** The firm's text-back template, rendered for this lead (editable before sending). */
  body: string;
  /** The number a text would go to (E.164), or null for a lead with no callback number. */
  to: string | null;
}

/** The lead's texts and whether its number opted out (live query `leadTexts`). */
export interface LeadTexts {
  texts: MessageJob[];
  optOut: TextOptOut | null;
}
