import { browser, storage } from '#imports';
import { z } from 'zod';
import { db } from '../db';
import type { CapturedCall, Lead } from '../model';
import { onMessage } from '../messaging';
import { getSettings, type FirmSettings } from '../settings';
import { clearLeadNotifications, notifyNewCalls, openLead, refreshBadge } from '../queue/alerts';
import { connectorFor } from '../crm/service';
import { crmConnectionsItem, crmStaffMapItem, crmUsersItem } from '../crm/connections';
import { CRM_SYSTEMS, type CrmSystem } from '../crm/model';
import { REASON_RESPONSIBLE } from './assignment';
import { ClaimConflictError, releaseClaim, takeNextCallback } from './claim';
import { claimForTeam } from './sharedBackground';
import { existingClientTag, type ClientFacts } from './existingClient';
import {
  currentStaffOf,
  describeIdentity,
  ownerByEmail,
  staffForCrmUser,
  type IdentityAnswer,
} from './identity';

/**
 * Background wiring for the team: Next callback and claims (messages and keyboard commands),
 * who-am-I from the CRM, and the existing-client check after capture.
 */

export const COMMAND_NEXT_CALLBACK = 'next-callback';
export const COMMAND_LOG_OUTCOME = 'log-outcome';

type RequirePage = (sender: Parameters<Parameters<typeof onMessage>[1]>[0]['sender']) => void;

function requireMe(settings: FirmSettings): string {
  const me = currentStaffOf(settings);
  if (!me)
    throw new Error(
      settings.staff.length === 0
        ? 'Add your team under Team in Settings, then choose who you are.'
        : 'Choose who you are under Team in Settings first.',
    );
  return me;
}

export type NextCallbackAnswer = { lead: Lead } | { none: string };

/** Claim the most urgent unclaimed lead that is mine or nobody's. */
export async function nextCallback(now: number = Date.now()): Promise<NextCallbackAnswer> {
  const settings = await getSettings();
  const me = requireMe(settings);
  const lead = await takeNextCallback(db, me, now);
  if (!lead) return { none: 'Nothing waiting for you: every callback is taken or done.' };
  await Promise.all([refreshBadge(now), clearLeadNotifications(lead.id)]);
  return { lead };
}

async function crmMapping(): Promise<Partial<Record<CrmSystem, Record<string, string>>>> {
  return crmStaffMapItem.getValue();
}

/** Who this browser's user is, by the CRM connection (Clio who_am_i; HubSpot owner by email). */
export async function identifyFromCrm(system: CrmSystem, email?: string): Promise<IdentityAnswer> {
  const settings = await getSettings();
  const mapping = (await crmMapping())[system];
  if (system === 'clio') {
    const connector = await connectorFor('clio');
    if (!connector) throw new Error('Connect Clio under CRM first.');
    const me = await connector.whoAmI();
    const user = { id: me.id, name: me.name, ...(me.email ? { email: me.email } : {}) };
    return describeIdentity(
      system,
      user,
      settings.staff,
      staffForCrmUser(settings.staff, system, user.id, mapping, user.email),
    );
  }
  const typed = email?.trim() ?? '';
  if (!typed) throw new Error('Enter the email address you sign in to HubSpot with.');
  let owners = (await crmUsersItem.getValue()).hubspot ?? [];
  if (!ownerByEmail(owners, typed)) {
    // Owners listed at connect time may be out of date: ask HubSpot again (owners API).
    const connector = await connectorFor('hubspot');
    if (!connector) throw new Error('Connect HubSpot under CRM first.');
    owners = await connector.listUsers();
    await crmUsersItem.setValue({ ...(await crmUsersItem.getValue()), hubspot: owners });
  }
  const owner = ownerByEmail(owners, typed);
  return describeIdentity(
    system,
    owner,
    settings.staff,
    owner ? staffForCrmUser(settings.staff, system, owner.id, mapping, owner.email) : undefined,
  );
}

// ---------------------------------------------------------------------------------------
// Existing clients: looked up after capture, one caller at a time.

const CLIO_CONTACTS_CHECKED = 3;
let checking: Promise<void> = Promise.resolve();

/**
 * Lookups that failed (CRM outage, 429, a connection needing attention): tried again on an
 * alarm, backing off 1, 2, 4 … 60 minutes, for a day — a client calling during an outage
 * still reaches their attorney. Durable (extension storage), so a worker restart keeps them.
 */
export interface PendingClientCheck {
  leadId: string;
  tries: number;
  firstAt: number;
  nextAt: number;
}
export const pendingClientChecksItem = storage.defineItem<PendingClientCheck[]>(
  'local:pendingClientChecks',
  { fallback: [] },
);
export const CLIENT_CHECK_ALARM = 'client-check';
const CLIENT_CHECK_GIVE_UP_MS = 24 * 60 * 60_000;

/** Wait before try `tries + 1`: 1, 2, 4 … minutes, at most an hour. */
export function clientCheckDelay(tries: number): number {
  return Math.min(60, 2 ** Math.max(0, tries - 1)) * 60_000;
}

/**
 * Look the new leads' callers up in each connected CRM, in the background and one at a time
 * (the connectors' rate limiters pace the requests). A client is tagged "existing client"
 * and goes to their attorney; a lookup that failed is tried again later (see above).
 */
export function checkExistingClients(
  leadIds: readonly string[],
  now: () => number = Date.now,
): Promise<void> {
  if (leadIds.length === 0) return checking;
  checking = checking.then(async () => {
    const connections = await crmConnectionsItem.getValue();
    const systems = CRM_SYSTEMS.filter((s) => connections[s] && !connections[s]?.problem);
    // A connection that needs attention counts as a failed lookup: tried again once fixed.
    const unreachable = CRM_SYSTEMS.some((s) => connections[s]?.problem);
    const pending = await pendingClientChecksItem.getValue();
    const byId = new Map(pending.map((p) => [p.leadId, p]));
    for (const leadId of leadIds) {
      const result =
        systems.length === 0 && !unreachable
          ? 'done'
          : await checkOne(leadId, systems, unreachable).catch(() => 'failed' as const);
      const before = byId.get(leadId);
      const at = now();
      if (result === 'done') byId.delete(leadId);
      else if (before && at - before.firstAt >= CLIENT_CHECK_GIVE_UP_MS) byId.delete(leadId);
      else {
        const tries = (before?.tries ?? 0) + 1;
        byId.set(leadId, {
          leadId,
          tries,
          firstAt: before?.firstAt ?? at,
          nextAt: at + clientCheckDelay(tries),
        });
      }
    }
    const next = [...byId.values()];
    await pendingClientChecksItem.setValue(next);
    await scheduleClientChecks(next);
  });
  return checking;
}

async function scheduleClientChecks(pending: readonly PendingClientCheck[]): Promise<void> {
  if (!browser.alarms) return;
  if (pending.length === 0) {
    await browser.alarms.clear(CLIENT_CHECK_ALARM);
    return;
  }
  await browser.alarms.create(CLIENT_CHECK_ALARM, {
    when: Math.min(...pending.map((p) => p.nextAt)),
  });
}

/** The alarm: run the checks that are due (the others keep their time). */
export async function retryClientChecks(now: () => number = Date.now): Promise<void> {
  const due = (await pendingClientChecksItem.getValue()).filter((p) => p.nextAt <= now());
  await checkExistingClients(
    due.map((p) => p.leadId),
    now,
  );
}

async function factsIn(system: CrmSystem, phone: string): Promise<ClientFacts[]> {
  const connector = await connectorFor(system);
  if (!connector) return [];
  const contacts = await connector.findContactsByPhone(phone);
  if (system === 'hubspot') return contacts.map((contact) => ({ system, contact }));
  const facts: ClientFacts[] = [];
  for (const contact of contacts.slice(0, CLIO_CONTACTS_CHECKED)) {
    // A failed matters read fails the lookup (tried again later), never the capture.
    const matters = await connector.clientMatters?.(contact.id);
    facts.push({ system, contact, ...(matters ? { matters } : {}) });
  }
  return facts;
}

/** 'failed' when a CRM could not be asked (the caller is looked up again later). */
async function checkOne(
  leadId: string,
  systems: readonly CrmSystem[],
  unreachable: boolean,
): Promise<'done' | 'failed'> {
  const lead = await db.leads.get(leadId);
  if (!lead?.phone || lead.existingClient || lead.status === 'done') return 'done';
  const facts: ClientFacts[] = [];
  let failed = unreachable;
  for (const system of systems)
    facts.push(
      ...(await factsIn(system, lead.phone).catch(() => {
        failed = true;
        return [] as ClientFacts[];
      })),
    );
  const settings = await getSettings();
  const tag = existingClientTag(facts, settings.staff, await crmMapping());
  if (!tag) return failed ? 'failed' : 'done';
  const updated = await db.transaction('rw', db.leads, async () => {
    const current = await db.leads.get(leadId);
    if (!current || current.existingClient) return undefined;
    const next: Lead = { ...current, existingClient: tag, updatedAt: Date.now() };
    // The client's attorney calls back, unless someone already took the call.
    if (tag.ownerStaffId && !current.claimedBy) {
      next.assignee = tag.ownerStaffId;
      next.assignReason = REASON_RESPONSIBLE;
    }
    await db.leads.put(next);
    return next;
  });
  if (!updated) return 'done';
  await refreshBadge();
  const me = currentStaffOf(settings);
  // The attorney's browser hears about it now (the capture notification went by the rules).
  if (me && updated.assignee === me && lead.assignee !== me) {
    await notifyNewCalls([
      {
        leadId,
        callId: `client-${leadId}`,
        newLead: false,
        display: updated.phone ?? updated.rawNumber,
        ...(updated.name ? { callerName: updated.name } : {}),
        startedAt: updated.lastMissedAt,
      } as CapturedCall,
    ]);
  }
  return 'done';
}

// ---------------------------------------------------------------------------------------

const LeadId = z.object({ leadId: z.string().min(1).max(100) });
const WhoAmIInput = z.object({
  system: z.enum(CRM_SYSTEMS),
  email: z.string().trim().max(200).optional(),
});

export function registerTeamHandlers(requireExtensionPage: RequirePage): void {
  onMessage('nextCallback', async ({ sender }) => {
    requireExtensionPage(sender);
    return nextCallback();
  });

  onMessage('claimLead', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { leadId } = LeadId.parse(data);
    const settings = await getSettings();
    try {
      // Through the shared CRM task when the queue is shared (utils/team/sharedBackground.ts).
      const lead = await claimForTeam(leadId, requireMe(settings), settings);
      await Promise.all([refreshBadge(), clearLeadNotifications(leadId)]);
      return lead;
    } catch (error) {
      // The message alone goes back to the page ("Sam claimed this a moment ago.").
      if (error instanceof ClaimConflictError) throw new Error(error.message, { cause: error });
      throw error;
    }
  });

  onMessage('releaseClaim', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { leadId } = LeadId.parse(data);
    const lead = await releaseClaim(db, leadId, requireMe(await getSettings()));
    await refreshBadge();
    return lead;
  });

  onMessage('teamWhoAmI', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { system, email } = WhoAmIInput.parse(data);
    return identifyFromCrm(system, email);
  });
}

/** The lead this browser's user is working on: their newest claim still open. */
async function myCurrentLead(): Promise<Lead | undefined> {
  const me = currentStaffOf(await getSettings());
  if (!me) return undefined;
  const claimed = await db.leads.where('status').equals('claimed').toArray();
  return claimed
    .filter((l) => l.claimedBy === me)
    .sort((a, b) => (b.claimedAt ?? 0) - (a.claimedAt ?? 0))[0];
}

/**
 * Keyboard commands (manifest `commands`; the browser's own `_execute_action` opens the side
 * panel). Next callback claims and opens a lead; Log outcome opens the lead I am on at its
 * attempt form. Registered synchronously at start-up.
 */
export function setupTeamCommands(): void {
  browser.alarms?.onAlarm.addListener((alarm) => {
    if (alarm.name === CLIENT_CHECK_ALARM)
      void retryClientChecks().catch((error: unknown) =>
        console.error('Existing-client lookup failed', error),
      );
  });
  browser.commands?.onCommand.addListener((command) => {
    if (command === COMMAND_NEXT_CALLBACK) {
      void nextCallback()
        .then((answer) =>
          'lead' in answer ? openLead(answer.lead.id) : notifyPlain('Next callback', answer.none),
        )
        .catch((error: unknown) =>
          notifyPlain('Next callback', error instanceof Error ? error.message : String(error)),
        );
    } else if (command === COMMAND_LOG_OUTCOME) {
      void myCurrentLead().then((lead) =>
        lead
          ? openLead(lead.id, { logOutcome: true })
          : notifyPlain('Log outcome', 'You have no lead in hand: take one with Next callback.'),
      );
    }
  });
}

function notifyPlain(title: string, message: string): Promise<unknown> {
  return browser.notifications.create(`team:${Date.now()}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title,
    message,
    priority: 1,
  });
}
