import { describe, expect, it } from 'vitest';
import { routedFetch } from '../emulators/route.ts';
import type { Attempt, Lead } from '@/utils/model';
import { buildSyncDrafts, coveredByLegacyNote, taskCompletionDrafts } from '@/utils/crm/records';
import { summarizeSync } from '@/utils/crm/syncStatus';
import { enqueueAttemptSync } from '@/utils/crm/attemptSync';
import { writeCredentials } from '@/utils/crm/tokens';
import type { CrmSystem, SyncJob, TextPayload, EmailPayload } from '@/utils/crm/model';
import { drainOutbox, type DrainReport, type OutboxDeps } from '@/utils/outbox/outbox';
import {
  advance,
  advanceTo,
  clio,
  db,
  deps,
  hubspot,
  hubspotConnector,
  lead,
  now,
  settings,
  t0,
  useOutboxWorld,
} from './outboxWorld.ts';

/**
 * Texts and emails reach the CRM as what they are — a HubSpot communication (SMS) or email,
 * a Clio communication — exactly once, whatever happens to the request: 5xx after the
 * write, a dropped connection, a worker killed mid-create, a search index that lags.
 */
useOutboxWorld('crm-comms');

const MESSAGE = 'Hi Dana, this is Ana from My Law Firm returning your call. Call us at 555-0100.';

async function addAttempt(leadId: string, fields: Partial<Attempt> & Pick<Attempt, 'method'>) {
  const attempt: Attempt = {
    id: crypto.randomUUID(),
    leadId,
    at: t0 + 10 * 60_000,
    outcome: 'sent',
    by: 'ana',
    ...fields,
  };
  await db.attempts.add(attempt);
  return attempt;
}

async function jobs(): Promise<SyncJob[]> {
  return (await db.outbox.toArray()) as unknown as SyncJob[];
}

async function drainUntilIdle(d: () => OutboxDeps, rounds = 20): Promise<DrainReport> {
  let report = await drainOutbox(d());
  for (let i = 0; i < rounds && report.nextTryAt !== null; i++) {
    advanceTo(report.nextTryAt + 1);
    report = await drainOutbox(d());
  }
  return report;
}

/** Queue the lead's text and email records (what Sync or enqueueAttemptSync queues). */
async function enqueueComms(system: CrmSystem, leadId: string) {
  const { enqueueDrafts } = await import('@/utils/outbox/outbox');
  const l = (await db.leads.get(leadId))!;
  const attempts = await db.attempts.where('leadId').equals(leadId).toArray();
  const drafts = buildSyncDrafts({ system, lead: l, attempts, settings }).filter(
    (d) => d.kind === 'text' || d.kind === 'email',
  );
  return enqueueDrafts(db, drafts, now());
}

const communications = () => hubspot.records('communications');
const emails = () => hubspot.records('emails');

describe('drafts: a text is a communication, an email an email (no duplicate note)', () => {
  it('a text attempt gives one text record carrying the message, and no call or note', async () => {
    const l = await lead('(415) 555-0201');
    const text = await addAttempt(l.id, { method: 'text', message: MESSAGE, to: '+14155550201' });
    const drafts = buildSyncDrafts({
      system: 'hubspot',
      lead: l,
      attempts: [text],
      settings,
    }).filter((d) => d.attemptId === text.id && d.kind !== 'task');
    // (The follow-up task for the next attempt hangs on the latest attempt, as for calls.)
    expect(drafts.map((d) => d.kind)).toEqual(['text']);
    const payload = drafts[0]!.payload as TextPayload;
    expect(payload.body.startsWith(MESSAGE)).toBe(true);
    expect(payload.body).toContain('Callback attempt 1 of 3 by Ana Lopez.');
    expect(payload).toMatchObject({ toNumber: '+14155550201', automatic: false, staffId: 'ana' });
    expect(drafts[0]!.idempotencyKey).toBe(`${text.id}:hubspot:text`);
  });

  it('an automatic text says so in its subject and body, and is not counted as a callback', async () => {
    const l = await lead('(415) 555-0202');
    const auto = await addAttempt(l.id, {
      method: 'text',
      message: 'We missed your call. We are returning it now.',
      automatic: true,
      by: undefined,
      at: t0 + 30_000,
    });
    const attempts = await db.attempts.where('leadId').equals(l.id).toArray();
    const drafts = buildSyncDrafts({ system: 'clio', lead: l, attempts, settings });
    const text = drafts.find((d) => d.attemptId === auto.id)!.payload as TextPayload;
    expect(text.subject).toMatch(/^Automatic text to Dana Whitfield/);
    expect(text.body).toMatch(/^Automatic text:\nWe missed your call/);
    expect(text.body).not.toMatch(/Callback attempt/);
    expect(text.automatic).toBe(true);
    // The call made after it is still callback attempt 1.
    const note = drafts.find((d) => d.kind === 'note')!;
    expect(note.payload).toMatchObject({ subject: 'Callback attempt 1: No answer' });
  });

  it('an email attempt gives one email record with its subject, body and address', async () => {
    const l = await lead('(415) 555-0203');
    const email = await addAttempt(l.id, {
      method: 'email',
      subject: 'Your consultation with My Law Firm',
      message: 'Dear Dana,\nthank you for speaking with us.',
      to: 'dana@example.com',
    });
    const drafts = buildSyncDrafts({ system: 'hubspot', lead: l, attempts: [email], settings });
    expect(
      drafts.filter((d) => d.attemptId === email.id && d.kind !== 'task').map((d) => d.kind),
    ).toEqual(['email']);
    expect(drafts[0]!.payload as EmailPayload).toMatchObject({
      subject: 'Your consultation with My Law Firm',
      body: 'Dear Dana,\nthank you for speaking with us.',
      to: 'dana@example.com',
      from: 'ana@firm.example',
    });
  });
});

describe('follow-up tasks', () => {
  const synced = (fields: Partial<SyncJob>): SyncJob =>
    ({
      id: crypto.randomUUID(),
      system: 'hubspot',
      leadId: 'lead',
      state: 'synced',
      tries: 1,
      nextTryAt: 0,
      maybeCreated: false,
      createdAt: 0,
      updatedAt: 0,
      ...fields,
    }) as SyncJob;
  const task = synced({
    kind: 'task',
    attemptId: 'a1',
    idempotencyKey: 'a1:hubspot:task',
    remoteId: '900',
    payload: { kind: 'task', dueAt: 1, subject: 's', body: 'b', priority: 'normal' },
  });
  const text = (automatic: boolean) =>
    synced({
      kind: 'text',
      attemptId: 'a2',
      idempotencyKey: 'a2:hubspot:text',
      remoteId: '901',
      payload: { kind: 'text', at: 2, subject: 's', body: 'b', toNumber: '+1', automatic },
    });
  const attempts = [
    { id: 'a1', at: 1 },
    { id: 'a2', at: 2 },
  ];

  it('a text sent by staff after the task completes it (a newer callback attempt)', () => {
    expect(taskCompletionDrafts([task, text(false)], attempts)).toHaveLength(1);
  });

  it('an automatic text does not complete the open follow-up task (it is no callback)', () => {
    expect(taskCompletionDrafts([task, text(true)], attempts)).toEqual([]);
  });

  it('a text an earlier version logged as a note is not logged again, nor shown as unsent', () => {
    const note = synced({ kind: 'note', attemptId: 'a2', idempotencyKey: 'a2:hubspot:note' });
    const known = new Set([note.idempotencyKey]);
    expect(coveredByLegacyNote('a2:hubspot:text', known)).toBe(true);
    expect(coveredByLegacyNote('a2:hubspot:email', known)).toBe(true);
    expect(coveredByLegacyNote('a3:hubspot:text', known)).toBe(false);
    expect(summarizeSync([note], ['a2:hubspot:text']).state).toBe('synced');
  });
});

describe('HubSpot: texts and emails land on the contact (validated against the specs)', () => {
  it('a text becomes an SMS communication and an email an email, both on the contact', async () => {
    const l = await lead('(415) 555-0211');
    await addAttempt(l.id, { method: 'text', message: MESSAGE });
    await addAttempt(l.id, {
      method: 'email',
      subject: 'Next steps',
      message: 'Dear Dana,\nsee you Monday.',
      to: 'dana@example.com',
      at: t0 + 20 * 60_000,
    });
    await enqueueComms('hubspot', l.id);
    await drainUntilIdle(() => deps());
    const contactId = l.crmLinks![0]!.contactId;
    const [sms] = hubspot.associatedWith(contactId, 'communications');
    expect(sms!.properties).toMatchObject({
      hs_communication_channel_type: 'SMS',
      hs_communication_logged_from: 'CRM',
    });
    expect(sms!.properties.hs_communication_body).toContain(MESSAGE);
    expect(sms!.associations).toEqual([{ toType: 'contacts', toId: contactId, typeId: 81 }]);
    const [mail] = hubspot.associatedWith(contactId, 'emails');
    expect(mail!.properties).toMatchObject({
      hs_email_direction: 'EMAIL',
      hs_email_status: 'SENT',
      hs_email_subject: 'Next steps',
      hs_email_to_email: 'dana@example.com',
      hs_email_from_email: 'ana@firm.example',
    });
    expect(mail!.properties.hs_email_text).toMatch(/^Dear Dana,\nsee you Monday\./);
    expect(mail!.associations[0]!.typeId).toBe(198);
    expect((await jobs()).map((j) => j.state)).toEqual(['synced', 'synced']);
  });
});

describe('exactly once under faults (texts and emails)', () => {
  for (const kind of ['500-after', 'drop-after', 'timeout-after'] as const) {
    it(`HubSpot answers ${kind} after writing: the text and the email are each found, not re-created`, async () => {
      const l = await lead('(415) 555-0221');
      await addAttempt(l.id, { method: 'text', message: MESSAGE });
      await addAttempt(l.id, {
        method: 'email',
        subject: 'Next steps',
        message: 'Body',
        to: 'dana@example.com',
      });
      await enqueueComms('hubspot', l.id);
      hubspot.faults.push({ kind, match: /^POST \/crm\/v3\/objects\/communications/ });
      hubspot.faults.push({ kind, match: /^POST \/crm\/v3\/objects\/emails/ });
      await drainUntilIdle(() => deps({ batching: false }));
      expect(communications()).toHaveLength(1);
      expect(emails()).toHaveLength(1);
      const all = await jobs();
      expect(all.map((j) => j.state)).toEqual(['synced', 'synced']);
      expect(all.find((j) => j.kind === 'text')!.remoteId).toBe(communications()[0]!.id);
      expect(all.find((j) => j.kind === 'email')!.remoteId).toBe(emails()[0]!.id);
    });
  }

  it('a batch of texts answered 500 after the write is looked up by marker, not resent', async () => {
    const leads: Lead[] = [];
    for (const n of ['0231', '0232', '0233']) {
      const l = await lead(`(415) 555-${n}`);
      await addAttempt(l.id, { method: 'text', message: `${MESSAGE} ${n}` });
      await enqueueComms('hubspot', l.id);
      leads.push(l);
    }
    hubspot.faults.push({ kind: '500-after', match: /communications\/batch\/create/ });
    await drainUntilIdle(() => deps());
    expect(communications()).toHaveLength(3);
    expect((await jobs()).every((j) => j.state === 'synced')).toBe(true);
  });

  it('a lagging search index: the lookup waits for it, then finds the record (one communication)', async () => {
    const l = await lead('(415) 555-0241');
    await addAttempt(l.id, { method: 'text', message: MESSAGE });
    await enqueueComms('hubspot', l.id);
    // New records take three minutes to show in search; the create's answer is lost.
    hubspot.options.searchLagMs = 3 * 60_000;
    hubspot.faults.push({ kind: '500-after', match: /^POST \/crm\/v3\/objects\/communications/ });
    const first = await drainOutbox(deps({ batching: false }));
    expect(first.nextTryAt).not.toBeNull();
    const [waiting] = await jobs();
    expect(waiting).toMatchObject({ state: 'queued', maybeCreated: true });
    // Searches during the lag find nothing; the job keeps waiting instead of re-creating.
    advance(60_000);
    await drainOutbox(deps({ batching: false }));
    expect(communications()).toHaveLength(1);
    expect((await jobs())[0]!.state).toBe('queued');
    await drainUntilIdle(() => deps({ batching: false }));
    expect(communications()).toHaveLength(1);
    expect((await jobs())[0]).toMatchObject({
      state: 'synced',
      remoteId: communications()[0]!.id,
    });
  });

  it('the worker is killed between sending an email and saving the answer: the next worker finds it', async () => {
    const l = await lead('(415) 555-0251');
    await addAttempt(l.id, { method: 'email', subject: 'S', message: 'B', to: 'd@example.com' });
    await enqueueComms('hubspot', l.id);
    let died = false;
    const base = routedFetch({ 'https://api.hubapi.com': hubspot.url });
    const dying: typeof fetch = async (input, init) => {
      const response = await base(input, init);
      if (!died && init?.method === 'POST' && String(input).endsWith('/crm/v3/objects/emails')) {
        died = true;
        return new Promise<Response>(() => undefined); // the worker is gone: no answer
      }
      return response;
    };
    void drainOutbox(
      deps({ runId: 'worker-a', batching: false, connector: () => hubspotConnector(dying) }),
    );
    await expect.poll(() => emails().length).toBe(1);
    await expect.poll(async () => (await jobs())[0]!.state).toBe('syncing');
    await drainUntilIdle(() => deps({ runId: 'worker-b', batching: false }));
    expect(emails()).toHaveLength(1);
    expect((await jobs())[0]).toMatchObject({ state: 'synced', remoteId: emails()[0]!.id });
  });

  it('Clio: a text and an email answered 500 after the write are found by their external property', async () => {
    const l = await lead('(415) 555-0261', { link: false });
    const contact = clio.seedContact({
      first_name: 'Dana',
      last_name: 'Whitfield',
      numbers: ['(415) 555-0261'],
    });
    await db.leads.update(l.id, {
      crmLinks: [{ system: 'clio', contactId: String(contact.id), name: contact.name }],
    });
    await addAttempt(l.id, { method: 'text', message: MESSAGE, automatic: true });
    await addAttempt(l.id, {
      method: 'email',
      subject: 'Next steps',
      message: 'Dear Dana',
      to: 'dana@example.com',
    });
    await enqueueComms('clio', l.id);
    clio.faults.push({ kind: '500-after', match: /^POST \/api\/v4\/communications/, times: 2 });
    await drainUntilIdle(() => deps());
    expect(clio.communications.map((c) => c.type).sort()).toEqual([
      'EmailCommunication',
      'PhoneCommunication',
    ]);
    const sms = clio.communications.find((c) => c.type === 'PhoneCommunication')!;
    expect(sms.subject).toMatch(/^Automatic text to Dana Whitfield/);
    expect(sms.body).toContain(MESSAGE);
    expect(sms.receivers).toEqual([{ id: contact.id, type: contact.type, name: contact.name }]);
    const mail = clio.communications.find((c) => c.type === 'EmailCommunication')!;
    expect(mail).toMatchObject({ subject: 'Next steps' });
    expect(mail.body).toMatch(/^To: dana@example.com\n\nDear Dana/);
    expect((await jobs()).map((j) => j.state)).toEqual(['synced', 'synced']);
  });
});

describe('enqueueAttemptSync: a text sent from the lead goes to the CRM without Sync', () => {
  /** HubSpot portal 77 connected; `leadId`'s link recorded in that portal. */
  async function connectHubSpot(leadId?: string) {
    await writeCredentials(db, 'hubspot', {
      auth: 'private-app',
      token: 'pat-a-token',
      portalId: '77',
      account: { id: '77', name: 'HubSpot account 77', key: '77' },
      connectedAt: t0,
    });
    if (!leadId) return;
    const l = (await db.leads.get(leadId))!;
    await db.leads.update(leadId, {
      crmLinks: l.crmLinks!.map((link) => ({ ...link, account: '77' })),
    });
  }
  const portal77 = () =>
    deps({
      connector: () => {
        const c = hubspotConnector();
        return Object.assign(Object.create(Object.getPrototypeOf(c) as object), c, {
          accountKey: '77',
        }) as typeof c;
      },
    });

  it('queues the text once when the lead is linked in the connected CRM', async () => {
    const l = await lead('(415) 555-0271');
    await connectHubSpot(l.id);
    const text = await addAttempt(l.id, { method: 'text', message: MESSAGE });
    expect(await enqueueAttemptSync(db, l.id, text.id, { settings, now: now() })).toBe(1);
    expect(await enqueueAttemptSync(db, l.id, text.id, { settings, now: now() })).toBe(0);
    const [job] = await jobs();
    expect(job).toMatchObject({ kind: 'text', system: 'hubspot', state: 'queued', account: '77' });
    await drainUntilIdle(portal77);
    expect(communications()).toHaveLength(1);
    // A later one-click Sync queues the same key: nothing is written twice.
    await enqueueComms('hubspot', l.id);
    await drainUntilIdle(portal77);
    expect(communications()).toHaveLength(1);
  });

  it('queues nothing when the lead has no contact yet, or no CRM is connected', async () => {
    const l = await lead('(415) 555-0272');
    const text = await addAttempt(l.id, { method: 'text', message: MESSAGE });
    expect(await enqueueAttemptSync(db, l.id, text.id, { settings })).toBe(0);
    await connectHubSpot();
    // Linked in another portal only: that contact is not this portal's.
    expect(await enqueueAttemptSync(db, l.id, text.id, { settings })).toBe(0);
    await db.leads.update(l.id, { crmLinks: [] });
    expect(await enqueueAttemptSync(db, l.id, text.id, { settings })).toBe(0);
    expect(await db.outbox.count()).toBe(0);
  });

  it('a call attempt is left to the one-click Sync (its note and follow-up task go together)', async () => {
    const l = await lead('(415) 555-0273');
    await connectHubSpot(l.id);
    const [call] = await db.attempts.where('leadId').equals(l.id).toArray();
    expect(await enqueueAttemptSync(db, l.id, call!.id, { settings })).toBe(0);
  });
});
