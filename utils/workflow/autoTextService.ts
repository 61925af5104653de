import { browser } from '#imports';
import Dexie from 'dexie';
import { db as defaultDb, type CallbackDeskDB } from '../db';
import type { CallAutoText, Lead, MissedCall, NoAutoTextFlag } from '../model';
import { getSettings, type FirmSettings } from '../settings';
import {
  AUTO_TEXT_CAP_MS,
  AUTO_TEXT_FLOOD_WINDOW_MS,
  autoTextKey,
  debounceEndOf,
  decideAutoText,
  type AutoTextSettings,
  type AutoTextVerdict,
} from './autoText';
import {
  AUTO_TEXT_ALARM,
  getAutoTextSettings,
  pendingAutoTextsItem,
  serialAutoText,
  setAutoTextProcessor,
  type PendingAutoText,
} from './autoTextStore';
import { enqueueText, isOptedOut, textsSentTo, type MessageJob } from './messageOutbox';
import { canSend } from './sms/clients';
import { renderForLead } from './templates';

/**
 * The automatic text's engine, in the background: takes the calls capture handed over
 * (autoTextStore.ts), decides with the pure rules (autoText.ts) and queues the text in the
 * message outbox, which sends it exactly once and records it as an automatic attempt.
 *
 * Timing in an MV3 worker that can be stopped at any moment:
 * - every call waiting for a decision is in extension storage with the time to look at it;
 * - an in-worker timer fires at that time (the debounce is seconds, well under the minute);
 * - the `auto-text` alarm is set for the same time as a backstop. Chrome fires an alarm of a
 *   packed MV3 extension at the earliest 30 s after it is set (Chromium's
 *   extensions/browser/api/alarms/alarms_api_constants.h, kMV3ReleaseDelayMinimum, "aligned
 *   with the idle timeout of service workers"; 1 s when unpacked), so a worker stopped during
 *   the debounce is woken and still texts within the minute; every start runs the engine;
 * - the text is queued under a key per call (autoTextKey), so however often the same
 *   decision is taken again after a restart, one job — one text — exists; the calls are
 *   decided one at a time (serialAutoText), each seeing the texts queued before it (24 h cap).
 */

export interface AutoTextDeps {
  db?: CallbackDeskDB;
  now?: () => number;
  settings?: () => Promise<AutoTextSettings>;
  firmSettings?: () => Promise<FirmSettings>;
  /** Whether an SMS-capable provider connection can send now. */
  canSend?: () => Promise<boolean>;
  /** The text for a lead (the firm's `sms.autoText` template). */
  render?: (lead: Lead) => Promise<string>;
  /** Send what is queued now (the message outbox's drain of this worker). */
  drain?: () => void;
  /** Timers and alarms (tests replace them). */
  schedule?: (at: number) => Promise<void>;
}

/** Entries this close to due are decided now rather than by another timer tick. */
const DUE_SLACK_MS = 250;
/** Failed decisions before the lead is marked "No auto-text sent" instead. */
const MAX_FAILURES = 3;

async function lastAutomaticTextTo(
  db: CallbackDeskDB,
  phoneKey: string,
  since: number,
): Promise<MessageJob | undefined> {
  const texts = await textsSentTo(db, phoneKey, since);
  return texts.filter((t) => t.automatic).sort((a, b) => b.at - a.at)[0];
}

/** Automatic texts queued or gone to any number in the flood window (cancelled ones aside). */
async function recentAutomaticTexts(db: CallbackDeskDB, now: number): Promise<number> {
  return db.messages
    .where('automaticAt')
    .above(now - AUTO_TEXT_FLOOD_WINDOW_MS)
    .filter((row) => row.state !== 'cancelled')
    .count();
}

/** The provider said this number cannot receive texts (remembered on its failed texts). */
async function cannotReceiveSms(db: CallbackDeskDB, phoneKey: string): Promise<boolean> {
  const texts = await db.messages
    .where('[phoneKey+at]')
    .between([phoneKey, Dexie.minKey], [phoneKey, Dexie.maxKey])
    .toArray();
  return texts.some((t) => t.notMobile === true);
}

async function recordOnCall(db: CallbackDeskDB, callId: string, autoText: CallAutoText) {
  await db.calls.update(callId, { autoText });
}

async function flagLead(db: CallbackDeskDB, leadId: string, flag: NoAutoTextFlag) {
  await db.transaction('rw', db.leads, async () => {
    const lead = await db.leads.get(leadId);
    if (!lead || (lead.noAutoText && lead.noAutoText.at >= flag.at)) return;
    await db.leads.update(leadId, { noAutoText: flag });
  });
}

type Outcome = { done: true } | { done: false; dueAt: number };

interface Ctx {
  db: CallbackDeskDB;
  now: () => number;
  settings: AutoTextSettings;
  firm: FirmSettings;
  canSend: () => Promise<boolean>;
  render: (lead: Lead) => Promise<string>;
  drain: () => void;
}

/** Decide about one waiting call, and act: queue, hold, or record why not. */
async function decideOne(entry: PendingAutoText, ctx: Ctx): Promise<Outcome> {
  const { db } = ctx;
  const now = ctx.now();
  const call = (await db.calls.get(entry.callId)) as MissedCall | undefined;
  const lead = call ? await db.leads.get(call.leadId) : undefined;
  if (!call || !lead) return { done: true };

  const key = lead.phone ? autoTextKey(lead.phoneKey, call.id) : '';
  if (key) {
    const queued = await db.messages.where('key').equals(key).first();
    if (queued) {
      // Queued before a restart: the outbox has it; nothing more to decide.
      await recordOnCall(db, call.id, { state: 'queued', at: now });
      ctx.drain();
      return { done: true };
    }
  }

  const phoneKey = lead.phoneKey;
  const hasPhone = Boolean(lead.phone);
  const [optedOut, notMobile, lastText, sendable, recent] = await Promise.all([
    hasPhone ? isOptedOut(db, phoneKey) : false,
    hasPhone ? cannotReceiveSms(db, phoneKey) : false,
    hasPhone ? lastAutomaticTextTo(db, phoneKey, now - AUTO_TEXT_CAP_MS) : undefined,
    // Asked only when the text would go (a provider's sending number may need an API read).
    hasPhone && now >= debounceEndOf(ctx.settings, call.capturedAt) ? ctx.canSend() : true,
    recentAutomaticTexts(db, now),
  ]);
  const verdict: AutoTextVerdict = decideAutoText({
    now,
    settings: ctx.settings,
    firmTimeZone: ctx.firm.timeZone,
    call,
    lead,
    optedOut,
    cannotReceiveSms: notMobile,
    lastAutomaticTextAt: lastText?.at,
    canSend: sendable,
    recentAutomaticTexts: recent,
  });

  switch (verdict.kind) {
    case 'wait':
      await recordOnCall(db, call.id, {
        state: verdict.reason === 'quiet-hours' ? 'held' : 'waiting',
        until: verdict.until,
        ...(verdict.reason === 'quiet-hours' ? { zones: verdict.zones.zones } : {}),
        at: now,
      });
      return { done: false, dueAt: verdict.until };
    case 'skip': {
      await recordOnCall(db, call.id, { state: 'skipped', reason: verdict.reason, at: now });
      const since = ctx.settings.enabledAt ?? 0;
      if (verdict.flag && call.startedAt >= since) {
        await flagLead(db, lead.id, {
          at: now,
          callId: call.id,
          reason: verdict.reason as NoAutoTextFlag['reason'],
        });
      }
      return { done: true };
    }
    case 'send': {
      const body = await ctx.render(lead);
      await enqueueText(
        db,
        {
          leadId: lead.id,
          phoneKey,
          to: lead.phone!,
          body,
          automatic: true,
          key,
          callId: call.id,
        },
        now,
      );
      await recordOnCall(db, call.id, { state: 'queued', at: now });
      ctx.drain();
      return { done: true };
    }
  }
}

async function giveUp(ctx: Ctx, entry: PendingAutoText, error: unknown): Promise<void> {
  const now = ctx.now();
  const call = await ctx.db.calls.get(entry.callId);
  if (!call) return;
  const reason = `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
  await recordOnCall(ctx.db, call.id, { state: 'skipped', reason, at: now });
  await flagLead(ctx.db, call.leadId, { at: now, callId: call.id, reason: 'failed' });
}

let timer: ReturnType<typeof setTimeout> | undefined;

async function scheduleWithBrowser(at: number, run: () => void): Promise<void> {
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(run, Math.max(0, at - Date.now()));
  // Backstop if the worker is stopped before the timer fires (fires ≥ 30 s after now).
  await browser.alarms.create(AUTO_TEXT_ALARM, { when: at });
}

/**
 * Decide about every waiting call that is due, keep the rest, and set the timer and alarm
 * for the next. Safe to run at any time, as often as wanted (each call is decided once,
 * each text queued once).
 */
export async function processAutoTexts(deps: AutoTextDeps = {}): Promise<void> {
  const db = deps.db ?? defaultDb;
  const now = deps.now ?? Date.now;
  await serialAutoText(async () => {
    const pending = await pendingAutoTextsItem.getValue();
    if (pending.length === 0) return;
    const [settings, firm] = await Promise.all([
      (deps.settings ?? getAutoTextSettings)(),
      (deps.firmSettings ?? getSettings)(),
    ]);
    const ctx: Ctx = {
      db,
      now,
      settings,
      firm,
      canSend: deps.canSend ?? (async () => (await canSend(db)).ok),
      render:
        deps.render ?? (async (lead: Lead) => (await renderForLead('sms.autoText', lead)).body),
      drain: deps.drain ?? (() => undefined),
    };
    const keep: PendingAutoText[] = [];
    for (const entry of pending) {
      if (entry.dueAt > now() + DUE_SLACK_MS) {
        keep.push(entry);
        continue;
      }
      try {
        const outcome = await decideOne(entry, ctx);
        if (!outcome.done) keep.push({ ...entry, dueAt: outcome.dueAt });
      } catch (error) {
        // Tried again shortly (a database hiccup must not lose the caller's text); after a
        // few failures the lead is marked so staff text the caller themselves.
        console.error('Automatic text: could not decide', error);
        const failures = (entry.failures ?? 0) + 1;
        if (failures < MAX_FAILURES) keep.push({ ...entry, failures, dueAt: now() + 15_000 });
        else await giveUp(ctx, entry, error).catch(() => undefined);
      }
    }
    // Every writer of the list goes through serialAutoText: the list read above is current.
    await pendingAutoTextsItem.setValue(keep);
    const next = keep.reduce((min, e) => Math.min(min, e.dueAt), Infinity);
    if (Number.isFinite(next)) {
      if (deps.schedule) await deps.schedule(next);
      else
        await scheduleWithBrowser(next, () => {
          void processAutoTexts(deps).catch((error: unknown) =>
            console.error('Automatic text failed', error),
          );
        });
    } else {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (!deps.schedule) await browser.alarms.clear(AUTO_TEXT_ALARM);
    }
  });
}

/**
 * Background wiring: the alarm listener (registered synchronously at start, as MV3 needs),
 * the processor capture calls into, and a pass at start for what a stopped worker left.
 */
export function setupAutoText(deps: AutoTextDeps = {}): void {
  const run = () => {
    void processAutoTexts(deps).catch((error: unknown) =>
      console.error('Automatic text failed', error),
    );
  };
  setAutoTextProcessor(() => processAutoTexts(deps));
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === AUTO_TEXT_ALARM) run();
  });
  run();
}

/** For Options: what the automatic text is waiting on now. */
export async function pendingAutoTextSummary(
  db: CallbackDeskDB = defaultDb,
): Promise<{ waiting: number; held: number }> {
  const pending = await pendingAutoTextsItem.getValue();
  const calls = await db.calls.bulkGet(pending.map((p) => p.callId));
  const held = calls.filter((c) => c?.autoText?.state === 'held').length;
  return { waiting: pending.length - held, held };
}
