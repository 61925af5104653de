import { describe, expect, it } from 'vitest';
import { summarizeSync } from '@/utils/crm/syncStatus';
import type { SyncJob } from '@/utils/crm/model';

function job(kind: SyncJob['kind'], patch: Partial<SyncJob> = {}): SyncJob {
  return {
    id: `${kind}-id`,
    idempotencyKey: `a1:hubspot:${kind}`,
    system: 'hubspot',
    kind,
    leadId: 'lead-1',
    payload: { kind: 'note', at: 0, subject: 's', body: 'b' },
    state: 'queued',
    tries: 0,
    nextTryAt: 1_000,
    maybeCreated: false,
    createdAt: 0,
    updatedAt: 0,
    ...patch,
  } as SyncJob;
}

const keys = ['a1:hubspot:call', 'a1:hubspot:note', 'a1:hubspot:task'];

describe('summarizeSync', () => {
  it('says what is not sent yet, before anything is queued', () => {
    expect(summarizeSync([], [])).toEqual({ state: 'none' });
    expect(summarizeSync([], keys)).toEqual({ state: 'unsent', unsent: 3 });
  });

  it('a failure outranks everything, with its reason', () => {
    const jobs = [
      job('call', { state: 'synced', syncedAt: 5 }),
      job('note', { state: 'failed', lastError: 'Reconnect HubSpot: …' }),
      job('task', { state: 'syncing' }),
    ];
    expect(summarizeSync(jobs, keys)).toEqual({
      state: 'failed',
      reason: 'Reconnect HubSpot: …',
      failed: 1,
      total: 3,
    });
  });

  it('shows progress while syncing, and the wait and its cause while queued', () => {
    expect(
      summarizeSync(
        [job('call', { state: 'synced' }), job('note', { state: 'syncing' }), job('task')],
        keys,
      ),
    ).toEqual({ state: 'syncing', done: 1, total: 3 });
    expect(
      summarizeSync(
        [
          job('call', { state: 'synced' }),
          job('note', { nextTryAt: 9_000, lastError: 'api.hubapi.com answered 500.' }),
          job('task', { nextTryAt: 4_000 }),
        ],
        keys,
      ),
    ).toEqual({ state: 'queued', done: 1, total: 3, nextTryAt: 4_000 });
  });

  it('tells the user when records wait for a contact', () => {
    const waiting = job('call', {
      waitingFor: 'contact',
      lastError: 'Waiting for the HubSpot contact: choose one or create it.',
    });
    expect(summarizeSync([waiting], keys)).toMatchObject({
      state: 'waiting',
      message: 'Waiting for the HubSpot contact: choose one or create it.',
    });
  });

  it('is synced (with link) only when every record is in and nothing new is unsent', () => {
    const done = keys.map((k, i) =>
      job(['call', 'note', 'task'][i] as SyncJob['kind'], {
        idempotencyKey: k,
        state: 'synced',
        syncedAt: 100 + i,
        remoteUrl: 'https://app.hubspot.com/contacts/1/record/0-1/7',
      }),
    );
    expect(summarizeSync(done, keys)).toEqual({
      state: 'synced',
      total: 3,
      syncedAt: 102,
      url: 'https://app.hubspot.com/contacts/1/record/0-1/7',
    });
    expect(summarizeSync(done, [...keys, 'a2:hubspot:note'])).toEqual({
      state: 'unsent',
      unsent: 1,
    });
  });

  it('while the contact is being created, its records say so instead of asking the user', () => {
    const waiting = {
      waitingFor: 'contact' as const,
      nextTryAt: Number.MAX_SAFE_INTEGER,
      lastError: 'Waiting for the HubSpot contact: choose one or create it.',
    };
    const jobs = [
      job('contact', { state: 'queued', maybeCreated: true }),
      job('call', waiting),
      job('note', waiting),
    ];
    expect(summarizeSync(jobs, keys, 'HubSpot')).toMatchObject({
      state: 'waiting',
      message: 'Creating the HubSpot contact…',
    });
    // No contact on its way: the user is asked.
    expect(summarizeSync(jobs.slice(1), keys, 'HubSpot')).toMatchObject({
      state: 'waiting',
      message: 'Waiting for the HubSpot contact: choose one or create it.',
    });
  });
});
