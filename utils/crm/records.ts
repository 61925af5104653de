import type { CountryCode } from 'libphonenumber-js';
import { CADENCE, cadenceStep, nextAttemptDue } from '../queue/cadence';
import { OUTCOME_LABELS, type Attempt, type Lead } from '../model';
import { formatPhone } from '../phone';
import type { FirmSettings } from '../settings';
import { idempotencyKey, type CrmSystem, type SyncKind, type SyncPayload } from './model';

/** A job to put in the outbox (before it has an id and a state). */
export interface SyncDraft {
  idempotencyKey: string;
  system: CrmSystem;
  kind: SyncKind;
  leadId: string;
  attemptId?: string;
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

/**
 * What one click on "Sync" writes for a lead: for every attempt, a call record (calls and
 * voicemails; texts and emails are not calls) and a note; and a follow-up task for the
 * next attempt of the cadence while the lead is still open. Pure: the same lead and
 * attempts always give the same drafts and keys, so syncing twice adds nothing.
 */
export function buildSyncDrafts(input: {
  system: CrmSystem;
  lead: Lead;
  attempts: Attempt[];
  settings: FirmSettings;
  /** The firm line the caller dialled (from their latest missed call), if known. */
  firmLine?: string;
}): SyncDraft[] {
  const { system, lead, settings } = input;
  const country = settings.defaultCountry as CountryCode;
  const attempts = [...input.attempts].sort((a, b) => a.at - b.at);
  const caller = callerLabel(lead, country);
  const drafts: SyncDraft[] = [];
  attempts.forEach((attempt, index) => {
    const outcome = OUTCOME_LABELS[attempt.outcome];
    const by = staffName(settings, attempt.by);
    const lines = [
      `${METHOD_WORDS[attempt.method]} to ${caller}: ${outcome}.`,
      `Callback attempt ${index + 1} of ${CADENCE.length}${by ? ` by ${by}` : ''}.`,
      ...leadFacts(lead),
      attempt.notes ? `Notes: ${attempt.notes}` : '',
    ].filter(Boolean);
    const base = { system, leadId: lead.id, attemptId: attempt.id };
    if (attempt.method === 'call' || attempt.method === 'voicemail') {
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
          ...(attempt.by ? { staffId: attempt.by } : {}),
        },
      });
    }
    drafts.push({
      ...base,
      kind: 'note',
      idempotencyKey: idempotencyKey(base, system, 'note'),
      payload: {
        kind: 'note',
        at: attempt.at,
        subject: `Callback attempt ${index + 1}: ${outcome}`,
        body: lines.join('\n'),
        ...(attempt.by ? { staffId: attempt.by } : {}),
      },
    });
  });

  const last = attempts[attempts.length - 1];
  if (last && lead.status !== 'done') {
    const due = nextAttemptDue(
      settings,
      settings.sla,
      attempts.length,
      last.at,
      lead.firstMissedAt,
    );
    const step = cadenceStep(attempts.length);
    if (due && step) {
      const base = { system, leadId: lead.id, attemptId: last.id };
      const owner = lead.assignee ?? last.by;
      drafts.push({
        ...base,
        kind: 'task',
        idempotencyKey: idempotencyKey(base, system, 'task'),
        payload: {
          kind: 'task',
          dueAt: due.dueAt,
          subject: `Call back ${caller} — attempt ${step.step} of ${CADENCE.length}`,
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
  }
  return drafts;
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
