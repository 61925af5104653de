import { storage } from '#imports';
import { z } from 'zod';
import { CrmSystem } from '../crm/model';

/**
 * "Share the queue through HubSpot / Clio" (Options → Team): off by default. Turning it on
 * records when, so leads from before (history) are not all published at once.
 */
export const SharedQueueConfig = z.object({
  enabled: z.boolean(),
  system: CrmSystem,
  /** When sharing was turned on (leads older than a day before it are not published). */
  enabledAt: z.number().int().nonnegative(),
});
export type SharedQueueConfig = z.infer<typeof SharedQueueConfig>;

export const DEFAULT_SHARED_QUEUE: SharedQueueConfig = {
  enabled: false,
  system: 'hubspot',
  enabledAt: 0,
};

export const sharedQueueItem = storage.defineItem<SharedQueueConfig>('local:sharedQueue', {
  fallback: DEFAULT_SHARED_QUEUE,
  version: 1,
});

/** A stored value that no longer fits is read as "off" rather than breaking the pass. */
export async function readSharedQueueConfig(): Promise<SharedQueueConfig> {
  const parsed = SharedQueueConfig.safeParse(await sharedQueueItem.getValue());
  return parsed.success ? parsed.data : DEFAULT_SHARED_QUEUE;
}

/** What the last pass did, for the Settings section (written by the background). */
export interface SharedQueueStatus {
  at: number;
  system: CrmSystem;
  /** "Read 3 changed tasks; 1 new lead from a colleague." */
  message: string;
  error?: string;
  /** A 429 made the reads wait until then. */
  waitingUntil?: number;
  /** Shared-queue writes still in the outbox. */
  pending: number;
}

export const sharedQueueStatusItem = storage.defineItem<SharedQueueStatus | null>(
  'local:sharedQueueStatus',
  { fallback: null, version: 1 },
);
