import { browser } from '#imports';
import { z } from 'zod';
import type { Browser } from 'wxt/browser';
import { db } from '../db';
import { getSettings } from '../settings';
import { onMessage } from '../messaging';
import { enqueueAttemptSync } from '../crm/attemptSync';
import { kickOutbox } from '../crm/background';
import {
  cancelText,
  drainMessages,
  enqueueText,
  markOptedOut,
  retryText,
  unmarkOptedOut,
  type MessageDrainReport,
} from './messageOutbox';
import { forgetSmsSenders, smsAvailability, smsSettingsItem } from './sms/clients';
import { SMS_PROVIDER_LABELS } from './sms/types';
import { renderForLead } from './templates';
import type { MessageJob, TextPanelInfo } from '../model';

/**
 * The background side of texting: the message outbox's drain (on start, on an alarm, right
 * after a text is queued) and the messages the lead's text panel sends. Texts leave only
 * from here: provider credentials never reach a page.
 */

export const TEXTS_RETRY_ALARM = 'messages:retry';
export const TEXTS_SWEEP_ALARM = 'messages:sweep';

/** This service worker's identity: a lease or `sending` text of another id was left by a stopped worker. */
const WORKER_RUN_ID = crypto.randomUUID();

let running: Promise<MessageDrainReport> | null = null;

/** Drain the message outbox now, and set the alarm for the next text that waits. */
export async function drainTextsNow(runId: string = WORKER_RUN_ID): Promise<MessageDrainReport> {
  const report = await drainMessages({
    db,
    runId,
    smsFor: (only) => smsAvailability(db, {}, only),
    settings: getSettings,
    async onSent(job, attempt) {
      // The text's CRM record (HubSpot communication, Clio communication) for every CRM the
      // lead is linked in; otherwise the lead's next Sync sends it.
      const queued = await enqueueAttemptSync(db, job.leadId, attempt.id, {
        settings: await getSettings(),
      });
      if (queued > 0) kickOutbox();
    },
  });
  if (report.ran) {
    if (report.nextTryAt !== null)
      await browser.alarms.create(TEXTS_RETRY_ALARM, {
        when: Math.max(Date.now() + 1_000, report.nextTryAt),
      });
    else await browser.alarms.clear(TEXTS_RETRY_ALARM);
  }
  return report;
}

/** Start a drain (texts queued by the auto-text, the panel, an alarm). Never throws. */
export function kickTexts(): void {
  const run = drainTextsNow().catch((error: unknown) => {
    console.error('Message outbox drain failed', error);
    return { ran: false, sent: 0, failed: 0, nextTryAt: null };
  });
  running = run;
  void run.finally(() => {
    if (running === run) running = null;
  });
}

async function ensureSweepAlarm(): Promise<void> {
  if (await browser.alarms.get(TEXTS_SWEEP_ALARM)) return;
  await browser.alarms.create(TEXTS_SWEEP_ALARM, { periodInMinutes: 1 });
}

/** Drain on start (recovering a text a stopped worker left `sending`), on alarms. */
export function setupTexts(): void {
  void ensureSweepAlarm().catch((error: unknown) =>
    console.error('Could not schedule the message sweep', error),
  );
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === TEXTS_RETRY_ALARM || alarm.name === TEXTS_SWEEP_ALARM) kickTexts();
  });
  // Sending numbers are read again after the firm changes its texting settings.
  smsSettingsItem.watch(() => forgetSmsSenders());
  kickTexts();
}

const LeadInput = z.object({ leadId: z.string().min(1).max(200) }).strict();
const SendInput = z
  .object({
    leadId: z.string().min(1).max(200),
    body: z.string().max(5_000),
    key: z.string().min(8).max(200),
    by: z.string().max(120).optional(),
  })
  .strict();
const JobInput = z
  .object({ jobId: z.string().min(1).max(200), confirmNotSent: z.boolean().optional() })
  .strict();
const OptOutInput = z
  .object({
    leadId: z.string().min(1).max(200),
    optedOut: z.boolean(),
    reason: z.string().max(200).optional(),
  })
  .strict();

async function leadOf(leadId: string) {
  const lead = await db.leads.get(leadId);
  if (!lead) throw new Error('This lead no longer exists.');
  return lead;
}

/** What the text panel shows when it opens: can a text go, and the template for this lead. */
export async function textPanelInfo(leadId: string): Promise<TextPanelInfo> {
  const lead = await leadOf(leadId);
  const [availability, rendered] = await Promise.all([
    smsAvailability(db),
    renderForLead('sms.textBack', lead).catch(() => ({ body: '' })),
  ]);
  return {
    canSend: availability.ok
      ? {
          ok: true,
          provider: availability.provider,
          providerLabel: SMS_PROVIDER_LABELS[availability.provider],
          from: availability.from,
        }
      : { ok: false, reason: availability.reason },
    body: rendered.body,
    to: lead.noCallbackNumber ? null : lead.phone,
  };
}

/** Text messages. From our own pages only: a web page must never send texts. */
export function registerTextHandlers(
  requireExtensionPage: (sender: Browser.runtime.MessageSender) => void,
): void {
  onMessage('textPanelInfo', async ({ data, sender }) => {
    requireExtensionPage(sender);
    return textPanelInfo(LeadInput.parse(data).leadId);
  });

  onMessage('sendText', async ({ data, sender }): Promise<MessageJob> => {
    requireExtensionPage(sender);
    const parsed = SendInput.safeParse(data);
    if (!parsed.success)
      throw new Error('This text could not be read. Reload the page and try again.');
    const { leadId, body, key, by } = parsed.data;
    const lead = await leadOf(leadId);
    if (lead.noCallbackNumber || !lead.phone)
      throw new Error('This caller left no number that can receive a text.');
    const job = await enqueueText(db, {
      leadId,
      phoneKey: lead.phoneKey,
      to: lead.phone,
      body,
      automatic: false,
      key: `manual:${key}`,
      ...(by ? { by } : {}),
    });
    kickTexts();
    return job;
  });

  onMessage('retryText', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { jobId, confirmNotSent } = JobInput.parse(data);
    const job = await retryText(db, jobId, { confirmNotSent });
    kickTexts();
    return job;
  });

  onMessage('cancelText', async ({ data, sender }) => {
    requireExtensionPage(sender);
    return cancelText(db, JobInput.parse(data).jobId);
  });

  onMessage('setTextOptOut', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { leadId, optedOut, reason } = OptOutInput.parse(data);
    const lead = await leadOf(leadId);
    if (lead.noCallbackNumber) throw new Error('This caller left no number.');
    if (optedOut)
      await markOptedOut(db, {
        phoneKey: lead.phoneKey,
        reason: reason?.trim() || 'Marked by the firm',
        source: 'firm',
      });
    else await unmarkOptedOut(db, lead.phoneKey);
  });
}
