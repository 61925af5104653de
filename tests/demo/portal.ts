/**
 * A demo phone portal: RingCentral's call-history view served from 127.0.0.1, adding a new
 * missed call every few seconds (client-side, like the real app does over its socket).
 * `routeInto(context)` answers https://app.ringcentral.com/** from it, so the extension's
 * portal content script runs on it exactly as on the real site. Nothing leaves the machine.
 * Runs under plain Node 24 (erasable TypeScript only).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from '@playwright/test';
import {
  insertRowInPage,
  ringcentralPageHtml,
  ringcentralRowHtml,
  type PortalCall,
} from './ringcentralMarkup.ts';

export const DEMO_PORTAL_HOST_URL = 'https://app.ringcentral.com/phone/calls/all';

/** Realistic callers (555-01xx numbers are reserved for fiction). */
const CALLERS: { name?: string; number: string }[] = [
  { name: 'Maria Gonzalez', number: '(415) 555-0132' },
  { name: 'Derek Olsen', number: '(646) 555-0187' },
  { number: '(718) 555-0199' },
  { name: 'Priya Raman', number: '(332) 555-0110' },
  { number: 'Anonymous' },
  { name: 'Tom Becker', number: '(312) 555-0176' },
  { name: 'Keisha Williams', number: '(404) 555-0153' },
  { number: '(305) 555-0168' },
  { name: 'Luis Ortega', number: '(213) 555-0129' },
  { name: 'Hannah Schultz', number: '(512) 555-0141' },
  { number: 'Private' },
  { name: 'Oliver Hughes', number: '+44 20 7946 0958' },
  { name: 'Grace Kim', number: '(206) 555-0172' },
  { number: '(602) 555-0115' },
];
export interface DemoPortal {
  /** The server's own address (127.0.0.1). The content script does not run here. */
  url: string;
  /** Open this one (after routeInto): RingCentral's address, answered by this server. */
  hostUrl: string;
  routeInto(context: BrowserContext): Promise<void>;
  close(): Promise<void>;
}

/** The page's script: every intervalMs a call ends unanswered (some voicemail, some anonymous). */
function pageScript(intervalMs: number): string {
  return `
const ringcentralRowHtml = ${ringcentralRowHtml.toString()};
const insertRowInPage = ${insertRowInPage.toString()};
const CALLERS = ${JSON.stringify(CALLERS)};
let n = 0;
setInterval(() => {
  const caller = CALLERS[n % CALLERS.length];
  const call = {
    ...caller,
    id: 'DEMO' + Date.now().toString(36) + n,
    at: Date.now() - 40000,
    kind: n % 3 === 2 ? 'voicemail' : 'missed',
  };
  n++;
  insertRowInPage(ringcentralRowHtml(call));
}, ${Math.max(250, Math.round(intervalMs))});`;
}

/** The history the page opens with: calls that were answered or placed, nothing to call back. */
function initialRows(now: number): PortalCall[] {
  return [
    {
      id: 'DEMOinit2',
      name: 'Derek Olsen',
      number: '(646) 555-0187',
      at: now - 35 * 60_000,
      kind: 'answered',
    },
    {
      id: 'DEMOinit1',
      name: 'Sandra Lee',
      number: '(917) 555-0144',
      at: now - 95 * 60_000,
      kind: 'answered',
    },
  ];
}

export async function startDemoPortal(options: {
  intervalMs: number;
  port?: number;
}): Promise<DemoPortal> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(ringcentralPageHtml(initialRows(Date.now()), pageScript(options.intervalMs)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/phone/calls/all`;

  return {
    url,
    hostUrl: DEMO_PORTAL_HOST_URL,
    async routeInto(context) {
      await context.route('https://app.ringcentral.com/**', async (route) => {
        const { pathname, search } = new URL(route.request().url());
        const response = await route.fetch({ url: `http://127.0.0.1:${port}${pathname}${search}` });
        await route.fulfill({ response });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
