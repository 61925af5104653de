import { browser } from '#imports';
import { z } from 'zod';
import type { Browser } from 'wxt/browser';
import { db } from './db';
import { captureCalls, patchLead, recomputeOpenDueTimes, recordAttempt } from './queue/leads';
import { clearLeadNotifications, notifyNewCalls, refreshBadge } from './queue/alerts';
import { onMessage } from './messaging';
import { AdapterHealthReport, recordAdapterHealth } from './capture/health';
import { adapterForUrl, CUSTOM_ADAPTER_ID, SITE_ADAPTERS } from './capture/adapters/registry';
import { customConfigForHost, previewCustomAdapter } from './capture/customPortal';
import { DockPrefs, dockPrefsItem, getSettings } from './settings';
import { pollDueSources, pollSource } from './capture/sources/poller';
import { SOURCE_IDS } from './capture/sources/types';
import { kickOutbox, registerCrmHandlers } from './crm/background';
import { registerTextHandlers } from './workflow/textService';
import { recordEmailSent } from './workflow/emailService';
import { noteCapturedCalls } from './workflow/autoTextStore';
import { registerVoicemailHandlers } from './capture/sources/voicemailAudio';
import { checkExistingClients, registerTeamHandlers } from './team/background';
import { registerMetricsHandlers } from './metrics/background';

type Sender = Browser.runtime.MessageSender;

/** Largest batch a page may report at once; a portal page shows far fewer rows. */
const MAX_BATCH_FROM_PAGE = 500;

/**
 * Our own pages report our origin as their URL wherever they are shown: side panel, a tab
 * (options, sidebar fallback) or the dock's iframe inside a CRM tab (which also sets
 * `sender.tab`). A content script reports the web page's URL.
 */
export function isExtensionPage(sender: Sender): boolean {
  return (sender.url ?? '').startsWith(browser.runtime.getURL('/'));
}

/** Messages that change leads come only from our own pages, never from a content script. */
function requireExtensionPage(sender: Sender): void {
  if (!isExtensionPage(sender)) throw new Error('Rejected: only Callback Desk pages may do this.');
}

function siteOf(sender: Sender): string {
  const url = sender.tab?.url ?? sender.url;
  if (!url) throw new Error('Rejected: unknown sender.');
  return new URL(url).hostname;
}

/**
 * A content script reports only what it read from its page; what the call is attributed
 * to is decided here, not by the page. The provider is the adapter of the sender's own
 * page (by its URL, as the browser reports it); source and practice area come from the
 * firm's source rules (left unset, so the rules decide); the capture path is "portal". The
 * rest (number, time, caller-ID name, dialled line, the agent the portal row names, the
 * portal's call id) is what the page showed.
 */
async function asReadFromPortal(sender: Sender, calls: unknown[]): Promise<unknown[]> {
  const url = sender.url ?? sender.tab?.url;
  const host = url ? URL.parse(url)?.hostname : undefined;
  const adapter = url && host ? adapterForUrl(url, await customConfigForHost(host)) : undefined;
  if (!adapter) throw new Error('Rejected: calls are captured only from phone portal pages.');
  return calls.map((call) => {
    if (typeof call !== 'object' || !call) return call;
    const {
      source: _source,
      practiceArea: _practiceArea,
      ...read
    } = call as Record<string, unknown>;
    return { ...read, provider: adapter.id, capturePath: 'portal' };
  });
}

export function setupMessageHandlers(): void {
  onMessage('captureCalls', async ({ data, sender }) => {
    const fromPage = !isExtensionPage(sender);
    const calls = z
      .array(z.unknown())
      .max(fromPage ? MAX_BATCH_FROM_PAGE : 5_000)
      .parse(data);
    const input = fromPage ? await asReadFromPortal(sender, calls) : calls;
    const result = await captureCalls(db, await getSettings(), input);
    if (result.added.length > 0 || result.answeredClosed > 0) await refreshBadge();
    if (result.added.length > 0) await notifyNewCalls(result.added);
    await noteCapturedCalls(result.added);
    // Existing clients: looked up in the CRM in the background (not awaited).
    void checkExistingClients(result.added.filter((a) => a.newLead).map((a) => a.leadId));
    return result;
  });

  onMessage('recordAttempt', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const result = await recordAttempt(db, await getSettings(), data);
    await refreshBadge();
    // Acted on: its notifications (an emergency one stays until then) go.
    await clearLeadNotifications(result.lead.id);
    return result;
  });

  onMessage('patchLead', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const lead = await patchLead(db, await getSettings(), data);
    await refreshBadge();
    // Claimed or closed: acted on, so its notifications (an emergency one included) go.
    if (lead.status === 'claimed' || lead.status === 'done') await clearLeadNotifications(lead.id);
    return lead;
  });

  onMessage('refreshBadge', () => refreshBadge());

  onMessage('pollNow', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { sourceId } = z.object({ sourceId: z.enum(SOURCE_IDS).optional() }).parse(data ?? {});
    return sourceId ? [await pollSource(sourceId)] : pollDueSources();
  });

  onMessage('recomputeDueTimes', async ({ sender }) => {
    requireExtensionPage(sender);
    const result = await recomputeOpenDueTimes(db, await getSettings());
    await refreshBadge();
    return result;
  });

  onMessage('reportAdapterHealth', async ({ data, sender }) => {
    if (!sender.tab) throw new Error('Rejected: only portal pages report adapter health.');
    const report = AdapterHealthReport.parse(data);
    const known =
      report.adapterId === CUSTOM_ADAPTER_ID ||
      SITE_ADAPTERS.some((a) => a.id === report.adapterId);
    if (!known) throw new Error(`Rejected: unknown adapter "${report.adapterId}".`);
    // The host comes from the browser, not from the page's own claim.
    await recordAdapterHealth(db, siteOf(sender), report);
  });

  onMessage('getCustomAdapterConfig', ({ sender }) => customConfigForHost(siteOf(sender)));

  onMessage('previewCustomAdapter', ({ data, sender }) => {
    requireExtensionPage(sender);
    return previewCustomAdapter(data);
  });

  onMessage('getDockPrefs', async ({ sender }) => {
    const prefs = await dockPrefsItem.getValue();
    return prefs[siteOf(sender)] ?? { open: false, hidden: false };
  });

  onMessage('setDockPrefs', async ({ data, sender }) => {
    const site = siteOf(sender);
    const patch = DockPrefs.partial().strict().parse(data);
    const all = await dockPrefsItem.getValue();
    const next = { open: false, hidden: false, ...all[site], ...patch };
    await dockPrefsItem.setValue({ ...all, [site]: next });
    return next;
  });

  registerCrmHandlers(requireExtensionPage);
  registerTextHandlers(requireExtensionPage);

  // An email opened in the firm's mail: recorded on the lead, its CRM record queued.
  onMessage('recordEmailSent', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { attempt, queued } = await recordEmailSent(db, await getSettings(), data);
    if (queued > 0) kickOutbox();
    await refreshBadge();
    return { attemptId: attempt.id, queued };
  });
  registerVoicemailHandlers(requireExtensionPage);
  registerTeamHandlers(requireExtensionPage);
  registerMetricsHandlers(requireExtensionPage);

  onMessage('ping', () => 'pong' as const);
}
