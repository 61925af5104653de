import { defineExtensionMessaging } from '@webext-core/messaging';
import type { IncomingCall, LeadPatch, AttemptInput, Lead, Attempt } from './model';
import type { CaptureResult } from './leads';
import type { DockPrefs } from './settings';

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
  /** Dock preferences for the sender tab's site. */
  getDockPrefs(): DockPrefs;
  setDockPrefs(prefs: Partial<DockPrefs>): DockPrefs;
  /** Open the browser side panel (from a user gesture in an extension page). */
  ping(): 'pong';
}

export const { sendMessage, onMessage, removeAllListeners } = defineExtensionMessaging<ProtocolMap>();
