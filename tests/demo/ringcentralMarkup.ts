/**
 * Markup of RingCentral's call-history view, as in tests/fixtures/portals/ringcentral/ (and
 * what utils/adapters/ringcentral.ts reads). Shared by the e2e test, the latency benchmark
 * and the demo portal, whose page embeds `ringcentralRowHtml`'s source to add rows itself.
 * Runs under plain Node (erasable TypeScript only).
 */

export interface PortalCall {
  /** RingCentral's call-log id (data-call-id). */
  id: string;
  /** Contact name, when the caller is a known contact. */
  name?: string;
  /** As shown: "(415) 555-0132", "+44 20 7946 0958" or "Anonymous". */
  number: string;
  /** For the tel: link; absent for anonymous callers. */
  e164?: string;
  /** Epoch ms. */
  at: number;
  kind: 'missed' | 'voicemail' | 'answered';
  /** The firm line dialled, as shown: "Main line (212) 555-0100". */
  line?: string;
}

/**
 * One call row. Self-contained (no outer references) because the demo page embeds its
 * source; text is escaped because caller names are data.
 */
export function ringcentralRowHtml(call: PortalCall): string {
  const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const label =
    call.kind === 'voicemail'
      ? 'Voicemail'
      : call.kind === 'answered'
        ? 'Incoming call'
        : 'Missed call';
  const time = new Date(call.at).toLocaleTimeString('en-US', {
    hour: 'numeric',
    minute: '2-digit',
  });
  const who = call.name ? `${call.name}, ${call.number}` : call.number;
  const suffix = Math.random().toString(36).slice(2, 8);
  return [
    `<div class="css-q1w2e3 MuiListItem-root css-${suffix}" role="listitem" tabindex="-1" data-test-automation-id="callHistoryItem" data-call-id="${esc(call.id)}" aria-label="${esc(`${label} from ${who}, ${time}`)}">`,
    `<div class="css-1v7x0kq"><span class="css-aa1bb2" role="img" aria-label="${label}" data-test-automation-id="callDirectionIcon"></span></div>`,
    `<div class="css-3k9f0l">`,
    call.name
      ? `<span class="css-kj3g8s MuiTypography-root" data-test-automation-id="callerName">${esc(call.name)}</span>`
      : '',
    call.e164
      ? `<a class="css-0p9o8i" href="tel:${esc(call.e164)}" data-test-automation-id="callerNumber">${esc(call.number)}</a>`
      : `<span class="css-0p9o8i" data-test-automation-id="callerNumber">${esc(call.number)}</span>`,
    `</div>`,
    call.line
      ? `<div class="css-7h6g5f" data-test-automation-id="callLine">To: ${esc(call.line)}</div>`
      : '',
    `<time class="css-2w3e4r" datetime="${new Date(call.at).toISOString()}" data-test-automation-id="callTime">${time}</time>`,
    `<span class="css-u9z8y7" data-test-automation-id="callDuration">${call.kind === 'answered' ? '4:31' : '0:00'}</span>`,
    `</div>`,
  ].join('');
}

/** The call-history page with `rows` (newest first), or RingCentral's empty state. */
export function ringcentralPageHtml(rows: PortalCall[], script = ''): string {
  const list = rows.length
    ? rows.map(ringcentralRowHtml).join('\n')
    : `<div class="css-5r4e3w" data-test-automation-id="emptyCallHistory"><p class="css-mn1b2v MuiTypography-root">No calls</p></div>`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Call history - RingCentral</title>
    <style>
      body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1c1c1c; background: #f7f8fa; }
      nav { display: flex; gap: 16px; padding: 12px 20px; background: #0684bd; }
      nav a { color: #fff; text-decoration: none; font-weight: 600; }
      main { max-width: 760px; margin: 20px auto; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px #0002; }
      h1 { font-size: 18px; margin: 0; padding: 16px 20px; border-bottom: 1px solid #e6e8eb; }
      [role='listitem'] { display: grid; grid-template-columns: 32px 1fr 220px 80px 50px; gap: 12px; align-items: center; padding: 10px 20px; border-bottom: 1px solid #f0f1f3; }
      [role='img'] { width: 18px; height: 18px; border-radius: 50%; background: #9aa5b1; display: inline-block; }
      [aria-label='Missed call'][role='img'] { background: #e0352b; }
      [aria-label='Voicemail'][role='img'] { background: #f29d0b; }
      [aria-label='Incoming call'][role='img'] { background: #2eaa5a; }
      [data-test-automation-id='callerName'] { display: block; font-weight: 600; }
      a { color: #0684bd; }
      [data-test-automation-id='callLine'], time, [data-test-automation-id='callDuration'] { color: #6b7785; font-size: 13px; }
      [data-test-automation-id='emptyCallHistory'] { padding: 40px; text-align: center; color: #6b7785; }
    </style>
  </head>
  <body>
    <div id="root">
      <nav aria-label="Main navigation">
        <a href="/messages">Messages</a><a href="/phone/calls" aria-current="page">Phone</a><a href="/video">Video</a>
      </nav>
      <main>
        <h1>Call history</h1>
        <div class="css-1gk2n4z" role="list" aria-label="Call history" data-test-automation-id="callHistoryList">
${list}
        </div>
      </main>
    </div>
${script ? `    <script>\n${script}\n    </script>` : ''}
  </body>
</html>`;
}

/**
 * Insert a row at the top of the list in an open page (run inside the page by Playwright):
 * what RingCentral's app does when a call ends.
 */
export function insertRowInPage(rowHtml: string): void {
  const list = document.querySelector('[data-test-automation-id="callHistoryList"]');
  if (!list) throw new Error('No call-history list on this page');
  list.querySelector('[data-test-automation-id="emptyCallHistory"]')?.remove();
  list.insertAdjacentHTML('afterbegin', rowHtml);
}
