import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { OpenApiValidator, SPECS_DIR } from './openapi.ts';

/**
 * The SMS side of the provider emulators (tests/emulators/providers.ts mounts these routes
 * on its Twilio and RingCentral servers). Texts sent through the API are kept in
 * `sms.sent`, texts "received" on our numbers (STOP replies) in `sms.inbound`; numbers in
 * `sms.optedOut` are refused the way the provider refuses an unsubscribed recipient.
 *
 * Twilio requests are validated against Twilio's OpenAPI document
 * (tests/specs/twilio/api_v2010.messages-calls.json); RingCentral's against the request
 * shape of its API reference (createSMSMessage: from.phoneNumber, to[].phoneNumber, text of
 * at most 1,000 characters). A mismatch is recorded in `sms.violations`.
 */

export interface EmulatedSms {
  id: string;
  from: string;
  to: string;
  body: string;
  at: number;
  direction: 'outbound' | 'inbound';
}

export interface SmsEmulatorState {
  /** Texts created by send requests (each one a text the recipient would get). */
  sent: EmulatedSms[];
  /** Texts received on our numbers. */
  inbound: EmulatedSms[];
  /** Recipients that replied STOP at the provider. */
  optedOut: Set<string>;
  /** The account's numbers; `sms` says whether each may send texts. */
  numbers: { phoneNumber: string; sms: boolean }[];
  violations: { method: string; path: string; errors: string[] }[];
  /** The provider's clock (a test on virtual time sets it; default the real one). */
  clock: () => number;
  /**
   * How long a text we sent stays out of the provider's message lists after it was created
   * (default 0). Twilio's list is reported to miss just-sent messages for minutes, at times
   * hours (https://github.com/twilio/twilio-node/issues/647,
   * https://github.com/twilio/twilio-java/issues/442).
   */
  listLagMs: number;
  /** Add a text received on our number (a reply such as STOP). */
  receive(from: string, body: string, at?: number, to?: string): EmulatedSms;
}

export function newSmsState(defaultNumber: string): SmsEmulatorState {
  const state: SmsEmulatorState = {
    sent: [],
    inbound: [],
    optedOut: new Set(),
    numbers: [{ phoneNumber: defaultNumber, sms: true }],
    violations: [],
    clock: () => Date.now(),
    listLagMs: 0,
    receive(from, body, at = state.clock(), to = state.numbers[0]?.phoneNumber ?? defaultNumber) {
      const text: EmulatedSms = {
        id: `in-${randomUUID()}`,
        from,
        to,
        body,
        at,
        direction: 'inbound',
      };
      state.inbound.push(text);
      return text;
    },
  };
  return state;
}

/** The part of an emulator request these routes read. */
interface SmsReq {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
interface SmsRes {
  status: number;
  body?: unknown;
}

const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

let twilioValidator: OpenApiValidator | undefined;
function twilioSpec(): OpenApiValidator {
  twilioValidator ??= new OpenApiValidator(
    [path.join(SPECS_DIR, 'twilio', 'api_v2010.messages-calls.json')],
    [
      {
        docId: 'api_v2010.messages-calls.json',
        why: 'Twilio\'s custom format "phone-number" is unknown to ajv (it would be ignored with a warning): checked as what the description says, E.164 or a channel address such as whatsapp:+1…',
        apply: (doc) => {
          const visit = (node: unknown): void => {
            if (Array.isArray(node)) node.forEach(visit);
            else if (node && typeof node === 'object') {
              const o = node as Record<string, unknown>;
              if (o.format === 'phone-number') {
                delete o.format;
                o.pattern = '^(\\+[1-9][0-9]{1,14}|[a-z]+:.+)$';
              }
              Object.values(o).forEach(visit);
            }
          };
          visit(doc);
        },
      },
    ],
  );
  return twilioValidator;
}

function checkTwilio(req: SmsReq, sms: SmsEmulatorState, body?: Record<string, string>): void {
  const spec = twilioSpec();
  const found = spec.find(req.method, req.path);
  if (!found) {
    sms.violations.push({ method: req.method, path: req.path, errors: ['not in the Twilio spec'] });
    return;
  }
  const contentType = String(req.headers['content-type'] ?? '');
  const errors = spec.validateRequest(found, {
    method: req.method,
    path: req.path,
    query: req.query,
    headers: req.headers,
    contentType: body ? contentType : undefined,
    body,
  });
  if (errors.length) sms.violations.push({ method: req.method, path: req.path, errors });
}

/** Sent texts the provider's lists show now (those older than the list's lag). */
function listed(sms: SmsEmulatorState): EmulatedSms[] {
  const until = sms.clock() - sms.listLagMs;
  return sms.listLagMs > 0 ? sms.sent.filter((m) => m.at <= until) : sms.sent;
}

function twilioMessage(sid: string, m: EmulatedSms, status: string) {
  return {
    sid: m.id,
    account_sid: sid,
    from: m.from,
    to: m.to,
    body: m.body,
    status,
    direction: m.direction === 'inbound' ? 'inbound' : 'outbound-api',
    date_created: rfc2822(m.at),
    date_updated: rfc2822(m.at),
    date_sent: m.direction === 'inbound' ? rfc2822(m.at) : null,
    num_segments: '1',
    num_media: '0',
    api_version: '2010-04-01',
    uri: `/2010-04-01/Accounts/${sid}/Messages/${m.id}.json`,
  };
}

/** Twilio Messages and IncomingPhoneNumbers, or null for any other request. */
export function twilioSmsRoute(req: SmsReq, sms: SmsEmulatorState, sid: string): SmsRes | null {
  const prefix = `/2010-04-01/Accounts/${sid}`;
  if (req.method === 'GET' && req.path === `${prefix}/IncomingPhoneNumbers.json`) {
    checkTwilio(req, sms);
    return {
      status: 200,
      body: {
        incoming_phone_numbers: sms.numbers.map((n, i) => ({
          sid: `PN${String(i).padStart(32, '0')}`,
          phone_number: n.phoneNumber,
          capabilities: { voice: true, sms: n.sms, mms: n.sms, fax: false },
        })),
        next_page_uri: null,
        page: 0,
        page_size: 50,
      },
    };
  }
  if (req.path !== `${prefix}/Messages.json`) return null;
  if (req.method === 'POST') {
    const form = Object.fromEntries(new URLSearchParams(req.body));
    checkTwilio(req, sms, form);
    const to = form.To ?? '';
    const body = form.Body ?? '';
    if (!to || !body || !(form.From || form.MessagingServiceSid))
      return {
        status: 400,
        body: { code: 21602, message: 'Message body is required.', status: 400 },
      };
    // https://www.twilio.com/docs/api/errors/21610
    if (sms.optedOut.has(to))
      return {
        status: 400,
        body: {
          code: 21610,
          message: 'Attempt to send to unsubscribed recipient',
          more_info: 'https://www.twilio.com/docs/errors/21610',
          status: 400,
        },
      };
    const text: EmulatedSms = {
      id: `SM${randomUUID().replace(/-/g, '')}`,
      from: form.From ?? sms.numbers[0]!.phoneNumber,
      to,
      body,
      at: sms.clock(),
      direction: 'outbound',
    };
    sms.sent.push(text);
    return { status: 201, body: twilioMessage(sid, text, 'queued') };
  }
  if (req.method === 'GET') {
    checkTwilio(req, sms);
    const to = req.query.get('To');
    const from = req.query.get('From');
    const rows = [...listed(sms), ...sms.inbound]
      .filter((m) => (!to || m.to === to) && (!from || m.from === from))
      .sort((a, b) => b.at - a.at);
    const size = Math.min(1000, Number(req.query.get('PageSize') ?? 50) || 50);
    return {
      status: 200,
      body: {
        messages: rows
          .slice(0, size)
          .map((m) => twilioMessage(sid, m, m.direction === 'inbound' ? 'received' : 'sent')),
        next_page_uri: null,
        page: 0,
        page_size: size,
      },
    };
  }
  return null;
}

function rcMessage(m: EmulatedSms) {
  return {
    id: m.id,
    uri: `/restapi/v1.0/account/~/extension/~/message-store/${m.id}`,
    type: 'SMS',
    direction: m.direction === 'inbound' ? 'Inbound' : 'Outbound',
    from: { phoneNumber: m.from },
    to: [{ phoneNumber: m.to }],
    subject: m.body,
    messageStatus: m.direction === 'inbound' ? 'Received' : 'Queued',
    creationTime: new Date(m.at).toISOString(),
    lastModifiedTime: new Date(m.at).toISOString(),
    readStatus: 'Read',
  };
}

/** RingCentral phone-number, sms and the SMS part of the message store, or null. */
export function ringCentralSmsRoute(req: SmsReq, sms: SmsEmulatorState): SmsRes | null {
  const ext = '/restapi/v1.0/account/~/extension/~';
  if (req.method === 'GET' && req.path === `${ext}/phone-number`) {
    return {
      status: 200,
      body: {
        records: sms.numbers.map((n, i) => ({
          id: 9000 + i,
          phoneNumber: n.phoneNumber,
          usageType: 'DirectNumber',
          features: n.sms ? ['SmsSender', 'CallerId', 'MmsSender'] : ['CallerId'],
        })),
        navigation: {},
      },
    };
  }
  if (req.method === 'POST' && req.path === `${ext}/sms`) {
    let payload: {
      from?: { phoneNumber?: string };
      to?: { phoneNumber?: string }[];
      text?: string;
    };
    try {
      payload = JSON.parse(req.body) as typeof payload;
    } catch {
      payload = {};
    }
    const errors: string[] = [];
    const from = payload.from?.phoneNumber;
    const to = payload.to?.[0]?.phoneNumber;
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      errors.push('Content-Type must be application/json');
    if (!from || !/^\+\d{8,15}$/.test(from)) errors.push('from.phoneNumber must be E.164');
    if (!to || !/^\+\d{8,15}$/.test(to)) errors.push('to[0].phoneNumber must be E.164');
    if (!payload.text || payload.text.length > 1000) errors.push('text: 1 to 1000 characters');
    if (errors.length) {
      sms.violations.push({ method: req.method, path: req.path, errors });
      return { status: 400, body: { errorCode: 'CMN-101', message: errors.join('; ') } };
    }
    if (!sms.numbers.some((n) => n.sms && n.phoneNumber === from))
      return {
        status: 400,
        body: { errorCode: 'MSG-304', message: 'Phone number does not have SMS feature' },
      };
    if (sms.optedOut.has(to!))
      return {
        status: 400,
        body: { errorCode: 'MSG-383', message: 'The recipient has opted out of SMS messages' },
      };
    const text: EmulatedSms = {
      id: String(700_000_000 + sms.sent.length + 1),
      from: from!,
      to: to!,
      body: payload.text!,
      at: sms.clock(),
      direction: 'outbound',
    };
    sms.sent.push(text);
    return { status: 200, body: rcMessage(text) };
  }
  if (
    req.method === 'GET' &&
    req.path === `${ext}/message-store` &&
    req.query.get('messageType') === 'SMS'
  ) {
    const direction = req.query.get('direction');
    const since = Date.parse(req.query.get('dateFrom') ?? '') || sms.clock() - 86_400_000;
    const number = req.query.get('phoneNumber');
    const rows = [...listed(sms), ...sms.inbound]
      .filter(
        (m) =>
          m.at >= since &&
          (!direction || (direction === 'Inbound') === (m.direction === 'inbound')) &&
          (!number || m.to === number || m.from === number),
      )
      .sort((a, b) => b.at - a.at);
    return { status: 200, body: { records: rows.map(rcMessage), navigation: {} } };
  }
  return null;
}
