import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Local emulators of the phone providers' call-log APIs (RingCentral, Aircall, Twilio,
 * Dialpad) plus minimal read-only Clio communications, on 127.0.0.1. Used by unit tests
 * (poller), e2e tests (connection pointed at the emulator with the "API base URL" setting)
 * and the demo. The CRM call logs read through the CRM connections, at the CRMs' real hosts:
 * tests route those to these servers (Clio) or to hubspot.ts (HubSpot calls search). Plain
 * node:http, runnable by Node 24.
 *
 * Each `startX()` returns `{ url, close, state }`. `state.calls` holds the provider's own
 * records; `addCall()` adds one in the provider's format; `state.faults` is a queue of
 * faults the next matching requests get (429 with Retry-After, 500, slow answers, expired
 * token 401, malformed JSON, dropped connections); `state.requests` logs what was asked.
 * The same controls are reachable over HTTP under `/__emulator/` (for a demo in another
 * process): GET state, POST calls (a CallSpec), POST faults (a Fault list).
 *
 * Run alone: `node tests/emulators/providers.ts` starts the four providers and prints their
 * URLs.
 */

export type FaultKind = '429' | '500' | 'slow' | '401' | 'malformed' | 'drop';

export interface Fault {
  kind: FaultKind;
  /** Only requests whose "METHOD /path" matches (default: every API request). */
  match?: RegExp;
  /** How many matching requests get it (default 1). */
  times?: number;
  /** 429: Retry-After in seconds (omit to send none, as HubSpot does). */
  retryAfterSeconds?: number;
  /** slow: how long to wait before answering normally. */
  delayMs?: number;
}

export type CallOutcome =
  'missed' | 'voicemail' | 'answered' | 'abandoned' | 'busy' | 'after-hours' | 'in-progress';

/** A call in provider-neutral terms; each emulator turns it into its own record. */
export interface CallSpec {
  from: string;
  to?: string;
  name?: string;
  /** Epoch ms (default now). */
  at?: number;
  outcome?: CallOutcome;
  direction?: 'inbound' | 'outbound';
  id?: string;
  /** Call length in seconds (answered calls; default a minute and a half). */
  durationSeconds?: number;
  /**
   * Clio: when the entry was logged (its `updated_at`; default now). Providers have no such
   * field: a record that appears late is added late (after the poll that would have missed it).
   */
  loggedAt?: number;
  /** Clio: whether the integration wrote the caller's number in the subject (default: every other entry). */
  numberInText?: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number | 'dropped';
  fault?: FaultKind;
  at: number;
}

export interface EmulatorState<R> {
  calls: R[];
  faults: Fault[];
  requests: LoggedRequest[];
  /** Add a call in this provider's format (returns the stored record). */
  addCall(spec: CallSpec): R;
}

export interface Emulator<R> {
  url: string;
  state: EmulatorState<R>;
  close(): Promise<void>;
}

interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  url: URL;
}

interface Res {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw text instead of JSON (malformed answers, redirects). */
  raw?: string;
}

interface Vendor<R> {
  name: string;
  /** True when the request carries valid credentials (endpoints listed in `open` skip this). */
  authorized(req: Req): boolean;
  open?: RegExp;
  route(req: Req, state: EmulatorState<R>, baseUrl: string): Res | Promise<Res>;
  toRecord(spec: CallSpec, index: number): R;
  /** Headers describing the rate-limit budget (vendor names). */
  rateHeaders?(): Record<string, string>;
  /** The 401 body when a token expired. */
  unauthorized?: unknown;
}

const DEFAULT_DIALED = '+12125550100';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, out: Res): void {
  const headers: Record<string, string> = { ...out.headers };
  let text = '';
  if (out.raw !== undefined) text = out.raw;
  else if (out.body !== undefined) {
    text = JSON.stringify(out.body);
    headers['Content-Type'] ??= 'application/json';
  }
  res.writeHead(out.status, headers);
  res.end(text);
}

function takeFault(faults: Fault[], key: string): Fault | undefined {
  const index = faults.findIndex((f) => !f.match || f.match.test(key));
  if (index < 0) return undefined;
  const fault = faults[index]!;
  const left = (fault.times ?? 1) - 1;
  if (left <= 0) faults.splice(index, 1);
  else faults[index] = { ...fault, times: left };
  return fault;
}

async function startVendor<R>(vendor: Vendor<R>, port = 0): Promise<Emulator<R>> {
  let count = 0;
  const state: EmulatorState<R> = {
    calls: [],
    faults: [],
    requests: [],
    addCall(spec) {
      const record = vendor.toRecord(spec, ++count);
      state.calls.push(record);
      return record;
    },
  };
  const sockets = new Set<Socket>();
  let baseUrl = '';
  const server = createServer(async (incoming, res) => {
    const url = new URL(incoming.url ?? '/', baseUrl);
    const req: Req = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body: await readBody(incoming),
      url,
    };
    const log = (status: LoggedRequest['status'], fault?: FaultKind) =>
      state.requests.push({ method: req.method, path: req.path, status, fault, at: Date.now() });

    // CORS for the options page of a browser that fetches without host permission (not needed
    // by the extension, which has it; harmless for the demo).
    if (req.method === 'OPTIONS') {
      send(res, {
        status: 204,
        headers: {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Headers': '*',
          'Access-Control-Allow-Methods': '*',
        },
      });
      return;
    }

    if (req.path.startsWith('/__emulator/')) {
      send(res, control(req, state));
      return;
    }

    const fault = takeFault(state.faults, `${req.method} ${req.path}`);
    if (fault?.kind === 'drop') {
      log('dropped', 'drop');
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 3_000));
    if (fault?.kind === '429') {
      log(429, '429');
      const headers: Record<string, string> = { ...vendor.rateHeaders?.() };
      if (fault.retryAfterSeconds !== undefined)
        headers['Retry-After'] = String(fault.retryAfterSeconds);
      send(res, {
        status: 429,
        headers,
        body: { message: 'Too many requests', errorType: 'RATE_LIMIT' },
      });
      return;
    }
    if (fault?.kind === '500') {
      log(500, '500');
      send(res, { status: 500, body: { message: 'Internal server error (injected)' } });
      return;
    }
    if (fault?.kind === '401') {
      log(401, '401');
      send(res, { status: 401, body: vendor.unauthorized ?? { message: 'Token expired' } });
      return;
    }
    if (!(vendor.open?.test(req.path) ?? false) && !vendor.authorized(req)) {
      log(401);
      send(res, { status: 401, body: vendor.unauthorized ?? { message: 'Unauthorized' } });
      return;
    }
    try {
      const out = await vendor.route(req, state, baseUrl);
      if (fault?.kind === 'malformed' && out.status < 300) {
        log(out.status, 'malformed');
        send(res, {
          status: out.status,
          headers: { 'Content-Type': 'application/json' },
          raw: JSON.stringify(out.body).slice(0, 25),
        });
        return;
      }
      log(out.status, fault?.kind);
      send(res, { ...out, headers: { ...vendor.rateHeaders?.(), ...out.headers } });
    } catch (error) {
      log(500);
      send(res, { status: 500, body: { message: String(error) } });
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function control<R>(req: Req, state: EmulatorState<R>): Res {
  const what = req.path.slice('/__emulator/'.length);
  if (req.method === 'GET' && what === 'state') {
    return {
      status: 200,
      body: {
        calls: state.calls,
        faults: state.faults.map((f) => ({ ...f, match: f.match?.source })),
        requests: state.requests,
      },
    };
  }
  if (req.method === 'POST' && what === 'calls') {
    const specs = JSON.parse(req.body || '[]') as CallSpec | CallSpec[];
    const added = (Array.isArray(specs) ? specs : [specs]).map((s) => state.addCall(s));
    return { status: 201, body: added };
  }
  if (req.method === 'POST' && what === 'faults') {
    const faults = JSON.parse(req.body || '[]') as (Omit<Fault, 'match'> & { match?: string })[];
    for (const f of faults)
      state.faults.push({ ...f, match: f.match ? new RegExp(f.match) : undefined });
    return { status: 201, body: { queued: state.faults.length } };
  }
  return { status: 404, body: { message: 'unknown emulator control' } };
}

function bearer(req: Req): string | undefined {
  const h = req.headers.authorization ?? '';
  return h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

function basic(req: Req): [string, string] | undefined {
  const h = req.headers.authorization ?? '';
  if (!h.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : [decoded.slice(0, i), decoded.slice(i + 1)];
}

function int(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && value !== null && value !== '' ? n : fallback;
}

// ---------------------------------------------------------------------------------------
// RingCentral (OAuth 2 + PKCE, call log)

export interface RingCentralRecord {
  id: string;
  sessionId: string;
  startTime: string;
  duration: number;
  type: 'Voice';
  direction: 'Inbound' | 'Outbound';
  action: string;
  result: string;
  from: { phoneNumber?: string; name?: string };
  to: { phoneNumber?: string; name?: string };
}

export interface RingCentralOptions {
  clientId?: string;
  /** Access token lifetime in seconds (default 3600). */
  accessTokenSeconds?: number;
}

const RC_RESULT: Record<CallOutcome, string> = {
  missed: 'Missed',
  voicemail: 'Voicemail',
  answered: 'Accepted',
  abandoned: 'Hang Up',
  busy: 'Busy',
  'after-hours': 'Missed',
  'in-progress': 'In Progress',
};

export interface RingCentralEmulator extends Emulator<RingCentralRecord> {
  oauth: {
    clientId: string;
    /** Valid access tokens; `expireAccessTokens()` empties it (the next call gets 401). */
    accessTokens: Set<string>;
    refreshTokens: Set<string>;
    issued: number;
    expireAccessTokens(): void;
    /** Tokens for tests that skip the browser sign-in. */
    issueTokens(): {
      access_token: string;
      refresh_token: string;
      expires_in: number;
      refresh_token_expires_in: number;
    };
  };
}

export async function startRingCentral(
  options: RingCentralOptions = {},
  port = 0,
): Promise<RingCentralEmulator> {
  const clientId = options.clientId ?? 'rc-client-id';
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const oauth: RingCentralEmulator['oauth'] = {
    clientId,
    accessTokens: new Set(),
    refreshTokens: new Set(),
    issued: 0,
    expireAccessTokens: () => oauth.accessTokens.clear(),
    issueTokens() {
      oauth.issued++;
      const access = `rc-at-${randomUUID()}`;
      const refresh = `rc-rt-${randomUUID()}`;
      oauth.accessTokens.add(access);
      oauth.refreshTokens.add(refresh);
      return {
        access_token: access,
        refresh_token: refresh,
        expires_in: options.accessTokenSeconds ?? 3600,
        refresh_token_expires_in: 604_800,
      };
    },
  };
  const emulator = await startVendor<RingCentralRecord>(
    {
      name: 'ringcentral',
      open: /^\/restapi\/oauth\//,
      authorized: (req) => oauth.accessTokens.has(bearer(req) ?? ''),
      unauthorized: {
        errorCode: 'TokenInvalid',
        message: 'Access token expired',
        errors: [{ errorCode: 'OAU-213', message: 'Token expired' }],
      },
      rateHeaders: () => ({
        'X-Rate-Limit-Group': 'heavy',
        'X-Rate-Limit-Limit': '10',
        'X-Rate-Limit-Remaining': '9',
        'X-Rate-Limit-Window': '60',
      }),
      toRecord: (spec, i) => ({
        id: spec.id ?? `rc-${i}-${randomUUID().slice(0, 8)}`,
        sessionId: String(400_000_000 + i),
        startTime: new Date(spec.at ?? Date.now()).toISOString(),
        duration: spec.durationSeconds ?? (spec.outcome === 'answered' ? 95 : 20),
        type: 'Voice',
        direction: spec.direction === 'outbound' ? 'Outbound' : 'Inbound',
        action: 'Phone Call',
        result: RC_RESULT[spec.outcome ?? 'missed'],
        from: { phoneNumber: spec.from, name: spec.name },
        to: { phoneNumber: spec.to ?? DEFAULT_DIALED, name: 'Front desk' },
      }),
      route(req, state) {
        if (req.method === 'GET' && req.path === '/restapi/oauth/authorize') {
          const redirect = req.query.get('redirect_uri') ?? '';
          const target = new URL(redirect);
          if (req.query.get('client_id') !== clientId) {
            target.searchParams.set('error', 'unauthorized_client');
            target.searchParams.set('error_description', 'Unknown client id');
          } else {
            const code = `code-${randomUUID()}`;
            codes.set(code, {
              challenge: req.query.get('code_challenge') ?? '',
              redirectUri: redirect,
            });
            target.searchParams.set('code', code);
          }
          target.searchParams.set('state', req.query.get('state') ?? '');
          return { status: 302, headers: { Location: target.toString() }, raw: '' };
        }
        if (req.method === 'POST' && req.path === '/restapi/oauth/token') {
          const form = new URLSearchParams(req.body);
          if (form.get('client_id') !== clientId)
            return {
              status: 400,
              body: { error: 'invalid_client', error_description: 'Unknown client' },
            };
          if (form.get('grant_type') === 'authorization_code') {
            const grant = codes.get(form.get('code') ?? '');
            codes.delete(form.get('code') ?? '');
            const challenge = createHash('sha256')
              .update(form.get('code_verifier') ?? '')
              .digest('base64url');
            if (
              !grant ||
              grant.challenge !== challenge ||
              grant.redirectUri !== form.get('redirect_uri')
            ) {
              return {
                status: 400,
                body: { error: 'invalid_grant', error_description: 'Code or verifier invalid' },
              };
            }
            return { status: 200, body: { ...oauth.issueTokens(), token_type: 'bearer' } };
          }
          if (form.get('grant_type') === 'refresh_token') {
            const token = form.get('refresh_token') ?? '';
            // Refresh tokens rotate: each works once.
            if (!oauth.refreshTokens.delete(token))
              return {
                status: 400,
                body: { error: 'invalid_grant', error_description: 'Token is expired' },
              };
            return { status: 200, body: { ...oauth.issueTokens(), token_type: 'bearer' } };
          }
          return { status: 400, body: { error: 'unsupported_grant_type' } };
        }
        if (req.method === 'GET' && req.path === '/restapi/v1.0/account/~/extension/~') {
          return { status: 200, body: { id: 101, name: 'Front Desk', extensionNumber: '101' } };
        }
        if (
          req.method === 'GET' &&
          /^\/restapi\/v1\.0\/account\/~(\/extension\/~)?\/call-log$/.test(req.path)
        ) {
          const from = Date.parse(req.query.get('dateFrom') ?? '') || Date.now() - 86_400_000;
          // dateTo: "The end datetime for resulting records … Default: current time"
          // (RingCentral API reference, Call Log: readUserCallLog); inclusive here.
          const to = Date.parse(req.query.get('dateTo') ?? '') || Number.POSITIVE_INFINITY;
          const perPage = Math.min(1000, int(req.query.get('perPage'), 100));
          const page = Math.max(1, int(req.query.get('page'), 1));
          const direction = req.query.get('direction');
          const rows = state.calls
            .filter(
              (c) =>
                // A record a test broke on purpose (no startTime) is still listed.
                (Number.isNaN(Date.parse(c.startTime)) ||
                  (Date.parse(c.startTime) >= from && Date.parse(c.startTime) <= to)) &&
                (!direction || c.direction === direction),
            )
            .sort((a, b) => (Date.parse(b.startTime) || 0) - (Date.parse(a.startTime) || 0));
          const slice = rows.slice((page - 1) * perPage, page * perPage);
          const more = page * perPage < rows.length;
          const uri = `${req.url.origin}${req.path}`;
          return {
            status: 200,
            body: {
              uri: `${uri}?page=${page}`,
              records: slice,
              paging: {
                page,
                perPage,
                pageStart: (page - 1) * perPage,
                pageEnd: (page - 1) * perPage + slice.length - 1,
              },
              navigation: {
                firstPage: { uri: `${uri}?page=1` },
                ...(more ? { nextPage: { uri: `${uri}?page=${page + 1}` } } : {}),
              },
            },
          };
        }
        return { status: 404, body: { errorCode: 'CMN-102', message: 'Resource not found' } };
      },
    },
    port,
  );
  return { ...emulator, oauth };
}

// ---------------------------------------------------------------------------------------
// Aircall (Basic api_id:api_token)

export interface AircallRecord {
  id: number;
  direct_link: string;
  direction: 'inbound' | 'outbound';
  status: 'initial' | 'answered' | 'done';
  missed_call_reason: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  duration: number;
  raw_digits: string;
  voicemail: string | null;
  number: { id: number; digits: string; name: string };
  user: { id: number; name: string } | null;
  contact: { first_name: string; last_name: string } | null;
}

const AIRCALL_REASON: Partial<Record<CallOutcome, string>> = {
  missed: 'agents_did_not_answer',
  voicemail: 'no_available_agent',
  abandoned: 'abandoned_in_ivr',
  busy: 'no_available_agent',
  'after-hours': 'out_of_opening_hours',
};

export async function startAircall(
  options: { apiId?: string; apiToken?: string } = {},
  port = 0,
): Promise<Emulator<AircallRecord>> {
  const apiId = options.apiId ?? 'aircall-id';
  const apiToken = options.apiToken ?? 'aircall-token';
  let remaining = 60;
  return startVendor<AircallRecord>(
    {
      name: 'aircall',
      authorized: (req) => {
        const pair = basic(req);
        return pair?.[0] === apiId && pair[1] === apiToken;
      },
      unauthorized: { error: 'Unauthorized', troubleshoot: 'Check your API ID and token' },
      rateHeaders: () => ({
        'X-AircallApi-Limit': '60',
        'X-AircallApi-Remaining': String(
          Math.max(1, (remaining = remaining <= 1 ? 60 : remaining - 1)),
        ),
        'X-AircallApi-Reset': String(Math.ceil(Date.now() / 1000) + 60),
      }),
      toRecord: (spec, i) => {
        const at = Math.floor((spec.at ?? Date.now()) / 1000);
        const outcome = spec.outcome ?? 'missed';
        const [first, ...rest] = (spec.name ?? '').split(' ');
        return {
          id: spec.id ? Number(spec.id) : 1_000_000 + i,
          direct_link: `https://api.aircall.io/v1/calls/${1_000_000 + i}`,
          direction: spec.direction ?? 'inbound',
          status: outcome === 'in-progress' ? 'answered' : 'done',
          missed_call_reason: AIRCALL_REASON[outcome] ?? null,
          started_at: at,
          answered_at: outcome === 'answered' || outcome === 'in-progress' ? at + 5 : null,
          ended_at: outcome === 'in-progress' ? null : at + 30,
          duration: 30,
          raw_digits: spec.from,
          voicemail: outcome === 'voicemail' ? `https://voicemail.aircall.io/${i}.mp3` : null,
          number: { id: 42, digits: spec.to ?? DEFAULT_DIALED, name: 'Main line' },
          user: outcome === 'answered' ? { id: 7, name: 'Dana Intake' } : null,
          contact: spec.name ? { first_name: first ?? '', last_name: rest.join(' ') } : null,
        };
      },
      route(req, state) {
        if (req.method === 'GET' && req.path === '/v1/ping')
          return { status: 200, body: { ping: 'pong' } };
        if (req.method === 'GET' && req.path === '/v1/calls') {
          const from = int(req.query.get('from'), 0);
          const perPage = Math.min(50, int(req.query.get('per_page'), 20));
          const page = Math.max(1, int(req.query.get('page'), 1));
          const order = req.query.get('order') === 'desc' ? -1 : 1;
          const rows = state.calls
            .filter((c) => c.started_at >= from)
            .sort((a, b) => order * (a.started_at - b.started_at) || order * (a.id - b.id));
          const slice = rows.slice((page - 1) * perPage, page * perPage);
          const next = page * perPage < rows.length ? new URL(req.url) : null;
          next?.searchParams.set('page', String(page + 1));
          return {
            status: 200,
            body: {
              calls: slice,
              meta: {
                count: slice.length,
                total: rows.length,
                current_page: page,
                per_page: perPage,
                next_page_link: next?.toString() ?? null,
                previous_page_link: null,
              },
            },
          };
        }
        return { status: 404, body: { error: 'Not found' } };
      },
    },
    port,
  );
}

// ---------------------------------------------------------------------------------------
// Twilio (Basic SID:token)

export interface TwilioRecord {
  sid: string;
  account_sid: string;
  from: string;
  to: string;
  status: string;
  direction: 'inbound' | 'outbound-api';
  start_time: string | null;
  end_time: string | null;
  date_created: string;
  caller_name: string | null;
  duration: string;
}

const TWILIO_STATUS: Record<CallOutcome, string> = {
  missed: 'no-answer',
  voicemail: 'completed',
  answered: 'completed',
  abandoned: 'canceled',
  busy: 'busy',
  'after-hours': 'no-answer',
  'in-progress': 'in-progress',
};

export const EMULATED_TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';

export async function startTwilio(
  options: { accountSid?: string; authToken?: string } = {},
  port = 0,
): Promise<Emulator<TwilioRecord>> {
  const sid = options.accountSid ?? EMULATED_TWILIO_SID;
  const token = options.authToken ?? 'twilio-token';
  return startVendor<TwilioRecord>(
    {
      name: 'twilio',
      authorized: (req) => {
        const pair = basic(req);
        return pair?.[0] === sid && pair[1] === token;
      },
      unauthorized: {
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      },
      toRecord: (spec, i) => {
        const at = new Date(spec.at ?? Date.now());
        // Twilio times are RFC 2822.
        const rfc2822 = at.toUTCString().replace('GMT', '+0000');
        return {
          sid: spec.id ?? `CA${createHash('md5').update(`${i}-${randomUUID()}`).digest('hex')}`,
          account_sid: sid,
          from: spec.from,
          to: spec.to ?? DEFAULT_DIALED,
          status: TWILIO_STATUS[spec.outcome ?? 'missed'],
          direction: spec.direction === 'outbound' ? 'outbound-api' : 'inbound',
          start_time: rfc2822,
          end_time: rfc2822,
          date_created: rfc2822,
          caller_name: spec.name ?? null,
          duration: '0',
        };
      },
      route(req, state, baseUrl) {
        const prefix = `/2010-04-01/Accounts/${sid}`;
        if (req.method === 'GET' && req.path === `${prefix}.json`) {
          return {
            status: 200,
            body: { sid, friendly_name: 'Law Firm (emulated)', status: 'active' },
          };
        }
        if (req.method === 'GET' && req.path === `${prefix}/Calls.json`) {
          const day = req.query.get('StartTime>');
          const from = day ? Date.parse(`${day}T00:00:00Z`) : 0;
          const pageSize = Math.min(1000, int(req.query.get('PageSize'), 50));
          const page = Math.max(0, int(req.query.get('Page'), 0));
          const rows = state.calls
            .filter((c) => Date.parse(c.date_created) >= from)
            .sort((a, b) => Date.parse(b.date_created) - Date.parse(a.date_created));
          const slice = rows.slice(page * pageSize, (page + 1) * pageSize);
          let next: string | null = null;
          if ((page + 1) * pageSize < rows.length) {
            const u = new URL(req.url.toString(), baseUrl);
            u.searchParams.set('Page', String(page + 1));
            u.searchParams.set('PageToken', `PA${slice.at(-1)?.sid ?? ''}`);
            next = `${u.pathname}${u.search}`;
          }
          return {
            status: 200,
            body: {
              calls: slice,
              next_page_uri: next,
              page,
              page_size: pageSize,
              uri: `${req.path}${req.url.search}`,
            },
          };
        }
        return {
          status: 404,
          body: { code: 20404, message: 'The requested resource was not found', status: 404 },
        };
      },
    },
    port,
  );
}

// ---------------------------------------------------------------------------------------
// Dialpad (Bearer API key)

export interface DialpadRecord {
  call_id: string;
  direction: 'inbound' | 'outbound';
  state: string;
  date_started: string;
  external_number: string;
  internal_number: string;
  contact: { name: string; phone: string } | null;
  target: { name: string; phone: string; type: string };
}

const DIALPAD_STATE: Record<CallOutcome, string> = {
  missed: 'missed',
  voicemail: 'voicemail',
  answered: 'hangup',
  abandoned: 'abandoned',
  busy: 'missed',
  'after-hours': 'missed',
  'in-progress': 'connected',
};

export async function startDialpad(
  options: { apiKey?: string } = {},
  port = 0,
): Promise<Emulator<DialpadRecord>> {
  const apiKey = options.apiKey ?? 'dialpad-key';
  return startVendor<DialpadRecord>(
    {
      name: 'dialpad',
      authorized: (req) => bearer(req) === apiKey,
      unauthorized: { error: { code: 401, message: 'Invalid API key' } },
      toRecord: (spec, i) => ({
        call_id: spec.id ?? String(5_000_000_000 + i),
        direction: spec.direction ?? 'inbound',
        state: DIALPAD_STATE[spec.outcome ?? 'missed'],
        date_started: String(spec.at ?? Date.now()),
        external_number: spec.from,
        internal_number: spec.to ?? DEFAULT_DIALED,
        contact: spec.name ? { name: spec.name, phone: spec.from } : null,
        target: { name: 'Main Office', phone: spec.to ?? DEFAULT_DIALED, type: 'office' },
      }),
      route(req, state) {
        if (req.method === 'GET' && req.path === '/api/v2/company')
          return { status: 200, body: { id: 1, name: 'Law Firm (emulated)' } };
        if (req.method === 'GET' && req.path === '/api/v2/call') {
          const after = int(req.query.get('started_after'), 0);
          const limit = Math.min(50, int(req.query.get('limit'), 50));
          const offset = int(req.query.get('cursor'), 0);
          const rows = state.calls
            // A record a test broke on purpose (no usable date_started) is still listed.
            .filter((c) => Number.isNaN(Number(c.date_started)) || Number(c.date_started) >= after)
            .sort((a, b) => Number(a.date_started) - Number(b.date_started));
          const slice = rows.slice(offset, offset + limit);
          const body: { items: DialpadRecord[]; cursor?: string } = { items: slice };
          if (offset + limit < rows.length) body.cursor = String(offset + limit);
          return { status: 200, body };
        }
        return { status: 404, body: { error: { code: 404, message: 'Not found' } } };
      },
    },
    port,
  );
}

// ---------------------------------------------------------------------------------------
// Clio communications (read-only, minimal; the full CRM emulator is clio.ts)

export interface ClioCommunicationRecord {
  id: number;
  type: 'PhoneCommunication';
  subject: string;
  body: string;
  received_at: string;
  date: string;
  created_at: string;
  updated_at: string;
  senders: { id: number; type: string; identifier: string }[];
  receivers: { id: number; type: string; identifier: string }[];
  external_properties: { name: string; value: string }[];
}

export interface ClioContactRecord {
  id: number;
  name: string;
  phone_numbers: { number: string; default_number: boolean }[];
}

const CLIO_SUBJECT: Record<CallOutcome, string> = {
  missed: 'Missed call',
  voicemail: 'Voicemail',
  answered: 'Phone call',
  abandoned: 'Missed call (caller hung up)',
  busy: 'Missed call (busy)',
  'after-hours': 'Missed call (after hours)',
  'in-progress': 'Call in progress',
};

export interface ClioCommunicationsEmulator extends Emulator<ClioCommunicationRecord> {
  contacts: ClioContactRecord[];
  /** Contacts this user may not see: reading one answers 403 (Clio's permission model). */
  hiddenContacts: Set<number>;
}

export async function startClioCommunications(
  options: { token?: string } = {},
  port = 0,
): Promise<ClioCommunicationsEmulator> {
  const token = options.token ?? 'clio-token';
  const contacts: ClioContactRecord[] = [];
  const hiddenContacts = new Set<number>();
  const emulator = await startVendor<ClioCommunicationRecord>(
    {
      name: 'clio',
      authorized: (req) => bearer(req) === token,
      unauthorized: {
        error: { type: 'AuthenticationError', message: 'The access token is invalid' },
      },
      rateHeaders: () => ({
        'X-RateLimit-Limit': '50',
        'X-RateLimit-Remaining': '49',
        'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + 60),
      }),
      toRecord: (spec, i) => {
        const at = new Date(spec.at ?? Date.now()).toISOString();
        const logged = new Date(spec.loggedAt ?? Date.now()).toISOString();
        const contactId = 9_000 + i;
        // Half the integrations put the number in the subject; the rest leave it on the contact.
        const numberInText = spec.numberInText ?? i % 2 === 1;
        if (!numberInText)
          contacts.push({
            id: contactId,
            name: spec.name ?? 'Unknown caller',
            phone_numbers: [{ number: spec.from, default_number: true }],
          });
        const inbound = spec.direction !== 'outbound';
        const contact = {
          id: contactId,
          type: 'Person',
          identifier: spec.name ?? 'Unknown caller',
        };
        const user = { id: 1, type: 'User', identifier: 'Dana Intake' };
        return {
          id: spec.id ? Number(spec.id) : 700_000 + i,
          type: 'PhoneCommunication',
          subject: `${CLIO_SUBJECT[spec.outcome ?? 'missed']}${numberInText ? ` from ${spec.from}` : ''}`,
          body:
            spec.outcome === 'voicemail'
              ? 'Caller left a voicemail.'
              : 'Logged by phone integration.',
          received_at: at,
          date: at.slice(0, 10),
          created_at: logged,
          updated_at: logged,
          senders: inbound ? [contact] : [user],
          receivers: inbound ? [user] : [contact],
          external_properties: [],
        };
      },
      route(req, state) {
        if (req.method === 'GET' && req.path === '/api/v4/users/who_am_i.json')
          return { status: 200, body: { data: { id: 1, name: 'Dana Intake' } } };
        const contact = /^\/api\/v4\/contacts\/(\d+)\.json$/.exec(req.path);
        if (req.method === 'GET' && contact) {
          const found = contacts.find((c) => c.id === Number(contact[1]));
          if (found && hiddenContacts.has(found.id))
            return {
              status: 403,
              body: {
                error: { type: 'Forbidden', message: 'You are not allowed to view this Contact' },
              },
            };
          return found
            ? { status: 200, body: { data: found } }
            : {
                status: 404,
                body: { error: { type: 'RecordNotFound', message: 'Contact not found' } },
              };
        }
        if (req.method === 'GET' && req.path === '/api/v4/communications.json') {
          // Filters and orders from Clio's communications spec (tests/specs/clio/
          // clio-communications-api-openapi.yml): received_since (on `date`, ≥),
          // updated_since (`updated_at` after), order id/date/received_at asc|desc.
          const since = Date.parse(req.query.get('received_since') ?? '') || 0;
          const updatedSince = Date.parse(req.query.get('updated_since') ?? '') || 0;
          const type = req.query.get('type');
          const limit = Math.min(200, int(req.query.get('limit'), 200));
          const offset = int(req.query.get('page_token'), 0);
          const [field, dir] = (req.query.get('order') ?? 'date(asc)').split(/[()]/);
          const key = (c: ClioCommunicationRecord) =>
            field === 'id' ? c.id : Date.parse(field === 'date' ? c.date : c.received_at);
          const sign = dir === 'desc' ? -1 : 1;
          const rows = state.calls
            .filter(
              (c) =>
                (!type || c.type === type) &&
                Date.parse(c.received_at) >= since &&
                Date.parse(c.updated_at) >= updatedSince,
            )
            .sort((a, b) => sign * (key(a) - key(b)) || a.id - b.id);
          const slice = rows.slice(offset, offset + limit);
          let next: string | undefined;
          if (offset + limit < rows.length) {
            const u = new URL(req.url);
            u.searchParams.set('page_token', String(offset + limit));
            next = u.toString();
          }
          return {
            status: 200,
            body: { data: slice, meta: { paging: next ? { next } : {}, records: rows.length } },
          };
        }
        return { status: 404, body: { error: { type: 'NotFound', message: 'Not found' } } };
      },
    },
    port,
  );
  return { ...emulator, contacts, hiddenContacts };
}

// ---------------------------------------------------------------------------------------

/** Start every phone-provider emulator (ports from `firstPort` on, or random with 0). */
export async function startAllProviders(firstPort = 0) {
  const port = (n: number) => (firstPort ? firstPort + n : 0);
  return {
    ringcentral: await startRingCentral({}, port(0)),
    aircall: await startAircall({}, port(1)),
    twilio: await startTwilio({}, port(2)),
    dialpad: await startDialpad({}, port(3)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const all = await startAllProviders(Number(process.env.PROVIDER_EMULATOR_PORT ?? 0));
  for (const [name, emu] of Object.entries(all)) console.log(`${name.padEnd(12)} ${emu.url}`);
  console.log(
    'Add a missed call: curl -X POST <url>/__emulator/calls -d \'{"from":"+15551234567"}\'',
  );
}
