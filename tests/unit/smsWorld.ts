import { fakeBrowser } from 'wxt/testing/fake-browser';
import { db } from '@/utils/db';
import type { Lead } from '@/utils/model';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import { sourceConnectionsItem } from '@/utils/capture/sources/connections';
import {
  drainMessages,
  enqueueText,
  type MessageDrainDeps,
  type MessageJob,
} from '@/utils/workflow/messageOutbox';
import { forgetSmsSenders, smsAvailability, smsSettingsItem } from '@/utils/workflow/sms/clients';
import type { SmsSettings } from '@/utils/workflow/sms/types';
import { EMULATED_TWILIO_SID, startRingCentral, startTwilio } from '../emulators/providers';
import { connectRingCentral, connectSource, track } from './pollerWorld';

/**
 * The SMS tests' shared world: a Twilio (or RingCentral) emulator connected the way Options
 * does it, a lead to text, a clock tests move (as the alarm would), and drains that use the
 * real clients over real HTTP to the emulator.
 */

export const CALLER = '+13125550142';
export const clock = { offset: 0 };
export const now = () => Date.now() + clock.offset;
export const later = (ms: number) => {
  clock.offset += ms;
};

export async function resetSmsWorld(): Promise<void> {
  clock.offset = 0;
  forgetSmsSenders();
  await Promise.all([
    db.leads.clear(),
    db.calls.clear(),
    db.attempts.clear(),
    db.messages.clear(),
    db.optOuts.clear(),
    db.cursors.clear(),
    db.secrets.clear(),
  ]);
  await sourceConnectionsItem.setValue({});
  await smsSettingsItem.setValue({});
  fakeBrowser.permissions.contains = (async () => true) as typeof fakeBrowser.permissions.contains;
}

export async function twilioWorld(options: { authToken?: string } = {}) {
  const twilio = await track(startTwilio());
  await connectSource(
    'twilio',
    twilio.url,
    { authToken: options.authToken ?? 'twilio-token' },
    { accountSid: EMULATED_TWILIO_SID },
  );
  return twilio;
}

export async function ringCentralWorld() {
  const rc = await track(startRingCentral());
  await connectRingCentral(rc);
  return rc;
}

export async function setSmsSettings(settings: SmsSettings): Promise<void> {
  await smsSettingsItem.setValue(settings);
  forgetSmsSenders();
}

export async function addLead(phone = CALLER, patch: Partial<Lead> = {}): Promise<Lead> {
  const at = now() - 5 * 60_000;
  const lead: Lead = {
    id: `lead-${phone}`,
    phoneKey: phone,
    phone,
    rawNumber: phone,
    noCallbackNumber: false,
    name: 'Dana Reyes',
    priority: false,
    status: 'open',
    firstMissedAt: at,
    lastMissedAt: at,
    missedCount: 1,
    dueAt: at + 5 * 60_000,
    overdueAt: at + 15 * 60_000,
    openDueAt: at + 5 * 60_000,
    openOverdueAt: at + 15 * 60_000,
    attemptCount: 0,
    createdAt: at,
    updatedAt: at,
    ...patch,
  };
  await db.leads.put(lead);
  return lead;
}

export function queueText(lead: Lead, patch: Partial<Parameters<typeof enqueueText>[1]> = {}) {
  return enqueueText(
    db,
    {
      leadId: lead.id,
      phoneKey: lead.phoneKey,
      to: lead.phone!,
      body: 'Hi Dana, this is Reyes Law returning your call. When is a good time to talk?',
      automatic: false,
      key: `manual:${lead.id}:1`,
      ...patch,
    },
    now(),
  );
}

/** `fetch`: what the SMS clients send with (a test's fault-injecting wrapper). */
export function drainDeps(
  overrides: Partial<MessageDrainDeps> = {},
  fetch?: typeof globalThis.fetch,
): MessageDrainDeps {
  return {
    db,
    runId: 'worker-1',
    smsFor: (only) => smsAvailability(db, { now, fetch }, only),
    settings: async () => DEFAULT_SETTINGS,
    now,
    random: () => 0.5,
    ...overrides,
  };
}

export function drain(overrides: Partial<MessageDrainDeps> = {}, fetch?: typeof globalThis.fetch) {
  return drainMessages(drainDeps(overrides, fetch));
}

export async function job(id: string): Promise<MessageJob> {
  return (await db.messages.get(id)) as unknown as MessageJob;
}
