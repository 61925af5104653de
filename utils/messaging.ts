import { defineExtensionMessaging } from '@webext-core/messaging';
import type {
  AdapterHealthReport,
  Attempt,
  AttemptInput,
  BadgeState,
  CaptureResult,
  CustomAdapterConfig,
  CustomAdapterPreview,
  IncomingCall,
  Lead,
  LeadPatch,
  MessageJob,
  PollOutcome,
  PreviewRequest,
  SurveyAnswer,
  SurveyInput,
  TextPanelInfo,
  VoicemailAudio,
} from './model';
import type { DockPrefs } from './settings';
import type {
  ClioRegion,
  CrmConnectionInfo,
  CrmLink,
  CrmSystem,
  CrmUser,
  MatchResult,
} from './crm/model';

/**
 * The whole message protocol. Every handler validates its input with zod: content scripts
 * run inside pages we do not control, so their messages are untrusted. Its types come from
 * the models (utils/model.ts, utils/crm/model.ts), never from an implementation module.
 */
export interface ProtocolMap {
  /** Content scripts (portal pages) and the manual-entry form report missed calls. */
  captureCalls(calls: IncomingCall[]): CaptureResult;
  recordAttempt(input: AttemptInput): { attempt: Attempt; lead: Lead };
  patchLead(input: LeadPatch): Lead;
  /** Recompute the toolbar badge now (after settings change, for example). */
  refreshBadge(): BadgeState;
  /** Options page: re-derive open, untried leads' due times after hours or SLA changed. */
  recomputeDueTimes(): { updated: number };
  /** Portal content scripts: rows seen/read and selector misses since their last report. */
  reportAdapterHealth(report: AdapterHealthReport): void;
  /** Portal content script on a host with no built-in adapter: the firm's custom adapter, if it covers it. */
  getCustomAdapterConfig(): CustomAdapterConfig | null;
  /** Options page: run the custom adapter's selectors on an open tab (live preview). */
  previewCustomAdapter(request: PreviewRequest): CustomAdapterPreview;
  /** Options page: poll connected API sources now (one, or all), respecting rate-limit waits. */
  pollNow(input: { sourceId?: string }): PollOutcome[];
  /** CRM sync (utils/crm/background.ts): our own pages only; tokens never leave the background. */
  crmConnectHubSpotToken(input: { token: string; portalId?: string }): CrmConnectionInfo;
  crmConnectOAuth(
    input:
      | { system: 'hubspot'; clientId: string; clientSecret: string }
      | {
          system: 'clio';
          region: ClioRegion;
          clientId: string;
          clientSecret: string;
          growInboxToken?: string;
        },
  ): CrmConnectionInfo;
  crmDisconnect(input: { system: CrmSystem }): void;
  crmRefreshUsers(input: { system: CrmSystem }): CrmUser[];
  /** Match a lead to a CRM contact by phone (a single match is linked at once). */
  crmMatchLead(input: { leadId: string; system: CrmSystem }): MatchResult;
  crmChooseContact(input: {
    leadId: string;
    system: CrmSystem;
    contact: { id: string; name: string; url?: string };
  }): CrmLink;
  /** One click: the lead's attempts (call, note, follow-up task) into the outbox, then drain. */
  enqueueSync(input: { leadId: string; system: CrmSystem; createContact?: boolean }): {
    queued: number;
  };
  retrySync(input: { leadId: string; system?: CrmSystem }): { requeued: number };
  /** An email opened in the firm's mail (utils/workflow/emailService.ts): recorded, logged to the CRM. */
  recordEmailSent(input: {
    leadId: string;
    kind: 'confirmation' | 'cadence';
    to: string;
    subject: string;
    body: string;
    requestId: string;
  }): { attemptId: string; queued: number };
  /** Drain the outbox now. */
  syncNow(): void;
  /** Lead detail: a call's voicemail recording, fetched by the background (tokens stay there). */
  voicemailAudio(input: { callId: string }): VoicemailAudio;
  /** Lead's text panel (utils/workflow/textService.ts): can a text go, and the rendered template. */
  textPanelInfo(input: { leadId: string }): TextPanelInfo;
  /** Queue a text to the lead (idempotent by `key`, one per compose) and send it now. */
  sendText(input: { leadId: string; body: string; key: string; by?: string }): MessageJob;
  /** Retry a failed text (looked up first if it may have gone). */
  retryText(input: { jobId: string; confirmNotSent?: boolean }): MessageJob;
  cancelText(input: { jobId: string }): MessageJob;
  /** The firm marks (or unmarks) the lead's number as not to be texted. */
  setTextOptOut(input: { leadId: string; optedOut: boolean; reason?: string }): void;
  /** Team (utils/team/background.ts): claim the most urgent unclaimed lead that is mine or nobody's. */
  nextCallback(): { lead: Lead } | { none: string };
  /** Claim a lead for this browser's user ("Sam claimed this a moment ago" when taken). */
  claimLead(input: { leadId: string }): Lead;
  releaseClaim(input: { leadId: string }): Lead;
  /** Shared queue (utils/team/sharedBackground.ts): publish, send and read now; null when off. */
  sharedQueueRefresh(): { message: string; error?: string } | null;
  /** Metrics: read lead dispositions from the connected CRMs (utils/metrics/disposition.ts). */
  refreshDispositions(): { checked: number; retained: number; failed: number };
  /** Metrics: the post-intake survey's answers for a lead; null when all were cleared. */
  saveSurvey(input: SurveyInput): SurveyAnswer | null;
  getSurvey(input: { leadId: string }): SurveyAnswer | null;
  /** Who this browser's user is by the CRM (Clio who_am_i; HubSpot owner by email). */
  teamWhoAmI(input: { system: CrmSystem; email?: string }): {
    system: CrmSystem;
    user?: CrmUser;
    staffId?: string;
    message: string;
  };
  /** Dock preferences for the sender tab's site. */
  getDockPrefs(): DockPrefs;
  setDockPrefs(prefs: Partial<DockPrefs>): DockPrefs;
  /** Open the browser side panel (from a user gesture in an extension page). */
  ping(): 'pong';
}

const messaging = defineExtensionMessaging<ProtocolMap>();

/**
 * What a handler's failure sends back: a plain Error with the message alone. No stack (the
 * library sends `stack` as it is; an empty one keeps it an Error on the receiving side), no
 * cause, no other fields.
 */
function replyError(error: unknown): Error {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const reply = new Error(message || 'Something went wrong.');
  reply.stack = '';
  return reply;
}

export const { sendMessage, removeAllListeners } = messaging;

/**
 * Register a handler. A handler that throws answers with its message only: the library
 * would send the error's stack (background file paths and lines) and any fields on it to
 * whoever asked, content scripts in web pages included.
 */
export const onMessage: typeof messaging.onMessage = (type, onReceived) =>
  messaging.onMessage(type, async (message) => {
    try {
      // `void` (a handler with no answer) is still an answer to the library.
      return (await onReceived(message)) as never;
    } catch (error) {
      throw replyError(error);
    }
  });
