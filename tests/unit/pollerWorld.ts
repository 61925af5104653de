import { fakeBrowser } from 'wxt/testing/fake-browser';
import { db } from '@/utils/db';
import {
  saveCredentials,
  setSourceEnabled,
  sourceConnectionsItem,
  type SourceConnection,
} from '@/utils/capture/sources/connections';
import { pollSource } from '@/utils/capture/sources/poller';
import { crmConnectionsItem } from '@/utils/crm/connections';
import { writeCredentials, type ClioCredentials } from '@/utils/crm/tokens';
import type { SourceId } from '@/utils/capture/sources/types';
import type { RingCentralEmulator } from '../emulators/providers';

/**
 * The poller tests' shared world: emulators closed after each test (`track` / `closeAll`),
 * sources and the Clio call log connected the way Options does it, and a clock that each poll
 * moves past the wait the source set, as the alarm would.
 */

const running: { close(): Promise<void> }[] = [];

/** Close every emulator a test started (call in afterEach). */
export async function closeAll(): Promise<void> {
  await Promise.all(running.splice(0).map((e) => e.close()));
}
export async function track<T extends { close(): Promise<void> }>(
  emulator: Promise<T>,
): Promise<T> {
  const e = await emulator;
  running.push(e);
  return e;
}

export async function connectSource(
  id: SourceId,
  url: string,
  credentials: unknown,
  config: Record<string, unknown> = {},
): Promise<void> {
  const connection: SourceConnection = { enabled: true, baseUrl: url, config, connectedAt: 0 };
  await sourceConnectionsItem.setValue({
    ...(await sourceConnectionsItem.getValue()),
    [id]: connection,
  });
  await saveCredentials(db, id, credentials);
}

/**
 * RingCentral connected the way its sign-in leaves it: tokens the emulator issued, valid for
 * an hour. Returns the tokens issued.
 */
export async function connectRingCentral(rc: RingCentralEmulator) {
  const tokens = rc.oauth.issueTokens();
  await connectSource(
    'ringcentral',
    rc.url,
    {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: Date.now() + 3_600_000,
    },
    { clientId: rc.oauth.clientId, scope: 'extension' },
  );
  return tokens;
}

export async function connectClio(token: string) {
  const credentials: ClioCredentials = {
    auth: 'oauth',
    region: 'us',
    clientId: 'firm-clio-app',
    clientSecret: 'firm-clio-secret',
    accessToken: token,
    refreshToken: 'clio-refresh',
    expiresAt: Date.now() + 30 * 24 * 3_600_000,
    account: { id: '345001', name: 'Ana Lopez' },
    connectedAt: Date.now(),
  };
  await writeCredentials(db, 'clio', credentials);
  await crmConnectionsItem.setValue({
    ...(await crmConnectionsItem.getValue()),
    clio: {
      system: 'clio',
      auth: credentials.auth,
      account: credentials.account,
      connectedAt: credentials.connectedAt,
    },
  });
  await setSourceEnabled('clio-calls', true);
}

export const clock = { offset: 0 };
export const now = () => Date.now() + clock.offset;
export const minutesAgo = (m: number) => now() - m * 60_000;

export async function poll(id: SourceId, fetch?: typeof globalThis.fetch) {
  for (let i = 0; i < 10; i++) {
    const outcome = await pollSource(id, { now, fetch });
    if (outcome.status !== 'waiting') return outcome;
    clock.offset = Math.max(clock.offset, outcome.nextPollAfter! - Date.now() + 1);
  }
  throw new Error(`${id} kept waiting`);
}

/** Forget the clock jumps and every stored call, lead, cursor and credential. */
export async function resetPollerWorld(): Promise<void> {
  clock.offset = 0;
  await Promise.all([
    db.leads.clear(),
    db.calls.clear(),
    db.answeredCalls.clear(),
    db.cursors.clear(),
    db.secrets.clear(),
  ]);
  await sourceConnectionsItem.setValue({});
  fakeBrowser.permissions.contains = (async () => true) as typeof fakeBrowser.permissions.contains;
}
