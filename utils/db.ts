import Dexie, { type EntityTable } from 'dexie';
import type { Attempt, Lead, MissedCall } from './model';

/**
 * The one database, in the extension's origin. Opened only by extension pages and the
 * background (never by content scripts, whose IndexedDB would belong to the host page).
 *
 * Versions (each kept so an old browser profile upgrades step by step):
 * 1. leads, calls, attempts.
 * 2. open-lead indexes (openDueAt/openOverdueAt only exist while a lead is open, so the
 *    badge counts overdue leads from an index instead of scanning), caller+status lookup,
 *    provider call ids for exact re-read dedupe.
 */
export class CallbackDeskDB extends Dexie {
  leads!: EntityTable<Lead, 'id'>;
  calls!: EntityTable<MissedCall, 'id'>;
  attempts!: EntityTable<Attempt, 'id'>;

  constructor(name = 'callback-desk') {
    super(name);
    this.version(1).stores({
      leads: 'id, phoneKey, status, dueAt, lastMissedAt',
      calls: 'id, leadId, [phoneKey+startedAt], startedAt',
      attempts: 'id, leadId, at',
    });
    this.version(2)
      .stores({
        leads:
          'id, phoneKey, status, dueAt, lastMissedAt, openDueAt, openOverdueAt, [phoneKey+status], source, assignee',
        calls: 'id, leadId, [phoneKey+startedAt], startedAt, providerKey, capturePath',
        attempts: 'id, leadId, at',
      })
      .upgrade(async (tx) => {
        await tx
          .table('leads')
          .toCollection()
          .modify((lead: Lead & { overdueAt?: number }) => {
            lead.overdueAt ??= lead.dueAt + 10 * 60_000;
            lead.priority ??= false;
            lead.attemptCount ??= 0;
            if (lead.status !== 'done') {
              lead.openDueAt = lead.dueAt;
              lead.openOverdueAt = lead.overdueAt;
            }
          });
        await tx
          .table('calls')
          .toCollection()
          .modify((call: MissedCall) => {
            if (call.providerCallId) call.providerKey = `${call.provider}:${call.providerCallId}`;
          });
      });
  }
}

export const DB_VERSION = 2;

/** The shared database handle of this context. Dexie opens it on first use. */
export const db = new CallbackDeskDB();
