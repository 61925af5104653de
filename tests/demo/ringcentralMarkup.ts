/**
 * Markup of RingCentral's call-history view, as in tests/fixtures/portals/ringcentral/ (the
 * hooks RingCentral's own published web-app source uses; see the fixtures' header comment)
 * and what utils/capture/adapters/ringcentral.ts reads. Shared by the e2e test, the latency
 * benchmark and the demo portal, whose page embeds these functions' source to add rows itself.
 * Runs under plain Node (erasable TypeScript only).
 */

export interface PortalCall {
  /** RingCentral's call-log record id (the row's data-id). */
  id: string;
  /** Contact name, when the caller is a known contact. */
  name?: string;
  /** As shown: "(415) 555-0132", "+44 20 7946 0958" or "Anonymous". */
  number: string;
  /** Epoch ms. */
  at: number;
  kind: 'missed' | 'voicemail' | 'answered';
}

/** The call-history page header: what a test waits for before adding rows. */
export const RINGCENTRAL_HEADER = '[data-test-automation-id="CallHistoryPageHeader"]';

/**
 * One call row: `[data-test-automation-class="call-history-item"]` with the record id in
 * data-id, the name in .list-item-primary (an unknown caller's number takes its place), the
 * number in .list-item-secondary, a status block, and the start time as the page's clock
 * shows it. Self-contained (no outer references) because the demo page embeds its source;
 * text is escaped because caller names are data.
 */
export function ringcentralRowHtml(call: PortalCall): string {
  const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const status =
    call.kind === 'voicemail'
      ? 'Voicemail'
      : call.kind === 'answered'
        ? 'Inbound call'
        : 'Missed call';
  const time = new Date(call.at).toLocaleTimeString('en-US', {
    hour: 'numeric',
    minute: '2-digit',
  });
  const primary = call.name ?? call.number;
  const secondary = call.name ? call.number : '';
  const suffix = Math.random().toString(36).slice(2, 8);
  return [
    `<div class="MuiListItem-root jss${suffix}" data-test-automation-class="call-history-item" data-id="${esc(call.id)}">`,
    `<div class="avatar"><div class="jss227" uid="${esc(call.id.slice(-6))}"></div></div>`,
    `<div class="list-item-text"><span class="list-item-primary">${esc(primary)}</span>`,
    secondary ? `<span class="list-item-secondary">${esc(secondary)}</span>` : '',
    `</div>`,
    `<div class="status" data-kind="${call.kind}"><svg aria-hidden="true" width="16" height="16"></svg><span>${status}</span></div>`,
    `<div class="time"><span>${time}</span></div>`,
    `</div>`,
  ].join('');
}

/** The call-history page with `rows` (newest first), or RingCentral's empty state. */
export function ringcentralPageHtml(rows: PortalCall[], script = ''): string {
  const list = rows.length
    ? `<div class="list" data-test-automation-id="virtualized-list" data-type="1"><div>\n${rows.map(ringcentralRowHtml).join('\n')}\n</div></div>`
    : `<div class="empty" data-test-automation-id="callHistoryEmptyPage"><p>No call history</p></div>`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>RingCentral</title>
    <style>
      body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1c1c1c; background: #f7f8fa; }
      nav { display: flex; gap: 16px; padding: 12px 20px; background: #0684bd; }
      nav a { color: #fff; text-decoration: none; font-weight: 600; }
      main { max-width: 760px; margin: 20px auto; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px #0002; }
      [data-test-automation-id='CallHistoryPageHeader'] { font-size: 18px; font-weight: 600; padding: 16px 20px; border-bottom: 1px solid #e6e8eb; }
      [data-test-automation-class='call-history-item'] { display: grid; grid-template-columns: 32px 1fr 140px 90px; gap: 12px; align-items: center; padding: 10px 20px; border-bottom: 1px solid #f0f1f3; }
      .avatar div { width: 28px; height: 28px; border-radius: 50%; background: #c9d3dd; }
      .list-item-primary { display: block; font-weight: 600; }
      .list-item-secondary, .status, .time { color: #6b7785; font-size: 13px; }
      .status svg { vertical-align: middle; margin-right: 4px; border-radius: 50%; background: #9aa5b1; }
      .status[data-kind='missed'] svg { background: #e0352b; }
      .status[data-kind='voicemail'] svg { background: #f29d0b; }
      .status[data-kind='answered'] svg { background: #2eaa5a; }
      .empty { padding: 40px; text-align: center; color: #6b7785; }
    </style>
  </head>
  <body>
    <div id="app">
      <nav aria-label="Main navigation">
        <a href="/messages">Messages</a><a href="/phone" aria-current="page">Phone</a><a href="/video">Video</a>
      </nav>
      <main>
        <div data-test-automation-id="CallHistoryPageHeader"><span data-test-automation-id="conversation-page-header-title">Call History</span></div>
${list}
      </main>
    </div>
${script ? `    <script>\n${script}\n    </script>` : ''}
  </body>
</html>`;
}

/**
 * Insert a row at the top of the list in an open page (run inside the page by Playwright, and
 * embedded in the demo page): what RingCentral's app does when a call ends. The first row
 * replaces the empty state with the list.
 */
export function insertRowInPage(rowHtml: string): void {
  let list = document.querySelector('[data-test-automation-id="virtualized-list"]');
  if (!list) {
    const empty = document.querySelector('[data-test-automation-id="callHistoryEmptyPage"]');
    list = document.createElement('div');
    list.setAttribute('data-test-automation-id', 'virtualized-list');
    list.setAttribute('data-type', '1');
    list.append(document.createElement('div'));
    if (empty) empty.replaceWith(list);
    else document.querySelector('main')?.append(list);
  }
  list.firstElementChild!.insertAdjacentHTML('afterbegin', rowHtml);
}
