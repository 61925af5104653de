import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startClioEmulator, type ClioEmulator } from '../emulators/clio.ts';
import { routedFetch } from '../emulators/route.ts';
import { memoryLimiterStore, NetworkError, RateLimitError } from '@/utils/http';
import {
  clioAuthorizeUrl,
  ClioConnector,
  exchangeClioCode,
  refreshClioToken,
} from '@/utils/crm/clio';
import { markerFor, type SendItem, type SyncJob, type SyncPayload } from '@/utils/crm/model';
import { storedSession, writeCredentials, type TokenSession } from '@/utils/crm/tokens';
import { CallbackDeskDB } from '@/utils/db';

let emulator: ClioEmulator;
let fetchToEmulator: typeof fetch;
let token: string;

beforeAll(async () => {
  emulator = await startClioEmulator();
  fetchToEmulator = routedFetch({
    'https://app.clio.com': emulator.url,
    'https://eu.app.clio.com': emulator.url,
    'https://grow.clio.com': emulator.url,
  });
});
afterEach(() => {
  try {
    emulator.assertNoViolations();
  } finally {
    emulator.reset();
  }
});
afterAll(() => emulator.close());

function connector(
  session?: TokenSession,
  extra: { timeoutMs?: number; growInboxToken?: string } = {},
) {
  token = emulator.grantToken().access_token;
  const s = session ?? { current: async () => token, afterUnauthorized: async () => null };
  return new ClioConnector(
    {
      session: s,
      limiterStore: memoryLimiterStore(),
      fetch: fetchToEmulator,
      maxWaitMs: 0,
      timeoutMs: extra.timeoutMs,
    },
    {
      region: 'us',
      userId: String(emulator.options.users[0]!.id),
      growInboxToken: extra.growInboxToken,
    },
  );
}

let seq = 0;
function item(payload: SyncPayload, contactId: string, ownerId?: string): SendItem {
  const id = `clio-job-${++seq}`;
  const job: SyncJob = {
    id,
    idempotencyKey: `attempt-${seq}:clio:${payload.kind}`,
    system: 'clio',
    kind: payload.kind,
    leadId: 'lead-1',
    payload,
    state: 'queued',
    tries: 0,
    nextTryAt: 0,
    maybeCreated: false,
    createdAt: 0,
    updatedAt: 0,
  };
  return { job, contactId, ownerId, marker: markerFor(job) };
}

const call: SyncPayload = {
  kind: 'call',
  at: 1_750_000_000_000,
  method: 'voicemail',
  outcome: 'left-voicemail',
  title: 'Callback: Left voicemail — Dana Whitfield',
  body: 'Left a voicemail.',
  toNumber: '+14155550134',
};

describe('ClioConnector against the emulator', () => {
  it('finds a contact whatever format the number was typed in, and only real matches', async () => {
    // One contact per spelling; the lookup asks spelling after spelling and stops at the
    // first that finds a contact really having the number (Clio allows 50 requests a minute).
    const cases: [string, number][] = [
      ['+14155550134', 1], // digits inside "+1…": the first spelling finds it
      ['(415) 555-0134', 2], // "555-0134"
      ['415 555 0134', 3],
      ['415.555.0134', 4],
    ];
    for (const [typed, requests] of cases) {
      emulator.reset();
      emulator.seedContact({ first_name: 'Not', last_name: 'Them', numbers: ['(212) 555-0134'] });
      emulator.seedContact({ first_name: 'Dana', last_name: 'Whitfield', numbers: [typed] });
      const found = await connector().findContactsByPhone('+14155550134');
      expect(
        found.map((c) => c.name),
        typed,
      ).toEqual(['Dana Whitfield']);
      expect(found[0]!.url).toMatch(/^https:\/\/app\.clio\.com\/nc\/#\/contacts\/\d+$/);
      expect(
        emulator.log.filter((r) => r.path.endsWith('/contacts.json')),
        typed,
      ).toHaveLength(requests);
    }
  });

  it('a lookup that finds the contact with its first spelling sends one request, not four', async () => {
    emulator.seedContact({ first_name: 'Dana', last_name: 'Whitfield', numbers: ['4155550134'] });
    const clio = connector();
    for (let i = 0; i < 11; i++) await clio.findContactsByPhone('+14155550134');
    expect(emulator.log.filter((r) => r.method === 'GET')).toHaveLength(11);
  });

  it('several contacts with the number in the same spelling are all offered', async () => {
    emulator.seedContact({
      first_name: 'Dana',
      last_name: 'Whitfield',
      numbers: ['(415) 555-0134'],
    });
    emulator.seedContact({ first_name: 'Dan', last_name: 'Whit', numbers: ['415-555-0134'] });
    const found = await connector().findContactsByPhone('+14155550134');
    expect(found.map((c) => c.name).sort()).toEqual(['Dan Whit', 'Dana Whitfield']);
  });

  it('logs the call with our id in external_properties, a note on the contact and a task for the assignee', async () => {
    const clio = connector();
    const contact = await clio.createContact(
      item(
        { kind: 'contact', phone: '+14155550134', firstName: 'Dana', lastName: 'Whitfield' },
        '',
      ),
    );
    const ben = String(emulator.options.users[1]!.id);
    const callItem = item(call, contact.id, ben);
    await clio.logCall(callItem);
    await clio.addNote(
      item(
        { kind: 'note', at: call.at, subject: 'Callback attempt 1', body: 'Left voicemail' },
        contact.id,
      ),
    );
    await clio.createTask(
      item(
        {
          kind: 'task',
          dueAt: 1_750_086_400_000,
          subject: 'Call back Dana Whitfield ((415) 555-0134)',
          body: 'Number: +14155550134',
          priority: 'normal',
        },
        contact.id,
        ben,
      ),
    );
    const [comm] = emulator.communications;
    expect(comm!.external_properties).toMatchObject([
      { name: 'callback_desk_id', value: callItem.job.idempotencyKey },
    ]);
    expect(comm!.receivers).toMatchObject([{ id: Number(contact.id), type: 'Person' }]);
    expect(comm!.senders).toMatchObject([{ id: Number(ben), type: 'User' }]);
    expect(emulator.notes[0]!.contact?.id).toBe(Number(contact.id));
    const [task] = emulator.tasks;
    expect(task!.assignee.id).toBe(Number(ben));
    expect(task!.name).toContain('(415) 555-0134');
    expect(task!.due_at).toBe('2025-06-16');
  });

  it('finds records whose answer was lost: calls by external property, notes and tasks by marker', async () => {
    const contact = emulator.seedContact({
      first_name: 'Lost',
      last_name: 'Answer',
      numbers: ['4155550101'],
    });
    const clio = connector();
    const items = [
      item(call, String(contact.id)),
      item({ kind: 'note', at: call.at, subject: 's', body: 'b' }, String(contact.id)),
      item(
        { kind: 'task', dueAt: call.at, subject: 's', body: 'b', priority: 'low' },
        String(contact.id),
      ),
    ];
    emulator.faults.push({ kind: 'drop-after', times: 3 });
    await expect(clio.logCall(items[0]!)).rejects.toBeInstanceOf(NetworkError);
    await expect(clio.addNote(items[1]!)).rejects.toBeInstanceOf(NetworkError);
    await expect(clio.createTask(items[2]!)).rejects.toBeInstanceOf(NetworkError);
    const found = await clio.findExisting(items);
    expect(found.get(items[0]!.job.id)?.id).toBe(String(emulator.communications[0]!.id));
    expect(found.get(items[1]!.job.id)?.id).toBe(String(emulator.notes[0]!.id));
    expect(found.get(items[2]!.job.id)?.id).toBe(String(emulator.tasks[0]!.id));
    // And nothing for records that were never created.
    expect((await clio.findExisting([item(call, String(contact.id))])).size).toBe(0);
  });

  it('honours Retry-After on 429', async () => {
    emulator.faults.push({ kind: '429' });
    const error = await connector()
      .whoAmI()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(2_000);
  });

  it('posts a Clio Grow inbox lead with the source tag when a contact is created', async () => {
    const clio = connector(undefined, { growInboxToken: emulator.options.growInboxToken });
    await clio.createContact(
      item(
        {
          kind: 'contact',
          phone: '+14155550177',
          firstName: 'Gia',
          lastName: 'Row',
          source: 'Google Ads – PI',
          practiceArea: 'Personal injury',
          growLead: true,
        },
        '',
      ),
    );
    expect(emulator.growLeads).toMatchObject([
      {
        from_first: 'Gia',
        from_last: 'Row',
        from_source: 'Google Ads – PI',
        from_phone: '+14155550177',
      },
    ]);
  });
});

describe('Clio OAuth per region', () => {
  const app = { clientId: 'clio-emulator-client', clientSecret: 'clio-emulator-secret' };
  const redirectUri = 'https://abcdefghijklmnop.chromiumapp.org/clio';

  it('sends EU firms to eu.app.clio.com', () => {
    const url = new URL(
      clioAuthorizeUrl({ region: 'eu', clientId: 'cid', redirectUri, state: 'st' }),
    );
    expect(url.host).toBe('eu.app.clio.com');
    expect(url.searchParams.get('response_type')).toBe('code');
  });

  it('exchanges the code and refreshes once after a 401, keeping the refresh token', async () => {
    const db = new CallbackDeskDB(`clio-oauth-${Math.random()}`);
    const code = emulator.issueAuthCode(app.clientId, redirectUri);
    const tokens = await exchangeClioCode(
      { region: 'us', ...app, code, redirectUri },
      { fetch: fetchToEmulator },
    );
    await writeCredentials(db, 'clio', {
      ...tokens,
      account: { id: '345001', name: 'Ana' },
      connectedAt: 0,
    });
    const session = storedSession(db, 'clio', (c) =>
      refreshClioToken(c, { fetch: fetchToEmulator }),
    );
    emulator.expireAccessTokens();
    const clio = new ClioConnector(
      { session, limiterStore: memoryLimiterStore(), fetch: fetchToEmulator },
      { region: 'us', userId: '345001' },
    );
    await expect(clio.whoAmI()).resolves.toMatchObject({ id: '345001', name: 'Ana Lopez' });
    const stored = await import('@/utils/crm/tokens').then((m) => m.readCredentials(db, 'clio'));
    expect(stored?.refreshToken).toBe(tokens.refreshToken);
    expect(stored?.accessToken).not.toBe(tokens.accessToken);
    db.close();
  });
});
