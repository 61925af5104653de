import { aircallSource } from './aircall';
import { clioCallLog } from './clioCalls';
import { dialpadSource } from './dialpad';
import { hubSpotCallLog } from './hubspotCalls';
import { ringCentralSource } from './ringcentral';
import { twilioSource } from './twilio';
import type { CrmSystem } from '../../crm/model';
import type { CallSource, CrmCallLog, SourceId } from './types';

/** A source whatever its config and credentials types (each validates its own with zod). */
export type AnyCallSource = CallSource<unknown, unknown>;

/**
 * Every phone provider's API, in the order Options lists them. Adding a source = one file +
 * one line here.
 */
export const SOURCES: readonly AnyCallSource[] = [
  ringCentralSource,
  aircallSource,
  twilioSource,
  dialpadSource,
];

/** CRM call logs: polled like the sources, authenticated by the CRM connection. */
export const CRM_CALL_LOGS: readonly CrmCallLog[] = [hubSpotCallLog, clioCallLog];

export function sourceById(id: string): AnyCallSource | undefined {
  return SOURCES.find((s) => s.id === id);
}

export function crmCallLogById(id: string): CrmCallLog | undefined {
  return CRM_CALL_LOGS.find((l) => l.id === id);
}

export function crmCallLogOf(system: CrmSystem): CrmCallLog {
  return CRM_CALL_LOGS.find((l) => l.crm === system)!;
}

export type { SourceId };
