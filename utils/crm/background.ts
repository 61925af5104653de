import { browser } from '#imports';
import { z } from 'zod';
import type { Browser } from 'wxt/browser';
import { onMessage } from '../messaging';
import { CrmSystem } from './model';
import type { DrainReport } from '../outbox/outbox';
import {
  chooseContact,
  connectHubSpotToken,
  connectOAuth,
  disconnect,
  drainNow,
  enqueueSync,
  matchLead,
  OUTBOX_RETRY_ALARM,
  OUTBOX_SWEEP_ALARM,
  refreshUsers,
  retrySync,
} from './service';

/**
 * Identity of this service-worker instance (not state: losing it is the point). A drain
 * lease or a `syncing` job stamped with another instance's id was left by a worker that
 * has been stopped, so its jobs are recovered — looked up before anything is re-created.
 */
const WORKER_RUN_ID = crypto.randomUUID();

/**
 * Start a drain now (it takes the lease, or leaves a note for the running one to go again):
 * for work queued outside a message handler here, such as a text's CRM record queued by
 * enqueueAttemptSync right after the text went out.
 */
export function kickOutbox(): void {
  kick();
}

/** One drain of this worker, awaited (the shared queue's claim waits for its write). */
export function drainOutboxNow(): Promise<DrainReport> {
  return drainNow(WORKER_RUN_ID);
}

function kick(): void {
  void drainNow(WORKER_RUN_ID).catch((error: unknown) =>
    console.error('Outbox drain failed', error),
  );
}

/**
 * The sweep alarm outlives the worker: re-creating it on every start would push it back
 * each time, and a worker woken more often than once a minute would never sweep.
 */
export async function ensureSweepAlarm(): Promise<void> {
  if (await browser.alarms.get(OUTBOX_SWEEP_ALARM)) return;
  await browser.alarms.create(OUTBOX_SWEEP_ALARM, { periodInMinutes: 1 });
}

/** Drain on start (recovering what a stopped worker left), on alarms and on demand. */
export function setupOutbox(): void {
  void ensureSweepAlarm().catch((error: unknown) =>
    console.error('Could not schedule the outbox sweep', error),
  );
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === OUTBOX_RETRY_ALARM || alarm.name === OUTBOX_SWEEP_ALARM) kick();
  });
  kick();
}

const SystemInput = z.object({ system: CrmSystem });
const LeadSystemInput = z.object({ leadId: z.string().min(1), system: CrmSystem });

/**
 * CRM messages. All come from our own pages only (never content scripts: they must not
 * trigger writes to the firm's CRM, nor learn anything about its accounts).
 */
export function registerCrmHandlers(
  requireExtensionPage: (sender: Browser.runtime.MessageSender) => void,
): void {
  onMessage('crmConnectHubSpotToken', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const info = await connectHubSpotToken(data);
    kick();
    return info;
  });

  onMessage('crmConnectOAuth', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const info = await connectOAuth(data);
    kick();
    return info;
  });

  onMessage('crmDisconnect', async ({ data, sender }) => {
    requireExtensionPage(sender);
    await disconnect(SystemInput.parse(data).system);
  });

  onMessage('crmRefreshUsers', async ({ data, sender }) => {
    requireExtensionPage(sender);
    return refreshUsers(SystemInput.parse(data).system);
  });

  onMessage('crmMatchLead', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { leadId, system } = LeadSystemInput.parse(data);
    const result = await matchLead(leadId, system);
    if (result.kind === 'linked') kick();
    return result;
  });

  onMessage('crmChooseContact', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const link = await chooseContact(data);
    kick();
    return link;
  });

  onMessage('enqueueSync', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const result = await enqueueSync(data);
    kick();
    return result;
  });

  onMessage('retrySync', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const result = await retrySync(data);
    kick();
    return result;
  });

  onMessage('syncNow', ({ sender }) => {
    requireExtensionPage(sender);
    kick();
  });
}
