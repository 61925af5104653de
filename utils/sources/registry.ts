import { aircallSource } from './aircall';
import { clioCallsSource } from './clioCalls';
import { dialpadSource } from './dialpad';
import { hubSpotCallsSource } from './hubspotCalls';
import { ringCentralSource } from './ringcentral';
import type { CallSource, SourceId } from './types';

/** A source whatever its config and credentials types (each validates its own with zod). */
export type AnyCallSource = CallSource<unknown, unknown>;
import { twilioSource } from './twilio';

/** Every polled source, in the order Options lists them. Adding a source = one file + one line here. */
export const SOURCES: readonly AnyCallSource[] = [
  ringCentralSource,
  aircallSource,
  twilioSource,
  dialpadSource,
  hubSpotCallsSource,
  clioCallsSource,
];

export function sourceById(id: string): AnyCallSource | undefined {
  return SOURCES.find((s) => s.id === id);
}

export type { SourceId };
