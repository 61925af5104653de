import type { CountryCode } from 'libphonenumber-js';
import { cadenceOf, nextStepOf } from '../queue/cadence';
import { OUTCOME_LABELS, type Attempt, type Lead } from '../model';
import { formatPhone } from '../phone';
import type { FirmSettings } from '../settings';
import {
  idempotencyKey,
  type CrmSystem,
  type SyncJob,
  type SyncKind,
  type SyncPayload,
} from './model';

/** A job to put in the outbox (before it has an id and a state). */
export interface SyncDraft {
  idempotencyKey: string;
  system: CrmSystem;
  kind: SyncKind;
  leadId: string;
  attemptId?: string;
  /** The connected account (accountKeyOf) the job is for. */
  account?: string;
  payload: SyncPayload;
}

const METHOD_WORDS: Record<Attempt['method'], string> = {
  call: 'Call',
  voicemail: 'Call with voicemail',
  text: 'Text message',
  email: 'Email',
};

function callerLabel(lead: Lead, country: CountryCode): string {
  const number = lead.phone ? formatPhone(lead.phone, country) : lead.rawNumber;
  return lead.name ? `${lead.name} (${number})` : number;
}

function staffName(settings: FirmSettings, staffId: string | undefined): string | undefined {
  if (!staffId) return undefined;
  return settings.staff.find((s) => s.id === staffId)?.name ?? staffId;
}

function leadFacts(lead: Lead): string[] {
  return [
    lead.source ? `Source: ${lead.source}` : '',
    lead.practiceArea ? `Practice area: ${lead.practiceArea}` : '',
    `Missed calls: ${lead.missedCount}`,
  ].filter(Boolean);
}

/** The lines every record of an attempt carries (a text's or an email's after the message). */
function attemptLines(
  attempt: Attempt,
  lead: Lead,
  caller: string,
  settings: FirmSettings,
  callbackNumber: number,
): string[] {
  const outcome = OUTCOME_LABELS[attempt.outcome];
  const by = staffName(settings, attempt.by);
  return [
    attempt.automatic
      ? `${AUTOMATIC_TEXT} to ${caller}, sent by Callback Desk after the missed call (not a callback attempt).`
      : `${METHOD_WORDS[attempt.method]} to ${caller}: ${outcome}.`,
    callbackNumber > 0
      ? `Callback attempt ${callbackNumber} of ${cadenceOf(settings, lead.source).steps.length}${by ? ` by ${by}` : ''}.`
      : '',
    ...leadFacts(lead),
    // A text's notes may be the message itself (already the record's first lines).
    attempt.notes && attempt.notes.trim() !== attempt.message?.trim()
      ? `Notes: ${attempt.notes}`
      : '',
  ].filter(Boolean);
}

/** What the subject and body of an automatic text's record start with. */
export const AUTOMATIC_TEXT = 'Automatic text';

/**
 * The records of one attempt: a call and a note (calls, voicemails), a text (a HubSpot
 * communication, a Clio communication) or an email. `callbackNumber` is the attempt's place
 * among the callback attempts (0 for an automatic text, which is none).
 */
export function attemptDrafts(input: {
  system: CrmSystem;
  lead: Lead;
  attempt: Attempt;
  callbackNumber: number;
  settings: FirmSettings;
  firmLine?: string;
  account?: string;
}): SyncDraft[] {
  const { system, lead, attempt, settings, callbackNumber } = input;
  const account = input.account !== undefined ? { account: input.account } : {};
  const country = settings.defaultCountry as CountryCode;
  const caller = callerLabel(lead, country);
  const outcome = OUTCOME_LABELS[attempt.outcome];
  const lines = attemptLines(attempt, lead, caller, settings, callbackNumber);
  const base = { system, leadId: lead.id, attemptId: attempt.id, ...account };
  const staff = attempt.by ? { staffId: attempt.by } : {};
  const drafts: SyncDraft[] = [];
  if (attempt.method === 'text') {
    const message = attempt.message?.trim();
    drafts.push({
      ...base,
      kind: 'text',
      idempotencyKey: idempotencyKey(base, system, 'text'),
      payload: {
        kind: 'text',
        at: attempt.at,
        subject: `${attempt.automatic ? AUTOMATIC_TEXT : 'Text message'} to ${caller}`,
        body: [
          ...(attempt.automatic ? [`${AUTOMATIC_TEXT}:`] : []),
          // Recorded by hand without the message: the attempt's notes say what was sent.
          ...(message
            ? [message, '']
            : attempt.notes
              ? []
              : ['(The text of the message was not recorded.)', '']),
          ...lines,
        ].join('\n'),
        toNumber: attempt.to ?? lead.phone ?? lead.rawNumber,
        automatic: Boolean(attempt.automatic),
        ...staff,
      },
    });
    return drafts;
  }
  if (attempt.method === 'email') {
    const from = settings.staff.find((s) => s.id === attempt.by)?.email;
    drafts.push({
      ...base,
      kind: 'email',
      idempotencyKey: idempotencyKey(base, system, 'email'),
      payload: {
        kind: 'email',
        at: attempt.at,
        subject: attempt.subject?.trim() || `Email to ${caller}`,
        body: attempt.message?.trim() || lines.join('\n'),
        to: attempt.to ?? lead.email ?? '',
        ...(from ? { from } : {}),
        automatic: Boolean(attempt.automatic),
        ...staff,
      },
    });
    return drafts;
  }
  drafts.push({
    ...base,
    kind: 'call',
    idempotencyKey: idempotencyKey(base, system, 'call'),
    payload: {
      kind: 'call',
      at: attempt.at,
      method: attempt.method,
      outcome: attempt.outcome,
      title: `Callback: ${outcome} — ${caller}`,
      body: lines.join('\n'),
      toNumber: lead.phone ?? lead.rawNumber,
      ...(input.firmLine ? { fromNumber: input.firmLine } : {}),
      ...staff,
    },
  });
  drafts.push({
    ...base,
    kind: 'note',
    idempotencyKey: idempotencyKey(base, system, 'note'),
    payload: {
      kind: 'note',
      at: attempt.at,
      subject: `Callback attempt ${callbackNumber}: ${outcome}`,
      body: lines.join('\n'),
      ...staff,
    },
  });
  return drafts;
}

/**
 * What one click on "Sync" writes for a lead: for every attempt, a call record and a note
 * (calls and voicemails), or the message itself (texts: a HubSpot communication / Clio
 * communication; emails: a HubSpot email / Clio email communication — these carry the
 * attempt's facts, so no separate note); and a follow-up task for the next attempt of the
 * cadence while the lead is still open. Pure: the same lead and attempts always give the
 * same drafts and keys, so syncing twice adds nothing.
 */
export function buildSyncDrafts(input: {
  system: CrmSystem;
  lead: Lead;
  attempts: Attempt[];
  settings: FirmSettings;
  /** The firm line the caller dialled (from their latest missed call), if known. */
  firmLine?: string;
  /** The connected account (accountKeyOf), recorded on every job. */
  account?: string;
}): SyncDraft[] {
  const { system, lead, settings } = input;
  const account = input.account !== undefined ? { account: input.account } : {};
  const country = settings.defaultCountry as CountryCode;
  const attempts = [...input.attempts].sort((a, b) => a.at - b.at);
  const caller = callerLabel(lead, country);
  const drafts: SyncDraft[] = [];
  let callbacks = 0;
  for (const attempt of attempts) {
    // An automatic text is not a callback attempt: it does not take a number in the count.
    if (!attempt.automatic) callbacks++;
    drafts.push(
      ...attemptDrafts({ ...input, attempt, callbackNumber: attempt.automatic ? 0 : callbacks }),
    );
  }
  const last = attempts[attempts.length - 1];
  // The lead's own next step (its source's cadence, after its callback attempts) and the due
  // time recording the last attempt scheduled (with its source's windows). None once the
  // lead is closed or at No contact.
  const step = nextStepOf(settings, lead);
  if (last && step) {
    const base = { system, leadId: lead.id, attemptId: last.id, ...account };
    const owner = lead.assignee ?? last.by;
    drafts.push({
      ...base,
      kind: 'task',
      idempotencyKey: idempotencyKey(base, system, 'task'),
      payload: {
        kind: 'task',
        dueAt: lead.dueAt,
        subject: `Call back ${caller} — attempt ${step.step} of ${step.total}`,
        body: [
          `${step.label} — ${caller}.`,
          `Number: ${lead.phone ?? lead.rawNumber}`,
          `Last attempt: ${OUTCOME_LABELS[last.outcome]}.`,
          ...leadFacts(lead),
        ].join('\n'),
        priority: lead.priority ? 'high' : 'normal',
        ...(owner ? { staffId: owner } : {}),
      },
    });
  }
  return drafts;
}

/**
 * The lead's source and practice area, as a note on the contact we create for it: neither
 * HubSpot nor Clio has a standard contact field for them (HubSpot's `hs_analytics_source`
 * is read-only and tracks web visits; Clio's custom fields are the firm's own, with ids we
 * cannot know), and a note shows on the contact's timeline in both. Null when the lead
 * has neither.
 */
export function contactFactsDraft(
  lead: Pick<Lead, 'id' | 'source' | 'practiceArea' | 'firstMissedAt' | 'missedCount'>,
  system: CrmSystem,
  account: string | undefined,
): SyncDraft | null {
  if (!lead.source && !lead.practiceArea) return null;
  const facts = [
    lead.source ? `Source: ${lead.source}` : '',
    lead.practiceArea ? `Practice area: ${lead.practiceArea}` : '',
    `First missed call: ${new Date(lead.firstMissedAt).toISOString()}`,
    `Missed calls: ${lead.missedCount}`,
  ].filter(Boolean);
  return {
    idempotencyKey: `${lead.id}:${system}:contact-facts${account ? `@${account}` : ''}`,
    system,
    kind: 'note',
    leadId: lead.id,
    ...(account !== undefined ? { account } : {}),
    payload: {
      kind: 'note',
      at: lead.firstMissedAt,
      subject: [
        'New lead from a missed call',
        lead.source ? `source ${lead.source}` : '',
        lead.practiceArea ? `practice area ${lead.practiceArea}` : '',
      ]
        .filter(Boolean)
        .join(' — '),
      body: facts.join('\n'),
    },
  };
}

/**
 * Follow-up tasks a newer attempt has made stale: a synced task of an attempt is completed
 * in the CRM once a record of a later attempt is synced to the same CRM (the later attempt
 * brings its own task, or closes the lead). Only once it is there: while the later
 * attempt's records wait or fail, the CRM keeps the open task as the only sign that the
 * caller is still to be called back. Pure: the same jobs give the same drafts and keys, so
 * running it after every sync adds each completion once.
 */
export function taskCompletionDrafts(
  jobs: readonly SyncJob[],
  attempts: readonly Pick<Attempt, 'id' | 'at'>[],
): SyncDraft[] {
  const at = new Map(attempts.map((a) => [a.id, a.at]));
  const keys = new Set(jobs.map((j) => j.idempotencyKey));
  const drafts: SyncDraft[] = [];
  for (const task of jobs) {
    if (task.kind !== 'task' || task.state !== 'synced' || !task.remoteId) continue;
    const taskAt = task.attemptId ? at.get(task.attemptId) : undefined;
    if (taskAt === undefined) continue;
    const newer = jobs.some(
      (j) =>
        j.system === task.system &&
        j.leadId === task.leadId &&
        j.kind !== 'contact' &&
        j.kind !== 'complete' &&
        // An automatic text is no callback: the follow-up task stays open.
        !(j.payload.kind === 'text' && j.payload.automatic) &&
        j.state === 'synced' &&
        j.attemptId !== undefined &&
        (at.get(j.attemptId) ?? -1) > taskAt,
    );
    const key = `${task.idempotencyKey}:complete`;
    if (!newer || keys.has(key)) continue;
    drafts.push({
      idempotencyKey: key,
      system: task.system,
      kind: 'complete',
      leadId: task.leadId,
      attemptId: task.attemptId,
      ...(task.account !== undefined ? { account: task.account } : {}),
      payload: {
        kind: 'complete',
        taskId: task.remoteId,
        taskJobId: task.id,
        ...(task.payload.staffId ? { staffId: task.payload.staffId } : {}),
      },
    });
  }
  return drafts;
}

/**
 * Whether a record key is already covered by what an earlier version wrote: texts and
 * emails used to be logged as a note of their attempt (`<attempt>:<crm>:note`). Such an
 * attempt is in the CRM already; logging it again as a communication would show it twice.
 */
export function coveredByLegacyNote(key: string, knownKeys: ReadonlySet<string>): boolean {
  const m = /^(.*):(text|email)$/.exec(key);
  return m !== null && knownKeys.has(`${m[1]}:note`);
}

/** Escape text for CRMs that render record bodies as HTML (HubSpot). */
export function textToHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .split('\n')
    .join('<br>');
}

/** The line that ties a CRM record to its outbox job (found again after a crash). */
export function markerLine(marker: string): string {
  return `Logged by Callback Desk · ref ${marker}`;
}
