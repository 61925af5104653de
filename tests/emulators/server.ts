import {
  createServer,
  type IncomingHttpHeaders,
  type ServerResponse,
  type Server,
} from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { OpenApiValidator, SpecOperation } from './openapi.ts';

/**
 * The plumbing both CRM emulators share: a node:http server on 127.0.0.1 that validates
 * every request and response against the vendor's OpenAPI documents, injects faults, and
 * keeps a log a test can assert on. Vendor behaviour lives in hubspot.ts / clio.ts.
 */

export interface EmuRequest {
  method: string;
  /** Path without the API base (HubSpot: as is; Clio: after /api/v4). */
  path: string;
  fullPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
  contentType: string;
  at: number;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  contentType?: string;
}

/**
 * Fault kinds. "before" faults answer without touching the data; "-after" faults apply
 * the request and then lose the answer, which is what makes a client retry dangerous.
 */
export const FAULT_KINDS = [
  '429',
  '500',
  '401',
  'timeout',
  'drop',
  '500-after',
  'drop-after',
  'timeout-after',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** Which requests it hits: "METHOD /path" regex or a predicate; all when omitted. */
  match?: RegExp | ((req: EmuRequest) => boolean);
  /** How many matching requests it hits (default 1). */
  times?: number;
}

export interface RandomFaults {
  /** Share of requests that fail, 0..1. */
  rate: number;
  kinds: FaultKind[];
  /** Deterministic source in [0,1) so a benchmark run can be repeated. */
  random?: () => number;
}

export interface Violation {
  method: string;
  path: string;
  where: 'request' | 'response' | 'contract';
  errors: string[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number | 'dropped' | 'timeout';
  fault?: FaultKind;
  at: number;
}

export interface VendorHandler {
  /** The spec operation for a request, or null for endpoints outside the specs. */
  basePath: string;
  validator: OpenApiValidator;
  /** Authenticate; return a response to short-circuit (401). */
  authenticate(req: EmuRequest, op: SpecOperation | null): EmuResponse | null;
  /** Rate limiting; returns a 429 or the headers to add to the answer. */
  rateLimit(
    req: EmuRequest,
    op: SpecOperation | null,
  ): { reject?: EmuResponse; headers: Record<string, string> };
  handle(req: EmuRequest, op: SpecOperation | null, params: Record<string, string>): EmuResponse;
  faultResponse(kind: '429' | '500' | '401', req: EmuRequest): EmuResponse;
  /** Extra checks of our own contract with the vendor (e.g. pinned API version). */
  contract?(req: EmuRequest, op: SpecOperation | null): string[];
  /** The rolling windows the vendor counts requests in (for `rateWindows`). */
  windows?: RollingWindow[];
  /** Endpoints outside the specs validate their own input. */
  unspecified?(req: EmuRequest): { known: boolean; errors: string[] };
}

export interface EmulatorServer {
  url: string;
  port: number;
  violations: Violation[];
  log: LoggedRequest[];
  faults: Fault[];
  randomFaults: RandomFaults | null;
  /**
   * The emulator's clock: when each request arrives (`EmuRequest.at`, what the rate windows
   * count by). A test on virtual time sets it to its own clock.
   */
  clock: () => number;
  /** The vendor's rate windows: limit, the busiest window seen, and every request over it. */
  rateWindows(): { max: number; intervalMs: number; peak: number; violations: RateViolation[] }[];
  close(): Promise<void>;
  /** Throws with every violation recorded so far (call at the end of a test). */
  assertNoViolations(): void;
}

function parseBody(raw: string, contentType: string): unknown {
  if (raw === '') return undefined;
  const type = contentType.split(';')[0]!.trim();
  if (type === 'application/x-www-form-urlencoded')
    return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function matches(fault: Fault, req: EmuRequest): boolean {
  if (!fault.match) return true;
  if (fault.match instanceof RegExp) return fault.match.test(`${req.method} ${req.fullPath}`);
  return fault.match(req);
}

export async function startEmulatorServer(
  vendor: VendorHandler,
  port = 0,
): Promise<EmulatorServer> {
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();
  const state: EmulatorServer = {
    url: '',
    port: 0,
    violations: [],
    log: [],
    faults: [],
    randomFaults: null,
    clock: Date.now,
    rateWindows: () =>
      (vendor.windows ?? []).map((w) => ({
        max: w.max,
        intervalMs: w.intervalMs,
        peak: w.peak,
        violations: [...w.violations],
      })),
    close: async () => {
      for (const res of held) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    assertNoViolations() {
      if (state.violations.length === 0) return;
      const text = state.violations
        .map((v) => `${v.where} ${v.method} ${v.path}: ${v.errors.join('; ')}`)
        .join('\n');
      throw new Error(`Spec violations:\n${text}`);
    },
  };

  function takeFault(req: EmuRequest): FaultKind | undefined {
    const index = state.faults.findIndex((f) => matches(f, req));
    if (index >= 0) {
      const fault = state.faults[index]!;
      const left = (fault.times ?? 1) - 1;
      if (left <= 0) state.faults.splice(index, 1);
      else fault.times = left;
      return fault.kind;
    }
    const random = state.randomFaults;
    if (random && random.kinds.length > 0) {
      const rnd = random.random ?? Math.random;
      if (rnd() < random.rate) return random.kinds[Math.floor(rnd() * random.kinds.length)];
    }
    return undefined;
  }

  const server: Server = createServer((incoming, res) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const contentType = String(incoming.headers['content-type'] ?? '');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const fullPath = url.pathname;
      const req: EmuRequest = {
        method: incoming.method ?? 'GET',
        path: fullPath.startsWith(vendor.basePath)
          ? fullPath.slice(vendor.basePath.length)
          : fullPath,
        fullPath,
        query: url.searchParams,
        headers: incoming.headers,
        rawBody,
        body: parseBody(rawBody, contentType),
        contentType,
        at: state.clock(),
      };
      const found = fullPath.startsWith(vendor.basePath)
        ? vendor.validator.find(req.method, req.path)
        : null;
      const op = found?.op ?? null;
      if (found) {
        const errors = vendor.validator.validateRequest(found, {
          method: req.method,
          path: req.path,
          query: req.query,
          headers: req.headers,
          contentType,
          body: req.body,
        });
        if (errors.length)
          state.violations.push({ method: req.method, path: fullPath, where: 'request', errors });
      } else {
        const own = vendor.unspecified?.(req) ?? { known: false, errors: [] };
        if (!own.known) {
          state.violations.push({
            method: req.method,
            path: fullPath,
            where: 'request',
            errors: ['no operation in the official spec matches this request'],
          });
        } else if (own.errors.length) {
          state.violations.push({
            method: req.method,
            path: fullPath,
            where: 'request',
            errors: own.errors,
          });
        }
      }
      const contractErrors = vendor.contract?.(req, op) ?? [];
      if (contractErrors.length) {
        state.violations.push({
          method: req.method,
          path: fullPath,
          where: 'contract',
          errors: contractErrors,
        });
      }

      const send = (response: EmuResponse, fault?: FaultKind) => {
        const contentTypeOut = response.contentType ?? 'application/json';
        if (op && response.body !== undefined) {
          const errors = vendor.validator.validateResponse(
            op,
            response.status,
            contentTypeOut,
            response.body,
          );
          // An injected 5xx stands for an outage the spec does not describe; its body shape
          // is still checked whenever the spec documents the status.
          const undocumentedOutage =
            fault && response.status >= 500 && errors.some((e) => e.includes('not documented'));
          if (errors.length && !undocumentedOutage) {
            state.violations.push({
              method: req.method,
              path: fullPath,
              where: 'response',
              errors,
            });
          }
        }
        state.log.push({
          method: req.method,
          path: fullPath,
          status: response.status,
          fault,
          at: req.at,
        });
        res.writeHead(response.status, {
          ...(response.body !== undefined ? { 'content-type': contentTypeOut } : {}),
          ...response.headers,
        });
        res.end(response.body === undefined ? undefined : JSON.stringify(response.body));
      };
      const drop = (fault: FaultKind) => {
        state.log.push({
          method: req.method,
          path: fullPath,
          status: 'dropped',
          fault,
          at: req.at,
        });
        incoming.socket.destroy();
      };
      const hold = (fault: FaultKind) => {
        // Never answer: the client's timeout fires. Closed when the emulator stops.
        state.log.push({
          method: req.method,
          path: fullPath,
          status: 'timeout',
          fault,
          at: req.at,
        });
        held.add(res);
        res.on('close', () => held.delete(res));
      };

      const fault = takeFault(req);
      if (fault === '429' || fault === '500' || fault === '401')
        return send(vendor.faultResponse(fault, req), fault);
      if (fault === 'drop') return drop(fault);
      if (fault === 'timeout') return hold(fault);

      const denied = vendor.authenticate(req, op);
      if (denied) return send(denied);
      const limited = vendor.rateLimit(req, op);
      if (limited.reject) return send(limited.reject);
      let response: EmuResponse;
      try {
        response = vendor.handle(req, op, found?.params ?? {});
      } catch (error) {
        response = { status: 500, body: { message: String(error) } };
        state.violations.push({
          method: req.method,
          path: fullPath,
          where: 'response',
          errors: [`emulator crashed: ${String(error)}`],
        });
      }
      response.headers = { ...limited.headers, ...response.headers };
      if (fault === 'drop-after') return drop(fault);
      if (fault === 'timeout-after') return hold(fault);
      if (fault === '500-after') return send(vendor.faultResponse('500', req), fault);
      send(response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  state.port = address.port;
  state.url = `http://127.0.0.1:${address.port}`;
  return state;
}

/** A request that arrived while its rolling window was already full (the client went over). */
export interface RateViolation {
  key: string;
  at: number;
  /** Requests in the window counting this one (more than `max`). */
  inWindow: number;
  max: number;
  intervalMs: number;
}

/**
 * Rolling-window limiter for the emulators (the real services count the same way, per
 * the vendors' published docs (collected in the team's api-facts.md): HubSpot private apps 100 req/10 s, policy
 * "TEN_SECONDLY_ROLLING", and the search API's 5 requests a second; Clio 50 req/min per
 * token). It also
 * counts what a client did: `peak` is the most requests seen in any one window (refused
 * ones included) and every request over the limit is a `violation`.
 */
export class RollingWindow {
  private readonly hits = new Map<string, number[]>();
  max: number;
  intervalMs: number;
  peak = 0;
  readonly violations: RateViolation[] = [];
  constructor(max: number, intervalMs: number) {
    this.max = max;
    this.intervalMs = intervalMs;
  }

  /** Records a hit unless the window is full; returns what is left and when it frees up. */
  take(key: string, now = Date.now()): { ok: boolean; remaining: number; retryAfterMs: number } {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.intervalMs);
    this.peak = Math.max(this.peak, list.length + 1);
    if (list.length >= this.max) {
      this.hits.set(key, list);
      this.violations.push({
        key,
        at: now,
        inWindow: list.length + 1,
        max: this.max,
        intervalMs: this.intervalMs,
      });
      return { ok: false, remaining: 0, retryAfterMs: list[0]! + this.intervalMs - now };
    }
    list.push(now);
    this.hits.set(key, list);
    return { ok: true, remaining: this.max - list.length, retryAfterMs: 0 };
  }

  reset(): void {
    this.hits.clear();
    this.peak = 0;
    this.violations.length = 0;
  }
}

export function bearer(req: EmuRequest): string | null {
  const header = String(req.headers.authorization ?? '');
  const m = /^Bearer (.+)$/.exec(header);
  return m ? m[1]! : null;
}
