import type { Attempt, Lead } from '../model';
import { OUTCOME_LABELS } from '../model';

/**
 * What a lead's task in the firm's shared queue says, and how it is read back. Pure: no
 * browser, no database — both CRMs get the same plain text (HubSpot as HTML, see
 * utils/crm/hubspot.ts textToHtml / htmlToText).
 *
 * A task carries three search tokens, each one word for the CRMs' search tokenizers (like
 * the outbox's `ref cbd…` markers, utils/crm/model.ts markerFor):
 * - `cbdqueue`: every shared-queue task of the firm (what each browser's read searches for,
 *   changed since its cursor);
 * - the dedupe token: the caller (`cbdqc` + the number's digits), or for a caller with no
 *   number the call (`cbdqk` + a hash of its key). A browser about to create a task first
 *   searches for an open one with this token; after a create race the lowest id is kept.
 *   The caller — not the call's time — is what makes two browsers' captures one task, as
 *   locally (one open lead per caller): a portal that shows minutes only, an API that gives
 *   seconds, and two computers' clocks minutes apart all name the same caller.
 * - the key token (`cbdqk` + hash of the lead key): the lead key itself (provider call id,
 *   or caller + a 10-minute bucket of the first missed call), kept for the record.
 */

/** Found on every shared-queue task: the reads search for it. */
export const SHARED_QUEUE_TOKEN = 'cbdqueue';
/** The time part of a key without a provider call id (minutes-only portals, clock skew). */
export const KEY_BUCKET_MS = 10 * 60_000;

/** The call a lead's key is derived from (its first missed call). */
export interface KeyCall {
  provider: string;
  providerCallId?: string;
  startedAt: number;
}

/** FNV-1a over the text, twice (two seeds): 64 bits in base 36, one search word. */
export function hashWord(text: string): string {
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(36).padStart(7, '0');
  };
  return `${fnv(0x811c9dc5)}${fnv(0x01000193)}`;
}

/** The lead key: the provider's call id, else the caller and the time bucket of the call. */
export function sharedKeyOf(lead: Pick<Lead, 'phone' | 'phoneKey'>, call?: KeyCall): string {
  if (call?.providerCallId) return `call:${call.provider}:${call.providerCallId}`;
  if (lead.phone && call)
    return `caller:${lead.phone}:${Math.floor(call.startedAt / KEY_BUCKET_MS)}`;
  return `lead:${lead.phoneKey}`;
}

export function keyToken(key: string): string {
  return `cbdqk${hashWord(key)}`;
}

/** One word per caller (E.164 digits), or per call for a caller with no number. */
export function dedupeTokenOf(lead: Pick<Lead, 'phone'>, key: string): string {
  const digits = lead.phone?.replace(/\D/g, '') ?? '';
  return digits ? `cbdqc${digits}` : keyToken(key);
}

/** A claim as the task records it. */
export interface SharedClaim {
  /** Staff id of the claimer in the claiming browser's staff list. */
  staffId?: string;
  /** Their name as the claiming browser knows it ("Sam Lee"). */
  label: string;
  at: number;
}

/** What a shared task says, read back from its text. */
export interface SharedTaskFacts {
  key?: string;
  dedupeToken?: string;
  phone?: string;
  name?: string;
  source?: string;
  practiceArea?: string;
  firstMissedAt?: number;
  missedCount?: number;
  claim?: SharedClaim;
  attempts: number;
  /** Why the capturing browser assigned it ("on call", "round robin"). */
  assignReason?: string;
  /** The caller is a client already (not a lead), as the capturing browser found. */
  existingClient?: { system: 'hubspot' | 'clio'; reason: string };
  /** Completed as a duplicate of this task (not a closed lead). */
  duplicateOf?: string;
  closedAs?: string;
  /** Set for our tasks (the marker line is there). */
  ours: boolean;
}

/**
 * Values go on one line each: a caller name must not start a line of its own. Nor may free
 * text carry one of our search words (`cbdq…`): the CRMs search task text word by word, and
 * a caller named "cbdqc1415…" would make another caller's capture adopt this task.
 */
function oneLine(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/cbdq/gi, (m) => `${m.slice(0, 3)}-${m.slice(3)}`)
    .trim();
}

function isoOf(at: number): string {
  return new Date(at).toISOString();
}

function readTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

export interface RenderInput {
  lead: Pick<
    Lead,
    | 'phone'
    | 'phoneKey'
    | 'rawNumber'
    | 'name'
    | 'source'
    | 'practiceArea'
    | 'firstMissedAt'
    | 'missedCount'
    | 'status'
    | 'closeOutcome'
    | 'priority'
  > &
    Partial<Pick<Lead, 'assignReason' | 'existingClient'>>;
  key: string;
  attempts: Pick<Attempt, 'at' | 'method' | 'outcome' | 'by' | 'notes'>[];
  claim?: SharedClaim;
  /** Staff names for the attempts' `by`. */
  staffName?: (staffId: string) => string | undefined;
  /** Formats a time for people (the firm's time zone). */
  formatTime?: (at: number) => string;
  /** Completed as a duplicate of another task. */
  duplicateOf?: string;
}

export interface RenderedTask {
  subject: string;
  body: string;
  dedupeToken: string;
}

const METHOD_LABELS: Record<string, string> = {
  call: 'Call',
  voicemail: 'Voicemail',
  text: 'Text',
  email: 'Email',
};

/** The task's subject and body: who called, the claim, the attempts so far, the tokens. */
export function renderSharedTask(input: RenderInput): RenderedTask {
  const { lead, key } = input;
  const fmt = input.formatTime ?? isoOf;
  const who = lead.name ? oneLine(lead.name) : undefined;
  const number = lead.phone ?? oneLine(lead.rawNumber) ?? 'no number';
  const dedupeToken = dedupeTokenOf(lead, key);
  const lines: string[] = [
    `Missed call from ${who ? `${who}, ` : ''}${number} — call back.`,
    ...(who ? [`Caller: ${who}`] : []),
    ...(lead.phone ? [`Number: ${lead.phone}`] : []),
    `First missed call: ${isoOf(lead.firstMissedAt)} (${lead.missedCount} call${lead.missedCount === 1 ? '' : 's'})`,
    ...(lead.source ? [`Source: ${oneLine(lead.source)}`] : []),
    ...(lead.practiceArea ? [`Practice area: ${oneLine(lead.practiceArea)}`] : []),
    `Key: ${oneLine(key)}`,
    // Who it went to is the task's owner; why, and whether the caller is a client, here.
    ...(lead.assignReason ? [`Assigned because: ${oneLine(lead.assignReason)}`] : []),
    ...(lead.existingClient
      ? [`Existing client: ${oneLine(lead.existingClient.reason)} [${lead.existingClient.system}]`]
      : []),
  ];
  if (input.claim) {
    const c = input.claim;
    lines.push(
      `Claimed by: ${oneLine(c.label)}${c.staffId ? ` [${oneLine(c.staffId).replace(/[[\]]/g, '')}]` : ''} at ${isoOf(c.at)}`,
    );
  }
  const attempts = [...input.attempts].sort((a, b) => a.at - b.at);
  lines.push(`Attempts so far: ${attempts.length}`);
  for (const a of attempts) {
    const by = a.by ? (input.staffName?.(a.by) ?? a.by) : undefined;
    const notes = a.notes ? ` — ${oneLine(a.notes).slice(0, 300)}` : '';
    lines.push(
      `- ${fmt(a.at)} · ${METHOD_LABELS[a.method] ?? a.method} · ${OUTCOME_LABELS[a.outcome] ?? a.outcome}${by ? ` · ${oneLine(by)}` : ''}${notes}`,
    );
  }
  if (input.duplicateOf) lines.push(`Duplicate of task ${input.duplicateOf}`);
  else if (lead.status === 'done')
    lines.push(
      `Closed: ${lead.closeOutcome ? (OUTCOME_LABELS[lead.closeOutcome] ?? lead.closeOutcome) : 'done'}`,
    );
  lines.push('');
  lines.push(
    `Callback Desk shared queue · ref ${SHARED_QUEUE_TOKEN} ${dedupeToken}${
      keyToken(key) === dedupeToken ? '' : ` ${keyToken(key)}`
    }`,
  );
  const subject = `Call back ${who ?? number}${who && lead.phone ? ` ${lead.phone}` : ''}`;
  return { subject: subject.slice(0, 500), body: lines.join('\n'), dedupeToken };
}

/** Read a shared task's text back (HubSpot's HTML already turned into text). */
export function parseSharedTask(text: string): SharedTaskFacts {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const value = (prefix: string) =>
    lines
      .find((l) => l.startsWith(prefix))
      ?.slice(prefix.length)
      .trim() || undefined;
  const facts: SharedTaskFacts = { attempts: 0, ours: false };
  // The footer is the last line that names the queue (free text cannot, see oneLine).
  const ref = lines.findLast((l) => l.includes(`ref ${SHARED_QUEUE_TOKEN}`));
  if (ref) {
    facts.ours = true;
    const words = ref.slice(ref.indexOf(`ref ${SHARED_QUEUE_TOKEN}`)).split(/\s+/);
    facts.dedupeToken = words[2];
  }
  facts.key = value('Key:');
  const number = value('Number:');
  if (number && /^\+\d{6,15}$/.test(number)) facts.phone = number;
  facts.name = value('Caller:');
  facts.source = value('Source:');
  facts.practiceArea = value('Practice area:');
  const first = /^(\S+)(?: \((\d+) calls?\))?/.exec(value('First missed call:') ?? '');
  if (first) {
    facts.firstMissedAt = readTime(first[1]);
    if (first[2]) facts.missedCount = Number(first[2]);
  }
  const claim = /^(.*?)(?: \[([^\]]+)\])? at (\S+)$/.exec(value('Claimed by:') ?? '');
  if (claim) {
    const at = readTime(claim[3]);
    if (at !== undefined)
      facts.claim = { label: claim[1]!, at, ...(claim[2] ? { staffId: claim[2] } : {}) };
  }
  facts.assignReason = value('Assigned because:');
  const client = /^(.*) \[(hubspot|clio)\]$/.exec(value('Existing client:') ?? '');
  if (client)
    facts.existingClient = { system: client[2] as 'hubspot' | 'clio', reason: client[1]! };
  const count = Number(value('Attempts so far:') ?? '0');
  facts.attempts = Number.isFinite(count) ? count : 0;
  const dup = /^(\d+)/.exec(value('Duplicate of task') ?? '');
  if (dup) facts.duplicateOf = dup[1];
  facts.closedAs = value('Closed:');
  return facts;
}

/**
 * Which of two claims stands when both were written: the earlier claim, then the lower
 * staff id (or label) — every browser decides the same way from the same two claims.
 */
export function earlierClaim(a: SharedClaim, b: SharedClaim): SharedClaim {
  if (a.at !== b.at) return a.at < b.at ? a : b;
  const ka = a.staffId ?? a.label;
  const kb = b.staffId ?? b.label;
  return ka <= kb ? a : b;
}

export function sameClaim(a: SharedClaim | undefined, b: SharedClaim | undefined): boolean {
  if (!a || !b) return a === b;
  return a.at === b.at && (a.staffId ?? a.label) === (b.staffId ?? b.label);
}
