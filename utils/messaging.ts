import { defineExtensionMessaging } from '@webext-core/messaging';
import type { IncomingCall, LeadPatch, AttemptInput, Lead, Attempt } from './model';
import type { CaptureResult } from './leads';
import type { DockPrefs } from './settings';
import type { AdapterHealthReport } from './adapterHealth';
import type { CustomAdapterConfig } from './adapters/customConfig';
import type { CustomAdapterPreview, PreviewRequest } from './customPortal';
import type { PollOutcome } from './sources/poller';

export interface BadgeState {
  overdue: number;
  dueSoon: number;
  text: string;
  color: string;
  title: string;
}

/**
 * The whole message protocol. Every handler validates its input with zod: content scripts
 * run inside pages we do not control, so their messages are untrusted.
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
  /** Dock preferences for the sender tab's site. */
  getDockPrefs(): DockPrefs;
  setDockPrefs(prefs: Partial<DockPrefs>): DockPrefs;
  /** Open the browser side panel (from a user gesture in an extension page). */
  ping(): 'pong';
}

export const { sendMessage, onMessage, removeAllListeners } = defineExtensionMessaging<ProtocolMap>();
