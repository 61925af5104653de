import { browser } from '#imports';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { db, type SyncJobRecord } from '../db';
import { dbLimiterStore } from '../http';
import { normalizePhone } from '../phone';
import { getSettings } from '../settings';
import { disconnectSource } from '../capture/sources/connections';
import { crmCallLogOf } from '../capture/sources/registry';
import {
  drainOutbox,
  enqueueDrafts,
  requeueAfterReconnect,
  retryJobs,
  type DrainReport,
} from '../outbox/outbox';
import { ClioConnector, clioAuthorizeUrl, exchangeClioCode } from './clio';
import { ReconnectError, type Connector } from './connector';
import {
  autoMapStaff,
  crmConnectionsItem,
  crmStaffMapItem,
  crmUsersItem,
  noteCrmProblem,
  type CrmConnectionInfo,
} from './connections';
import {
  exchangeHubSpotCode,
  hubspotAccount,
  hubspotAuthorizeUrl,
  HubSpotConnector,
} from './hubspot';
import {
  callerLinkOf,
  enqueueTaskCompletions,
  leadsSyncedSince,
  leadsToRematch,
  linkLead as linkLeadIn,
  releaseLinkedWaiting,
} from './links';
import { contactDraft, decideMatch, linkFor, type CrmLink, type MatchDecision } from './matching';
import {
  accountKeyOf,
  CRM_LABELS,
  CRM_SYSTEMS,
  CrmSystem,
  crmLinkOf,
  idempotencyKey,
  type CrmUser,
  type MatchResult,
  type SyncJob,
} from './model';
import { buildSyncDrafts, contactFactsDraft, coveredByLegacyNote, type SyncDraft } from './records';
import { crmSession } from './session';
import { ClioRegion, forgetCredentials, readCredentials, writeCredentials } from './tokens';

/**
 * The background's side of CRM sync: connections, matching, enqueueing and the drainer
 * wiring. Pages reach it through messages (utils/crm/handlers.ts); only this code reads
 * tokens.
 */

export const OUTBOX_RETRY_ALARM = 'outbox-retry';
export const OUTBOX_SWEEP_ALARM = 'outbox-sweep';

async function defaultCountry(): Promise<CountryCode> {
  return (await getSettings()).defaultCountry as CountryCode;
}

/** A connector for a connected CRM, or null. */
export async function connectorFor(system: CrmSystem): Promise<Connector | null> {
  const country = await defaultCountry();
  // The session serves the account read here only: jobs matched to its contacts must never
  // leave with the token of an account connected later (AccountChangedError).
  const deps = (account: string) => ({
    session: crmSession(db, system, { account }),
    limiterStore: dbLimiterStore(db),
  });
  if (system === 'hubspot') {
    const c = await readCredentials(db, 'hubspot');
    return c
      ? new HubSpotConnector(deps(accountKeyOf(c.account)), {
          auth: c.auth,
          portalId: c.portalId,
          accountKey: accountKeyOf(c.account),
          defaultCountry: country,
        })
      : null;
  }
  const c = await readCredentials(db, 'clio');
  return c
    ? new ClioConnector(deps(accountKeyOf(c.account)), {
        region: c.region,
        userId: c.account.id,
        accountKey: accountKeyOf(c.account),
        defaultCountry: country,
        growInboxToken: c.growInboxToken,
      })
    : null;
}

/** The account key (accountKeyOf) of the connected CRM, or undefined when not connected. */
async function connectedAccount(system: CrmSystem): Promise<string | undefined> {
  const c = await readCredentials(db, system);
  return c ? accountKeyOf(c.account) : undefined;
}

export async function ownerFor(
  system: CrmSystem,
  staffId: string | undefined,
): Promise<string | undefined> {
  if (!staffId) return undefined;
  return (await crmStaffMapItem.getValue())[system]?.[staffId];
}

// ---------------------------------------------------------------------------------------
// Draining

/**
 * One drain, then an alarm for the next retry. Drains are serialised by a lease in the
 * database, so kicking twice is harmless. `runId` identifies this worker instance.
 */
export async function drainNow(runId: string): Promise<DrainReport> {
  const started = Date.now();
  let report = await drainOutbox({ db, runId, connectorFor, ownerFor });
  // Records of a newer attempt went out: complete the follow-up tasks they superseded.
  if (
    report.synced > 0 &&
    (await enqueueTaskCompletions(db, await leadsSyncedSince(db, started))) > 0
  ) {
    const again = await drainOutbox({ db, runId, connectorFor, ownerFor });
    report = {
      ...again,
      synced: report.synced + again.synced,
      failed: report.failed + again.failed,
    };
  }
  if (report.nextTryAt !== null) {
    // Chrome may round short alarms up to 30 s; the sweep alarm and kicks cover the rest.
    await browser.alarms.create(OUTBOX_RETRY_ALARM, {
      when: Math.max(report.nextTryAt, Date.now() + 1_000),
    });
  }
  await noteReconnectProblems();
  return report;
}

/** A system whose jobs failed for a refused token shows "Reconnect" in the options page. */
async function noteReconnectProblems(): Promise<void> {
  const failed = await db.outbox.where('state').equals('failed').toArray();
  for (const system of CRM_SYSTEMS) {
    const problem = failed.find(
      (j) => j.system === system && String(j.lastError ?? '').startsWith('Reconnect'),
    )?.lastError as string | undefined;
    if (problem) await noteCrmProblem(system, problem);
  }
}

// ---------------------------------------------------------------------------------------
// Connecting

/** Saved and proven: show it, map staff, and resend what failed under the old token. */
async function finishConnect(system: CrmSystem, info: CrmConnectionInfo, users: CrmUser[]) {
  await crmConnectionsItem.setValue({ ...(await crmConnectionsItem.getValue()), [system]: info });
  await saveUsers(system, users);
  await requeueAfterReconnect(db, system);
  // Records that waited for a contact under another account, for leads linked in this one.
  await releaseLinkedWaiting(db, system, accountKeyOf(info.account));
  // Another portal or account: its contacts are not the ones the leads were linked to.
  // Match the leads with records still to send there again (a single match links them and
  // releases their records; the others wait for the user in the lead's CRM panel).
  const leadIds = await leadsToRematch(db, system, accountKeyOf(info.account));
  void (async () => {
    for (const leadId of leadIds) await matchLead(leadId, system).catch(() => undefined);
  })();
}

async function saveUsers(system: CrmSystem, users: CrmUser[]): Promise<void> {
  await crmUsersItem.setValue({ ...(await crmUsersItem.getValue()), [system]: users });
  const settings = await getSettings();
  const mapping = await crmStaffMapItem.getValue();
  await crmStaffMapItem.setValue({
    ...mapping,
    [system]: autoMapStaff(settings.staff, users, mapping[system]),
  });
}

export const HubSpotTokenInput = z.object({
  token: z
    .string()
    .trim()
    .min(8, 'Paste the private-app access token (it starts with "pat-").')
    .max(500),
  portalId: z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, 'The account ID is the number in your HubSpot URLs.')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

/** Private-app token: checked with a real call before anything is saved. */
export async function connectHubSpotToken(input: unknown): Promise<CrmConnectionInfo> {
  const { token, portalId } = HubSpotTokenInput.parse(input);
  const probe = new HubSpotConnector(
    {
      session: { current: async () => token, afterUnauthorized: async () => null },
      limiterStore: dbLimiterStore(db),
    },
    { auth: 'private-app', portalId },
  );
  let users: CrmUser[];
  try {
    users = await probe.listUsers();
  } catch (error) {
    if (error instanceof ReconnectError) {
      throw new Error(
        'HubSpot refused this token. Copy the whole access token of the private app, and check its scopes.',
        { cause: error },
      );
    }
    throw error;
  }
  // The owners just read tell the account apart when no portal id was entered (read once).
  const account = hubspotAccount(portalId, users);
  const connectedAt = Date.now();
  await writeCredentials(db, 'hubspot', {
    auth: 'private-app',
    token,
    portalId,
    account,
    connectedAt,
  });
  const info: CrmConnectionInfo = {
    system: 'hubspot',
    auth: 'private-app',
    account,
    portalId,
    connectedAt,
  };
  await finishConnect('hubspot', info, users);
  return info;
}

export const OAuthConnectInput = z.discriminatedUnion('system', [
  z.object({
    system: z.literal('hubspot'),
    clientId: z.string().trim().min(1, 'Enter your HubSpot app’s client ID.').max(200),
    clientSecret: z.string().trim().min(1, 'Enter your HubSpot app’s client secret.').max(200),
  }),
  z.object({
    system: z.literal('clio'),
    region: ClioRegion,
    clientId: z.string().trim().min(1, 'Enter your Clio app’s client ID.').max(200),
    clientSecret: z.string().trim().min(1, 'Enter your Clio app’s client secret.').max(200),
    growInboxToken: z
      .string()
      .trim()
      .max(200)
      .optional()
      .transform((v) => v || undefined),
  }),
]);

/** Where the CRM sends the browser back after sign-in (the extension's own URL). */
export function redirectUri(system: CrmSystem): string {
  return browser.identity.getRedirectURL(system);
}

/** The authorization code from the redirect, after checking the state we sent. */
export function codeFromRedirect(redirected: string, state: string): string {
  const url = new URL(redirected);
  const error = url.searchParams.get('error');
  if (error)
    throw new Error(
      `Sign-in was not completed: ${url.searchParams.get('error_description') ?? error}.`,
    );
  if (url.searchParams.get('state') !== state)
    throw new Error('Sign-in answer did not match the request; try again.');
  const code = url.searchParams.get('code');
  if (!code) throw new Error('Sign-in returned no authorization code.');
  return code;
}

/** OAuth with the firm's own app: browser sign-in, code exchange, first real call. */
export async function connectOAuth(input: unknown): Promise<CrmConnectionInfo> {
  const data = OAuthConnectInput.parse(input);
  const state = crypto.randomUUID();
  const redirect = redirectUri(data.system);
  const url =
    data.system === 'hubspot'
      ? hubspotAuthorizeUrl({ clientId: data.clientId, redirectUri: redirect, state })
      : clioAuthorizeUrl({
          region: data.region,
          clientId: data.clientId,
          redirectUri: redirect,
          state,
        });
  const redirected = await browser.identity.launchWebAuthFlow({ url, interactive: true });
  if (!redirected) throw new Error('Sign-in was closed before it finished.');
  const code = codeFromRedirect(redirected, state);
  const connectedAt = Date.now();
  if (data.system === 'hubspot') {
    const tokens = await exchangeHubSpotCode({
      clientId: data.clientId,
      clientSecret: data.clientSecret,
      code,
      redirectUri: redirect,
    });
    // The owners, read with the fresh token before anything is saved, tell the account
    // apart when HubSpot gave no portal id: the stored connection never names a
    // placeholder account (a drain running meanwhile would match queued records to it).
    const probe = new HubSpotConnector(
      {
        session: { current: async () => tokens.accessToken, afterUnauthorized: async () => null },
        limiterStore: dbLimiterStore(db),
      },
      { auth: 'oauth', portalId: tokens.portalId },
    );
    const users = await probe.listUsers();
    const account = hubspotAccount(tokens.portalId, users);
    await writeCredentials(db, 'hubspot', { ...tokens, account, connectedAt });
    const info: CrmConnectionInfo = {
      system: 'hubspot',
      auth: 'oauth',
      account,
      portalId: tokens.portalId,
      connectedAt,
    };
    await finishConnect('hubspot', info, users);
    return info;
  }
  const tokens = await exchangeClioCode({
    region: data.region,
    clientId: data.clientId,
    clientSecret: data.clientSecret,
    code,
    redirectUri: redirect,
  });
  // Learn who we are with the fresh token before anything is saved: the stored connection
  // never names a placeholder account (a drain running meanwhile would match the queued
  // records to it), and a failed sign-in leaves the previous connection as it was.
  const probe = new ClioConnector(
    {
      session: { current: async () => tokens.accessToken, afterUnauthorized: async () => null },
      limiterStore: dbLimiterStore(db),
    },
    { region: data.region, userId: '0' },
  );
  const account = await probe.whoAmI();
  await writeCredentials(db, 'clio', {
    ...tokens,
    account,
    connectedAt,
    growInboxToken: data.growInboxToken,
  });
  const connector = (await connectorFor('clio'))!;
  const users = await connector.listUsers();
  const info: CrmConnectionInfo = {
    system: 'clio',
    auth: 'oauth',
    account,
    region: data.region,
    connectedAt,
  };
  await finishConnect('clio', info, users);
  return info;
}

/**
 * Forget the tokens for good (and what we cached about the account). Its call log stops
 * being polled and forgets where it got to; the calls it captured stay in the queue.
 */
export async function disconnect(system: CrmSystem): Promise<void> {
  await forgetCredentials(db, system);
  await disconnectSource(db, crmCallLogOf(system).id);
  const { [system]: _gone, ...rest } = await crmConnectionsItem.getValue();
  await crmConnectionsItem.setValue(rest);
  const { [system]: _users, ...otherUsers } = await crmUsersItem.getValue();
  await crmUsersItem.setValue(otherUsers);
}

export async function refreshUsers(system: CrmSystem): Promise<CrmUser[]> {
  const connector = await connectorFor(system);
  if (!connector) throw new Error(`${CRM_LABELS[system]} is not connected.`);
  const users = await connector.listUsers();
  await saveUsers(system, users);
  return users;
}

// ---------------------------------------------------------------------------------------
// Matching and enqueueing

export type { MatchResult };

function linkLead(leadId: string, link: CrmLink): Promise<void> {
  return linkLeadIn(db, leadId, link);
}

/** Match a lead to a contact: link a single match, or say what the user must decide. */
export async function matchLead(leadId: string, system: CrmSystem): Promise<MatchResult> {
  const lead = await db.leads.get(leadId);
  if (!lead) throw new Error('This lead no longer exists.');
  const connector = await connectorFor(system);
  if (!connector) throw new Error(`${CRM_LABELS[system]} is not connected.`);
  const account = connector.accountKey;
  const existing = crmLinkOf(lead, system, account);
  if (existing) return { kind: 'linked', link: existing };
  if (!lead.phone) return { kind: 'none', canCreate: false };
  // The caller's earlier lead has its contact there already (made by us moments ago,
  // perhaps, before the CRM's search shows it): the same person, the same contact.
  const callers = await callerLinkOf(db, lead, system, account);
  if (callers) {
    await linkLead(leadId, callers);
    return { kind: 'linked', link: callers };
  }
  const decision: MatchDecision = decideMatch(
    lead,
    system,
    await connector.findContactsByPhone(lead.phone),
    await defaultCountry(),
    account,
  );
  switch (decision.kind) {
    case 'linked':
      return decision;
    case 'single': {
      const link = linkFor(system, decision.contact, account);
      await linkLead(leadId, link);
      return { kind: 'linked', link };
    }
    case 'choose':
      return decision;
    case 'none':
      return { kind: 'none', canCreate: decision.draft !== null };
  }
}

export const ChooseContactInput = z.object({
  leadId: z.string().min(1),
  system: CrmSystem,
  contact: z.object({
    id: z.string().regex(/^\d{1,20}$/),
    name: z.string().max(200),
    url: z.string().url().startsWith('https://').optional(),
  }),
});

/** The user picked one of several contacts: remembered on the lead. */
export async function chooseContact(input: unknown): Promise<CrmLink> {
  const { leadId, system, contact } = ChooseContactInput.parse(input);
  const account = await connectedAccount(system);
  if (account === undefined) throw new Error(`${CRM_LABELS[system]} is not connected.`);
  const link: CrmLink = {
    system,
    account,
    contactId: contact.id,
    name: contact.name,
    ...(contact.url ? { url: contact.url } : {}),
  };
  await linkLead(leadId, link);
  return link;
}

export const EnqueueSyncInput = z.object({
  leadId: z.string().min(1),
  system: CrmSystem,
  /** No contact matched: create one first (carrying source and practice area). */
  createContact: z.boolean().optional(),
});

/** One click: everything about the lead not yet in the CRM goes into the outbox. */
export async function enqueueSync(input: unknown): Promise<{ queued: number }> {
  const { leadId, system, createContact } = EnqueueSyncInput.parse(input);
  const lead = await db.leads.get(leadId);
  if (!lead) throw new Error('This lead no longer exists.');
  const account = await connectedAccount(system);
  if (account === undefined) throw new Error(`Connect ${CRM_LABELS[system]} in Settings first.`);
  const [attempts, calls, settings] = await Promise.all([
    db.attempts.where('leadId').equals(leadId).toArray(),
    db.calls.where('leadId').equals(leadId).toArray(),
    getSettings(),
  ]);
  const dialed = calls
    .sort((a, b) => b.startedAt - a.startedAt)
    .find((c) => c.dialedLine)?.dialedLine;
  // The firm line as a number HubSpot and Clio can show and dial (E.164 when it parses).
  const firmLine = dialed
    ? (normalizePhone(dialed, settings.defaultCountry as CountryCode).e164 ?? dialed)
    : undefined;
  const drafts: SyncDraft[] = [];
  const linked = Boolean(crmLinkOf(lead, system, account));
  if (!linked && createContact) {
    const draft = contactDraft(lead);
    if (!draft) throw new Error('This caller left no number: there is no contact to create.');
    const grow = system === 'clio' && Boolean((await readCredentials(db, 'clio'))?.growInboxToken);
    drafts.push({
      idempotencyKey: idempotencyKey({ leadId }, system, 'contact', account),
      system,
      kind: 'contact',
      leadId,
      account,
      payload: {
        ...draft,
        staffId: draft.staffId ?? settings.currentStaffId,
        ...(grow ? { growLead: true } : {}),
      },
    });
    // The new contact carries the lead's source and practice area (a note on it).
    const facts = contactFactsDraft(lead, system, account);
    if (facts) drafts.push(facts);
  }
  // Texts and emails an earlier version logged as a note are in the CRM already.
  const known = new Set(
    (await db.outbox.where('leadId').equals(leadId).toArray()).map((j) => j.idempotencyKey),
  );
  drafts.push(
    ...buildSyncDrafts({ system, lead, attempts, settings, firmLine, account }).filter(
      (d) => !coveredByLegacyNote(d.idempotencyKey, known),
    ),
  );
  if (drafts.length === 0) throw new Error('Nothing to sync yet: record an attempt first.');
  const before = await db.outbox.count();
  const queued = await enqueueDrafts(db, drafts);
  const contactJob = queued.find((j) => j.kind === 'contact');
  if (contactJob?.state === 'synced') {
    // The contact this lead once got was deleted in the CRM since (its link is gone): the
    // user asks for it again, so the same job creates it again, after a lookup by number.
    await db.transaction('rw', db.outbox, async () => {
      const stored = (await db.outbox.get(contactJob.id)) as unknown as SyncJob | undefined;
      if (stored?.state !== 'synced') return;
      const {
        remoteId: _remoteId,
        remoteUrl: _remoteUrl,
        contactId: _contactId,
        syncedAt: _syncedAt,
        checkedAt: _checkedAt,
        uncertainAt: _uncertainAt,
        lastError: _lastError,
        lastErrorAt: _lastErrorAt,
        ...rest
      } = stored;
      const now = Date.now();
      await db.outbox.put({
        ...rest,
        state: 'queued',
        tries: 0,
        maybeCreated: false,
        nextTryAt: now,
        updatedAt: now,
      } as unknown as SyncJobRecord);
    });
  }
  // Follow-up tasks of earlier attempts that this one supersedes are completed.
  await enqueueTaskCompletions(db, [leadId]);
  // Jobs that failed earlier are part of this click too.
  await retryJobs(db, { leadId, system });
  return { queued: (await db.outbox.count()) - before };
}

export async function retrySync(input: unknown): Promise<{ requeued: number }> {
  const { leadId, system } = z
    .object({ leadId: z.string().min(1), system: CrmSystem.optional() })
    .parse(input);
  return { requeued: await retryJobs(db, { leadId, system }) };
}
