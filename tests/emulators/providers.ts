import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { newSmsState, ringCentralSmsRoute, twilioSmsRoute, type SmsEmulatorState } from './sms.ts';

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

export type FaultKind =
  | '429'
  | '500'
  | 'slow'
  | '401'
  | 'malformed'
  | 'drop'
  // The request is carried out (a text is sent), then the answer is a 500 / never comes.
  | '500-after'
  | 'drop-after';

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
  /**
   * The voicemail of an outcome "voicemail" call, in each provider's own format (RingCentral
   * message store, Aircall voicemail link + AI transcription, Dialpad recording_details +
   * transcription_text). `transcript` absent or `transcriptLater`: no transcript yet (a test
   * adds it later with the emulator's `setTranscript`).
   */
  voicemail?: {
    transcript?: string;
    transcriptLater?: boolean;
    durationSeconds?: number;
    /** RingCentral: the call-log record carries no `message` link (matched by caller and time). */
    unlinked?: boolean;
  };
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
  /** Binary body (voicemail audio). */
  bytes?: Buffer;
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
  if (out.bytes) {
    res.writeHead(out.status, { 'Content-Length': String(out.bytes.length), ...headers });
    res.end(out.bytes);
    return;
  }
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
      if (fault?.kind === 'drop-after') {
        log('dropped', 'drop-after');
        incoming.socket.destroy();
        return;
      }
      if (fault?.kind === '500-after') {
        log(500, '500-after');
        send(res, { status: 500, body: { message: 'Internal server error (injected)' } });
        return;
      }
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

/**
 * A short, valid WAV file (8 kHz mono 16-bit PCM, a quiet 440 Hz tone): what the
 * emulators serve as a voicemail's audio, so a browser can really play it.
 */
export function voicemailWav(seconds = 1): Buffer {
  const rate = 8_000;
  const samples = Math.round(rate * seconds);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 2_000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
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
  /**
   * "Linked message (Fax/Voicemail)" (RingCentral API definitions, CallLogRecordMessage:
   * id, type, uri). Stored with a path; listed with the emulator's origin.
   */
  message?: { id: string; type: 'VoiceMail'; uri: string };
}

/** A voicemail in the emulated message store. */
export interface RingCentralVoicemail {
  id: string;
  callId: string;
  from: string;
  creationTime: string;
  durationSeconds: number;
  /** vmTranscriptionStatus: InProgress until a transcript is set, then Completed. */
  transcript?: string;
  /** NotAvailable (Voicemail to Text off) instead of InProgress. */
  noTranscription?: boolean;
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
  /** Texts sent and received (tests/emulators/sms.ts). */
  sms: SmsEmulatorState;
  /** The message store's voicemails, by message id. */
  voicemails: Map<string, RingCentralVoicemail>;
  /** The transcript arrives (vmTranscriptionStatus → Completed). */
  setTranscript(callId: string, transcript: string): void;
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
  const voicemails = new Map<string, RingCentralVoicemail>();
  const messagePath = (id: string) => `/restapi/v1.0/account/~/extension/~/message-store/${id}`;
  /**
   * A message-store record as RingCentral returns it (attachments AudioRecording with
   * vmDuration, AudioTranscription once transcribed; vmTranscriptionStatus), per the sample in
   * gist grokify/dc136d4db50fb5cec8cc097b36dc8d2f and RingCentral's "Voicemail Message Event".
   */
  const messageRecord = (vm: RingCentralVoicemail, origin: string) => ({
    uri: `${origin}${messagePath(vm.id)}`,
    id: vm.id,
    type: 'VoiceMail',
    from: { phoneNumber: vm.from },
    to: [{ name: 'Front desk' }],
    creationTime: vm.creationTime,
    lastModifiedTime: vm.creationTime,
    readStatus: 'Unread',
    priority: 'Normal',
    direction: 'Inbound',
    availability: 'Alive',
    messageStatus: 'Received',
    vmTranscriptionStatus: vm.transcript
      ? 'Completed'
      : vm.noTranscription
        ? 'NotAvailable'
        : 'InProgress',
    attachments: [
      {
        id: `${vm.id}1`,
        uri: `${origin}${messagePath(vm.id)}/content/${vm.id}1`,
        type: 'AudioRecording',
        contentType: 'audio/wav',
        vmDuration: vm.durationSeconds,
      },
      ...(vm.transcript
        ? [
            {
              id: `${vm.id}2`,
              uri: `${origin}${messagePath(vm.id)}/content/${vm.id}2`,
              type: 'AudioTranscription',
              contentType: 'text/plain',
            },
          ]
        : []),
    ],
  });
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
  const sms = newSmsState(DEFAULT_DIALED);
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
      toRecord: (spec, i) => {
        const record: RingCentralRecord = {
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
        };
        if (spec.outcome === 'voicemail') {
          const id = String(700_000_000 + i);
          if (!spec.voicemail?.unlinked)
            record.message = { id, type: 'VoiceMail', uri: messagePath(id) };
          voicemails.set(id, {
            id,
            callId: record.id,
            from: spec.from,
            creationTime: new Date((spec.at ?? Date.now()) + 25_000).toISOString(),
            durationSeconds: spec.voicemail?.durationSeconds ?? 27,
            transcript: spec.voicemail?.transcriptLater ? undefined : spec.voicemail?.transcript,
          });
        }
        return record;
      },
      route(req, state): Res {
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
          const slice = rows
            .slice((page - 1) * perPage, page * perPage)
            .map((r) =>
              r.message
                ? { ...r, message: { ...r.message, uri: req.url.origin + r.message.uri } }
                : r,
            );
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
        // Texts (tests/emulators/sms.ts): phone numbers, sms, the message store's SMS.
        const text = ringCentralSmsRoute(req, sms);
        if (text) return text;
        const store =
          /^\/restapi\/v1\.0\/account\/~\/extension\/~\/message-store\/(\w+)(?:\/content\/(\w+))?$/.exec(
            req.path,
          );
        if (
          req.method === 'GET' &&
          req.path === '/restapi/v1.0/account/~/extension/~/message-store'
        ) {
          // readMessageList: messageType and dateFrom filters, newest first.
          const type = req.query.get('messageType');
          const since = Date.parse(req.query.get('dateFrom') ?? '') || Date.now() - 86_400_000;
          const records = [...voicemails.values()]
            .filter((vm) => (!type || type === 'VoiceMail') && Date.parse(vm.creationTime) >= since)
            .sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))
            .map((vm) => messageRecord(vm, req.url.origin));
          return {
            status: 200,
            body: {
              uri: `${req.url.origin}${req.path}`,
              records,
              paging: { page: 1, perPage: 100, pageStart: 0, pageEnd: records.length - 1 },
              navigation: {},
            },
          };
        }
        const vm = store ? voicemails.get(store[1]!) : undefined;
        if (req.method === 'GET' && store && vm) {
          if (!store[2]) return { status: 200, body: messageRecord(vm, req.url.origin) };
          if (store[2] === `${vm.id}1`)
            return {
              status: 200,
              headers: { 'Content-Type': 'audio/wav' },
              bytes: voicemailWav(1),
            };
          if (store[2] === `${vm.id}2` && vm.transcript)
            return {
              status: 200,
              headers: { 'Content-Type': 'text/plain; charset=utf-8' },
              raw: vm.transcript,
            };
        }
        return { status: 404, body: { errorCode: 'CMN-102', message: 'Resource not found' } };
      },
    },
    port,
  );
  const setTranscript = (callId: string, transcript: string) => {
    for (const vm of voicemails.values()) if (vm.callId === callId) vm.transcript = transcript;
  };
  return { ...emulator, oauth, voicemails, setTranscript, sms };
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

/** Aircall with its voicemail links and Aircall AI transcriptions. */
export interface AircallEmulator extends Emulator<AircallRecord> {
  /** Transcripts by call id (`GET /v1/calls/:id/transcription` answers 404 without one). */
  transcripts: Map<number, string>;
  setTranscript(callId: number | string, transcript: string): void;
  /** How long a voicemail link works (Aircall: "valid for 1 hour only"; default 3600 s). */
  linkSeconds: number;
}

const AIRCALL_REASON: Partial<Record<CallOutcome, string>> = {
  missed: 'agents_did_not_answer',
  voicemail: 'no_available_agent',
  abandoned: 'abandoned_in_ivr',
  busy: 'no_available_agent',
  'after-hours': 'out_of_opening_hours',
};

export async function startAircall(
  options: { apiId?: string; apiToken?: string; linkSeconds?: number } = {},
  port = 0,
): Promise<AircallEmulator> {
  const apiId = options.apiId ?? 'aircall-id';
  const apiToken = options.apiToken ?? 'aircall-token';
  let remaining = 60;
  const transcripts = new Map<number, string>();
  const secret = randomUUID();
  let linkSeconds = options.linkSeconds ?? 3600;
  const sign = (id: number, at: number) =>
    createHash('sha256').update(`${secret}:${id}:${at}`).digest('hex').slice(0, 32);
  /**
   * The call's `voicemail` as Aircall gives it: a pre-signed link (S3-style query: date,
   * expiry, signature) that works without credentials until it expires, so every answer
   * carries a fresh one. Stored records keep only a marker.
   */
  const withLinks = (c: AircallRecord, origin: string): AircallRecord => {
    if (!c.voicemail) return c;
    const at = Math.floor(Date.now() / 1000);
    const link = new URL(`${origin}/media/voicemails/${c.id}.wav`);
    link.searchParams.set('X-Amz-Date', String(at));
    link.searchParams.set('X-Amz-Expires', String(linkSeconds));
    link.searchParams.set('X-Amz-Signature', sign(c.id, at));
    return { ...c, voicemail: link.toString() };
  };
  const emulator = await startVendor<AircallRecord>(
    {
      name: 'aircall',
      open: /^\/media\//,
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
        const id = spec.id ? Number(spec.id) : 1_000_000 + i;
        if (
          outcome === 'voicemail' &&
          spec.voicemail?.transcript &&
          !spec.voicemail.transcriptLater
        )
          transcripts.set(id, spec.voicemail.transcript);
        return {
          id,
          direct_link: `https://api.aircall.io/v1/calls/${1_000_000 + i}`,
          direction: spec.direction ?? 'inbound',
          status: outcome === 'in-progress' ? 'answered' : 'done',
          missed_call_reason: AIRCALL_REASON[outcome] ?? null,
          started_at: at,
          answered_at: outcome === 'answered' || outcome === 'in-progress' ? at + 5 : null,
          ended_at: outcome === 'in-progress' ? null : at + 30,
          duration: 30,
          raw_digits: spec.from,
          voicemail: outcome === 'voicemail' ? 'stored' : null,
          number: { id: 42, digits: spec.to ?? DEFAULT_DIALED, name: 'Main line' },
          user: outcome === 'answered' ? { id: 7, name: 'Dana Intake' } : null,
          contact: spec.name ? { first_name: first ?? '', last_name: rest.join(' ') } : null,
        };
      },
      route(req, state) {
        if (req.method === 'GET' && req.path === '/v1/ping')
          return { status: 200, body: { ping: 'pong' } };
        const media = /^\/media\/voicemails\/(\d+)\.wav$/.exec(req.path);
        if (req.method === 'GET' && media) {
          // S3's answers to a pre-signed URL: the file, or 403 once it expired.
          const id = Number(media[1]);
          const at = int(req.query.get('X-Amz-Date'), 0);
          const expires = int(req.query.get('X-Amz-Expires'), 0);
          if (req.query.get('X-Amz-Signature') !== sign(id, at))
            return { status: 403, raw: '<Error><Code>SignatureDoesNotMatch</Code></Error>' };
          if (Date.now() / 1000 > at + expires)
            return {
              status: 403,
              headers: { 'Content-Type': 'application/xml' },
              raw: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
            };
          return { status: 200, headers: { 'Content-Type': 'audio/wav' }, bytes: voicemailWav(1) };
        }
        const one = /^\/v1\/calls\/(\d+)(\/transcription)?$/.exec(req.path);
        if (req.method === 'GET' && one) {
          const call = state.calls.find((c) => c.id === Number(one[1]));
          if (!call)
            return { status: 404, body: { error: 'Not found', troubleshoot: 'Call not found' } };
          if (!one[2]) return { status: 200, body: { call: withLinks(call, req.url.origin) } };
          const transcript = transcripts.get(call.id);
          if (!transcript)
            return { status: 404, body: { error: 'Not found', troubleshoot: 'No transcription' } };
          // Aircall AI's transcription: utterances with their speaker side and times.
          const sentences = transcript.match(/[^.!?]+[.!?]*/g) ?? [transcript];
          return {
            status: 200,
            body: {
              transcription: {
                id: call.id + 5_000,
                call_id: call.id,
                call_created_at: new Date(call.started_at * 1000).toISOString(),
                type: 'voicemail',
                content: {
                  language: 'en-US',
                  utterances: sentences.map((text, n) => ({
                    start_time: n * 3,
                    end_time: n * 3 + 3,
                    text: text.trim(),
                    participant_type: 'external',
                    phone_number: call.raw_digits,
                  })),
                },
              },
            },
          };
        }
        if (req.method === 'GET' && req.path === '/v1/calls') {
          const from = int(req.query.get('from'), 0);
          const perPage = Math.min(50, int(req.query.get('per_page'), 20));
          const page = Math.max(1, int(req.query.get('page'), 1));
          const order = req.query.get('order') === 'desc' ? -1 : 1;
          const rows = state.calls
            .filter((c) => c.started_at >= from)
            .sort((a, b) => order * (a.started_at - b.started_at) || order * (a.id - b.id));
          const slice = rows
            .slice((page - 1) * perPage, page * perPage)
            .map((c) => withLinks(c, req.url.origin));
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
  return Object.defineProperty(
    Object.assign(emulator, {
      transcripts,
      linkSeconds,
      setTranscript: (callId: number | string, transcript: string) =>
        void transcripts.set(Number(callId), transcript),
    }),
    'linkSeconds',
    {
      get: () => linkSeconds,
      set: (seconds: number) => (linkSeconds = seconds),
      enumerable: true,
    },
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
): Promise<Emulator<TwilioRecord> & { sms: SmsEmulatorState }> {
  const sid = options.accountSid ?? EMULATED_TWILIO_SID;
  const token = options.authToken ?? 'twilio-token';
  const sms = newSmsState(DEFAULT_DIALED);
  const emulator = await startVendor<TwilioRecord>(
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
        const text = twilioSmsRoute(req, sms, sid);
        if (text) return text;
        return {
          status: 404,
          body: { code: 20404, message: 'The requested resource was not found', status: 404 },
        };
      },
    },
    port,
  );
  return { ...emulator, sms };
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
  /**
   * Dialpad developer guide, "Downloading Call Recordings": present only when a recording
   * exists; a voicemail's has recording_type "voicemail" and a dialpad.com/r/<id> link.
   */
  recording_details?: {
    id: string;
    recording_type: 'voicemail' | 'callrecording';
    url: string;
    duration: number;
    start_time: string;
  }[];
  /** Dialpad AI's transcript, once made (a test sets it on the record later). */
  transcription_text?: string;
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
      toRecord: (spec, i) => {
        const record: DialpadRecord = {
          call_id: spec.id ?? String(5_000_000_000 + i),
          direction: spec.direction ?? 'inbound',
          state: DIALPAD_STATE[spec.outcome ?? 'missed'],
          date_started: String(spec.at ?? Date.now()),
          external_number: spec.from,
          internal_number: spec.to ?? DEFAULT_DIALED,
          contact: spec.name ? { name: spec.name, phone: spec.from } : null,
          target: { name: 'Main Office', phone: spec.to ?? DEFAULT_DIALED, type: 'office' },
        };
        if (spec.outcome === 'voicemail') {
          const id = String(6_000_000_000 + i);
          record.recording_details = [
            {
              id,
              recording_type: 'voicemail',
              url: `https://dialpad.com/r/${id}`,
              duration: (spec.voicemail?.durationSeconds ?? 27) * 1000,
              start_time: String((spec.at ?? Date.now()) + 25_000),
            },
          ];
          if (spec.voicemail?.transcript && !spec.voicemail.transcriptLater)
            record.transcription_text = spec.voicemail.transcript;
        }
        return record;
      },
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
