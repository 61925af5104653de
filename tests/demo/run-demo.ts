/**
 * `npm run demo`: Chromium with the built extension, a week of sample leads, a demo phone
 * portal that misses a call every few seconds, and HubSpot (served locally at its real
 * address) with the Callback Desk dock open. With a display it stays open until the window
 * closes or Ctrl-C; without one it runs headless, saves screenshots and exits.
 *
 *   node tests/demo/run-demo.ts [--headless] [--keep] [--interval=SECONDS]
 *
 * Env: EXTENSION_DIR (default .output/chrome-mv3), CHROME_PATH, DEMO_OUTPUT_DIR (default
 * demo-output). Nothing leaves the machine: the portal runs on 127.0.0.1 and the HubSpot and
 * RingCentral hosts are answered by Playwright routes.
 */
import { chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal } from './portal.ts';

declare const chrome: typeof import('wxt/browser').browser;

const args = process.argv.slice(2);
const headed =
  !args.includes('--headless') && Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const keep = headed || args.includes('--keep');
const intervalSeconds = Number(
  args.find((a) => a.startsWith('--interval='))?.split('=')[1] ?? (headed ? 20 : 3),
);
const EXTENSION_DIR = path.resolve(process.env.EXTENSION_DIR ?? '.output/chrome-mv3');
const OUT_DIR = path.resolve(process.env.DEMO_OUTPUT_DIR ?? 'demo-output');
const HUBSPOT_FIXTURE = path.resolve('tests/fixtures/crm/hubspot-contacts.html');
const HUBSPOT_URL = 'https://app.hubspot.com/contacts/8675309/objects/0-1/views/all/list';
/** The sample firm's zone (DEFAULT_SETTINGS.timeZone in utils/settings.ts). */
const DEMO_FIRM_TIME_ZONE = 'America/New_York';
// The demo portal's first rows are drawn here (Node), later ones in the browser: both on the
// firm's clock, as the queue is, so a call shows the same time in the portal and the queue.
process.env.TZ = DEMO_FIRM_TIME_ZONE;
const CAPTURE_TIMEOUT_MS = Math.max(60_000, intervalSeconds * 4_000);

const say = (text: string) => console.log(text);

function loadUnpackedHelp(): string {
  return [
    'Google Chrome (the branded build) no longer loads extensions from the command line:',
    'since Chrome 137 it ignores --load-extension. To use Callback Desk in Chrome:',
    '  1. open chrome://extensions and turn on "Developer mode" (top right);',
    '  2. click "Load unpacked" and pick this folder:',
    `       ${EXTENSION_DIR}`,
    '  3. open the extension\'s options page and click "Load sample data".',
    'Firefox: run "npm run build:firefox", open about:debugging#/runtime/this-firefox, click',
    '  "Load Temporary Add-on…" and pick .output/firefox-mv2/manifest.json.',
  ].join('\n');
}

/** CHROME_PATH, Debian's or Ubuntu's Chromium, or Playwright's own download, if present. */
function findChromium(): string | undefined {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) fail(`CHROME_PATH is set to ${fromEnv}, but there is no such file.`);
    if (/google-chrome|Google Chrome\.app|chrome\.exe$/i.test(fromEnv)) {
      fail(`CHROME_PATH points at branded Google Chrome (${fromEnv}).\n\n${loadUnpackedHelp()}`);
    }
    return fromEnv;
  }
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(candidate)) return candidate;
  }
  const bundled = chromium.executablePath();
  return existsSync(bundled) ? bundled : undefined;
}

function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

/** Same flags as the e2e fixtures; the sandbox only goes where it cannot work (root, CI). */
function launchFlags(): string[] {
  const runsAsRoot = process.getuid?.() === 0;
  return [
    `--disable-extensions-except=${EXTENSION_DIR}`,
    `--load-extension=${EXTENSION_DIR}`,
    ...(runsAsRoot || !headed ? ['--no-sandbox'] : []),
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    ...(headed ? ['--window-size=1440,920'] : []),
  ];
}

interface CapturedCall {
  from: string;
  name?: string;
  provider: string;
  at: number;
}

/** Runs in the extension (page or worker): calls stored since `since`, sample excluded. */
const readCapturedSince = (since: number) =>
  new Promise<CapturedCall[]>((resolve, reject) => {
    const open = indexedDB.open('callback-desk');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction('calls').objectStore('calls').getAll();
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        db.close();
        const calls = request.result as {
          phoneKey: string;
          callerName?: string;
          provider: string;
          startedAt: number;
          capturedAt: number;
        }[];
        resolve(
          calls
            .filter((c) => c.provider !== 'sample' && c.capturedAt >= since)
            .sort((a, b) => a.capturedAt - b.capturedAt)
            .map((c) => ({
              from: c.phoneKey.startsWith('nocallback:') ? 'no callback number' : c.phoneKey,
              name: c.callerName,
              provider: c.provider,
              at: c.startedAt,
            })),
        );
      };
    };
  });

function capturedSince(target: Page | Worker, since: number): Promise<CapturedCall[]> {
  return 'goto' in target
    ? target.evaluate(readCapturedSince, since)
    : target.evaluate(readCapturedSince, since);
}

async function badgeOf(sw: Worker) {
  return sw.evaluate(async () => ({
    text: await chrome.action.getBadgeText({}),
    title: await chrome.action.getTitle({}),
    color: await chrome.action.getBadgeBackgroundColor({}),
  }));
}

/**
 * The toolbar cannot be captured headless, so draw the badge as the extension set it (text,
 * colour, tooltip) next to the extension's own icon.
 */
async function renderBadge(context: BrowserContext, badge: Awaited<ReturnType<typeof badgeOf>>) {
  const icon = readFileSync(path.join(EXTENSION_DIR, 'icon/128.png')).toString('base64');
  const page = await context.newPage();
  await page.setViewportSize({ width: 520, height: 140 });
  const [r, g, b] = badge.color;
  await page.setContent(`<!doctype html><meta charset="utf-8">
    <body style="margin:0;font:13px system-ui,sans-serif;background:#dee1e6">
      <div id="bar" style="display:flex;align-items:center;gap:14px;padding:18px 22px">
        <div style="position:relative;width:32px;height:32px;padding:4px;border-radius:50%;background:#fff">
          <img src="data:image/png;base64,${icon}" width="32" height="32" alt="">
          <span id="badge" style="position:absolute;right:-6px;bottom:-4px;min-width:16px;padding:0 4px;
            border-radius:8px;background:rgb(${r},${g},${b});color:#fff;font:600 11px/16px system-ui;
            text-align:center"></span>
        </div>
        <div id="title" style="background:#fff;border:1px solid #bbb;border-radius:4px;padding:4px 8px"></div>
      </div>
      <p style="margin:0 22px;color:#555;font-size:11px">Drawn from chrome.action.getBadgeText / getBadgeBackgroundColor / getTitle</p>
    </body>`);
  // Text from the extension goes in as text, never as markup.
  await page.locator('#badge').evaluate((el, text) => (el.textContent = text), badge.text);
  await page.locator('#title').evaluate((el, text) => (el.textContent = text), badge.title);
  if (!badge.text) await page.locator('#badge').evaluate((el) => el.remove());
  const file = path.join(OUT_DIR, 'badge.png');
  await page.screenshot({ path: file });
  await page.close();
  return file;
}

async function main() {
  if (!existsSync(path.join(EXTENSION_DIR, 'manifest.json'))) {
    fail(`No built extension in ${EXTENSION_DIR}. Run "npm run build" (or "npm run demo") first.`);
  }
  const executablePath = findChromium();
  if (!executablePath) {
    fail(
      [
        'No Chromium found to run the demo in. Any of these works:',
        '  • Debian/Ubuntu: sudo apt-get install chromium   (Ubuntu: sudo snap install chromium)',
        "  • Playwright's Chromium: npx playwright install chromium",
        '  • Set CHROME_PATH to a Chromium binary: CHROME_PATH=/path/to/chromium npm run demo',
        '',
        loadUnpackedHelp(),
      ].join('\n'),
    );
  }

  say(`Callback Desk demo — ${headed ? 'headed' : 'headless'} Chromium (${executablePath})`);
  say(`Extension: ${EXTENSION_DIR}`);
  const context = await chromium.launchPersistentContext('', {
    executablePath,
    headless: !headed,
    viewport: headed ? null : { width: 1400, height: 900 },
    // The demo portal shows times on the page's clock; the queue shows them in the firm's
    // zone. One zone for both, so the same call reads the same time in each.
    timezoneId: DEMO_FIRM_TIME_ZONE,
    args: launchFlags(),
    // Ctrl-C goes to our shutdown (browser, then portal server), not Playwright's own.
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  const portal = await startDemoPortal({ intervalMs: intervalSeconds * 1000 });
  let closing = false;
  const shutdown = async (code: number) => {
    if (closing) return;
    closing = true;
    await context.close().catch(() => undefined);
    await portal.close().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  context.on('close', () => void shutdown(0));

  try {
    const sw =
      context.serviceWorkers()[0] ??
      (await context.waitForEvent('serviceworker', { timeout: 15_000 }).catch(() => {
        throw new Error(`The extension did not start in this browser.\n\n${loadUnpackedHelp()}`);
      }));
    const extensionId = sw.url().split('/')[2]!;
    const extensionUrl = (file: string) => `chrome-extension://${extensionId}/${file}`;

    // 1. Onboarding, as a user does it: Options → "Load sample data".
    const options = context.pages()[0] ?? (await context.newPage());
    await options.goto(extensionUrl('options.html'));
    const sample = options.getByRole('region', { name: 'Sample data' });
    await sample.getByRole('button', { name: /^(Load|Reload) sample data$/ }).click();
    const loaded = sample.getByRole('status');
    await loaded.waitFor({ timeout: 30_000 });
    say(`Sample data: ${await loaded.innerText()}`);

    // 2. HubSpot at its real address (a saved page served locally) with the dock open.
    const hubspotHtml = readFileSync(HUBSPOT_FIXTURE, 'utf8');
    await context.route('https://app.hubspot.com/**', (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: hubspotHtml }),
    );
    // 3. The demo phone portal, answering for RingCentral's web app.
    await portal.routeInto(context);
    const portalPage = await context.newPage();
    await portalPage.goto(portal.hostUrl);
    say(
      `Demo phone portal: ${portal.hostUrl} (served from ${portal.url}), a missed call every ${intervalSeconds} s`,
    );

    const hubspot = await context.newPage();
    await hubspot.goto(HUBSPOT_URL);
    await hubspot.getByRole('button', { name: 'Open Callback Desk' }).click();
    const dockQueue = hubspot
      .frameLocator('callback-desk-dock iframe')
      .getByRole('table', { name: 'Callback queue' });
    // A broken dock should not hide the rest of the demo: say so, carry on, fail at the end.
    const dockShowsQueue = await dockQueue.waitFor({ timeout: 15_000 }).then(
      () => true,
      () => false,
    );
    await hubspot.bringToFront();
    say(`HubSpot (local copy) with the Callback Desk dock open: ${HUBSPOT_URL}`);
    if (!dockShowsQueue) {
      console.error(
        '  The dock opened, but its sidebar did not show the callback queue within 15 s.',
      );
      process.exitCode = 1;
    }
    say(`Options: ${extensionUrl('options.html')}   Sidebar: ${extensionUrl('sidebar.html')}`);

    const startedAt = Date.now();
    let reported = 0;
    let lastBadge = '';
    // MV3 may stop and restart the worker, and the user may close tabs: always read through
    // whichever extension page or worker is alive right now.
    const ours = (url: string) => url.startsWith(extensionUrl(''));
    const liveWorker = () => context.serviceWorkers().find((w) => ours(w.url()));
    const report = async () => {
      const target = context.pages().find((p) => ours(p.url())) ?? liveWorker();
      if (!target) return reported;
      const calls = await capturedSince(target, startedAt);
      for (const call of calls.slice(reported)) {
        const time = new Date(call.at).toLocaleTimeString('en-US', {
          timeZone: DEMO_FIRM_TIME_ZONE,
        });
        say(
          `  captured missed call ${call.from}${call.name ? ` (${call.name})` : ''} at ${time} via ${call.provider}`,
        );
      }
      reported = calls.length;
      const worker = liveWorker();
      if (!worker) return reported;
      const badge = await badgeOf(worker);
      const line = `  badge: "${badge.text}" — ${badge.title}`;
      if (line !== lastBadge) say(line);
      lastBadge = line;
      return calls.length;
    };

    if (headed) {
      say('\nRunning. Close the browser window or press Ctrl-C to stop.');
      for (;;) {
        await report().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }

    // Headless: let the portal miss a couple of calls, then take pictures.
    say(`\nWaiting for the extension to capture two calls from the portal…`);
    const deadline = Date.now() + CAPTURE_TIMEOUT_MS;
    while ((await report().catch(() => reported)) < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    if (reported < 2) {
      console.error(
        `Only ${reported} call(s) captured from the demo portal in ${CAPTURE_TIMEOUT_MS / 1000} s.`,
      );
      process.exitCode = 1;
    }

    mkdirSync(OUT_DIR, { recursive: true });
    const shots: string[] = [];

    const sidebar = await context.newPage();
    await sidebar.setViewportSize({ width: 420, height: 900 });
    await sidebar.goto(extensionUrl('sidebar.html'));
    await sidebar.getByRole('table', { name: 'Callback queue' }).getByRole('row').nth(3).waitFor();
    shots.push(path.join(OUT_DIR, 'sidebar.png'));
    await sidebar.screenshot({ path: shots.at(-1)! });

    await hubspot.bringToFront();
    if (dockShowsQueue) await dockQueue.getByRole('row').nth(3).waitFor();
    shots.push(path.join(OUT_DIR, 'hubspot-dock.png'));
    await hubspot.screenshot({ path: shots.at(-1)! });

    shots.push(path.join(OUT_DIR, 'phone-portal.png'));
    await portalPage.screenshot({ path: shots.at(-1)! });

    await options.reload();
    await options.getByRole('heading', { name: 'Firm and business hours' }).waitFor();
    shots.push(path.join(OUT_DIR, 'options.png'));
    await options.screenshot({ path: shots.at(-1)!, fullPage: true });

    const badge = await badgeOf(liveWorker() ?? sw);
    shots.push(await renderBadge(context, badge));
    writeFileSync(path.join(OUT_DIR, 'badge.json'), JSON.stringify(badge, null, 2) + '\n');

    say(
      `\nToolbar badge (read from the service worker): text "${badge.text}", colour rgba(${badge.color.join(', ')})`,
    );
    say(`Tooltip: ${badge.title}`);
    say(
      'A headless browser has no toolbar to photograph, so badge.png draws the badge from those values.',
    );
    say('\nScreenshots:');
    for (const shot of shots) say(`  ${path.relative(process.cwd(), shot)}`);

    if (keep) {
      say('\n--keep: still running (headless). Press Ctrl-C to stop.');
      for (;;) {
        await report().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
    await shutdown(Number(process.exitCode ?? 0));
  } catch (error) {
    if (closing) return;
    console.error(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`);
    // What each tab showed when it failed, to see why without re-running.
    mkdirSync(OUT_DIR, { recursive: true });
    for (const [i, page] of context.pages().entries()) {
      const file = path.join(OUT_DIR, `failure-tab-${i + 1}.png`);
      if (
        await page.screenshot({ path: file }).then(
          () => true,
          () => false,
        )
      ) {
        console.error(`  ${page.url()} → ${path.relative(process.cwd(), file)}`);
      }
    }
    await shutdown(1);
  }
}

await main();
