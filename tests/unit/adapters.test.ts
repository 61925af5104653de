// @vitest-environment happy-dom
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomAdapter, extractCustomRows } from '@/utils/capture/adapters/custom';
import { CustomAdapterConfig } from '@/utils/capture/adapters/customConfig';
import {
  adapterForUrl,
  PORTAL_MATCHES,
  PORTAL_ORIGINS,
  SITE_ADAPTERS,
} from '@/utils/capture/adapters/registry';
import type { AdapterReadResult, SiteAdapter } from '@/utils/capture/adapters/types';
import { createPortalSession, markSent, unsentCalls } from '@/utils/capture/portalSession';
import type { IncomingCall } from '@/utils/model';

const ADAPTER_DIR = path.resolve('utils/capture/adapters');
const FIXTURE_DIR = path.resolve('tests/fixtures/portals');
/** Files in utils/capture/adapters/ that are shared machinery, not site adapters. */
const INFRASTRUCTURE = [
  'types.ts',
  'registry.ts',
  'observe.ts',
  'read.ts',
  'listAdapter.ts',
  'time.ts',
  'customConfig.ts',
];

/** Every portal's row elements, for the tests that break them. */
const ROW_SELECTORS =
  '[role="row"], [role="listitem"], tr, gv-thread-item, gv-thread-list-item, [data-test-automation-class]';

/**
 * Tuesday 2026-12-08, 3:00 PM in New York: the clock every fixture was "saved" at, in a
 * browser in New York (portals show times in the browser's zone).
 */
const NOW = Date.parse('2026-12-08T15:00:00-05:00');
const ZONE = 'America/New_York';
let savedZone: string | undefined;
beforeAll(() => {
  savedZone = process.env.TZ;
  process.env.TZ = ZONE;
});
afterAll(() => {
  if (savedZone === undefined) delete process.env.TZ;
  else process.env.TZ = savedZone;
});

const customConfig = CustomAdapterConfig.parse(
  JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'custom/config.json'), 'utf8')),
);
const custom = createCustomAdapter(customConfig);
const ALL_ADAPTERS: SiteAdapter[] = [...SITE_ADAPTERS, custom];

function load(html: string): Document {
  return new DOMParser().parseFromString(html, 'text/html');
}
function fixture(site: string, state: string): Document {
  return load(readFileSync(path.join(FIXTURE_DIR, site, `${state}.html`), 'utf8'));
}
function read(adapter: SiteAdapter, doc: ParentNode): AdapterReadResult {
  return adapter.read(doc, { now: NOW });
}

type Expected = Omit<IncomingCall, 'startedAt' | 'capturePath' | 'provider'> & { at: string };
function calls(provider: string, expected: Expected[]): IncomingCall[] {
  return expected.map(({ at, ...rest }) => ({
    provider,
    capturePath: 'portal',
    startedAt: Date.parse(at),
    ...rest,
  }));
}

interface Case {
  rowsSeen: number;
  rowsRead: number;
  misses?: string[];
  calls: Expected[];
}

/** Exact expectations for every fixture: a fixture without an entry fails the convention test. */
const EXPECTED: Record<string, Record<string, Case>> = {
  // Markup of RingCentral's published source (see the fixtures' header comment).
  ringcentral: {
    empty: { rowsSeen: 0, rowsRead: 0, calls: [] },
    mixed: {
      rowsSeen: 5,
      rowsRead: 5,
      calls: [
        {
          from: '(415) 555-0132',
          at: '2026-12-08T14:14:00-05:00',
          reason: 'no-answer',
          callerName: 'Maria Gonzalez',
          providerCallId: 'Y2aWg7QpZ1xRtA',
        },
        {
          from: '(646) 555-0187',
          at: '2026-12-08T13:40:00-05:00',
          reason: 'answered',
          callerName: 'Derek Olsen',
          providerCallId: 'Y2aWg5LmB0cKpQ',
        },
        // An unknown caller: the number in the name slot, a place in the number slot.
        {
          from: '(718) 555-0199',
          at: '2026-12-08T11:47:00-05:00',
          reason: 'no-answer',
          providerCallId: 'Y2aWf8XoUu2pLa',
        },
        {
          from: '(332) 555-0110',
          at: '2026-12-07T17:52:00-05:00',
          reason: 'no-answer',
          callerName: 'Priya Raman',
          providerCallId: 'Y2aVz0PqT4mHcE',
        },
      ],
    },
    voicemail: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: '(312) 555-0176',
          at: '2026-12-08T14:31:00-05:00',
          reason: 'voicemail',
          callerName: 'Tom Becker',
          providerCallId: 'Y2aWh2VmA7rLqS',
        },
        {
          from: '(312) 555-0176',
          at: '2026-12-08T14:29:00-05:00',
          reason: 'no-answer',
          callerName: 'Tom Becker',
          providerCallId: 'Y2aWh1XeQ3tNbD',
        },
      ],
    },
    anonymous: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: 'Anonymous',
          at: '2026-12-08T14:50:00-05:00',
          reason: 'no-answer',
          providerCallId: 'Y2aWi9AnOn0001',
        },
        // "3 min ago" against the page clock; the store drops "WIRELESS CALLER" as a name.
        {
          from: '(929) 555-0163',
          at: '2026-12-08T14:57:00-05:00',
          reason: 'no-answer',
          callerName: 'WIRELESS CALLER',
          providerCallId: 'Y2aWi9WiRe0002',
        },
      ],
    },
    international: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: '+44 20 7946 0958',
          at: '2026-12-08T10:03:00-05:00',
          reason: 'no-answer',
          callerName: 'Oliver Hughes',
          providerCallId: 'Y2aWj4IntL0nD1',
        },
        {
          from: '+52 55 1234 5678',
          at: '2026-12-07T16:20:00-05:00',
          reason: 'no-answer',
          providerCallId: 'Y2aWj2IntL0mX2',
        },
      ],
    },
    // The pointer rests on Maria's row: its time is swapped for buttons. Read on its own, the
    // row waits (no miss, no made-up time); see "RingCentral rows" below for the remembered time.
    hovered: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: '(646) 555-0187',
          at: '2026-12-08T13:40:00-05:00',
          reason: 'answered',
          callerName: 'Derek Olsen',
          providerCallId: 'Y2aWg5LmB0cKpQ',
        },
      ],
    },
  },
  // Dialpad History read by its words, and the admin table (see the fixtures' header comment).
  dialpad: {
    empty: { rowsSeen: 0, rowsRead: 0, calls: [] },
    mixed: {
      rowsSeen: 5,
      rowsRead: 4,
      // A saved contact is listed by name alone: no number to call back, and it says so.
      misses: ['number: no tel: link or caller number (1 row)'],
      calls: [
        // "Incoming" with no missed status: answered (it closes an open lead).
        { from: '(646) 555-0187', at: '2026-12-08T13:40:00-05:00', reason: 'answered' },
        { from: '(718) 555-0199', at: '2026-12-08T11:47:00-05:00', reason: 'no-answer' },
        // "Fri Aug 29" alone: long before the capture window, read and left.
      ],
    },
    voicemail: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        { from: '(312) 555-0176', at: '2026-12-08T14:31:00-05:00', reason: 'voicemail' },
        { from: '(503) 555-0121', at: '2026-12-07T18:02:00-05:00', reason: 'voicemail' },
      ],
    },
    anonymous: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        { from: 'Unknown', at: '2026-12-08T14:50:00-05:00', reason: 'no-answer' },
        { from: 'Restricted', at: '2026-12-08T14:52:00-05:00', reason: 'no-answer' },
      ],
    },
    // The admin "Conversation history" table: the call id from "View call summary".
    international: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: '+44 20 7946 0958',
          at: '2026-12-08T10:03:00-05:00',
          reason: 'no-answer',
          providerCallId: '5839201746332001',
        },
        {
          from: '+61 2 9374 4000',
          at: '2026-12-07T19:15:00-05:00',
          reason: 'no-answer',
          providerCallId: '5839201746332012',
        },
      ],
    },
  },
  // Dashboard call log (a table read by column position), the legacy phone app's cards, and
  // Aircall Workspace (see each fixture's header comment for what is evidence and what is not).
  aircall: {
    empty: { rowsSeen: 0, rowsRead: 0, calls: [] },
    mixed: {
      rowsSeen: 4,
      rowsRead: 4,
      calls: [
        {
          from: '+1 415-555-0132',
          at: '2026-12-08T14:14:00-05:00',
          reason: 'no-answer',
          callerName: 'Maria Gonzalez',
          agent: 'Sarah Lee',
        },
        {
          from: '+1 646-555-0187',
          at: '2026-12-08T13:40:00-05:00',
          reason: 'answered',
          callerName: 'Derek Olsen',
          agent: 'James Ortiz',
        },
        {
          from: '+1 718-555-0199',
          at: '2026-12-08T11:47:00-05:00',
          reason: 'no-answer',
          agent: 'James Ortiz',
        },
      ],
    },
    // The legacy phone app's history cards.
    voicemail: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        { from: '+1 312-555-0176', at: '2026-12-08T14:31:00-05:00', reason: 'voicemail' },
        { from: '+1 312-555-0176', at: '2026-12-08T14:29:00-05:00', reason: 'no-answer' },
      ],
    },
    anonymous: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: 'Anonymous',
          at: '2026-12-08T14:50:00-05:00',
          reason: 'no-answer',
          agent: 'Sarah Lee',
        },
        {
          from: 'Private number',
          at: '2026-12-08T14:55:00-05:00',
          reason: 'no-answer',
          agent: 'Sarah Lee',
        },
      ],
    },
    international: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: '+44 20 7946 0958',
          at: '2026-12-08T10:03:00-05:00',
          reason: 'no-answer',
          callerName: 'Oliver Hughes',
          agent: 'Sarah Lee',
        },
        {
          from: '+33 1 42 68 53 00',
          at: '2026-12-07T16:20:00-05:00',
          reason: 'no-answer',
          agent: 'Sarah Lee',
        },
      ],
    },
    // Aircall Workspace, Inbox → Calls → Missed calls.
    workspace: {
      rowsSeen: 3,
      rowsRead: 3,
      calls: [
        { from: '+1 415-555-0132', at: '2026-12-08T14:14:00-05:00', reason: 'no-answer' },
        { from: '+1 718-555-0199', at: '2026-12-08T11:47:00-05:00', reason: 'no-answer' },
        { from: '+1 404-555-0153', at: '2026-12-07T18:05:00-05:00', reason: 'voicemail' },
      ],
    },
  },
  // Zoom's admin call log (see the fixtures' header comment).
  zoom: {
    empty: { rowsSeen: 0, rowsRead: 0, calls: [] },
    mixed: {
      rowsSeen: 5,
      rowsRead: 5,
      calls: [
        {
          from: '(415) 555-0132',
          at: '2026-12-08T14:14:07-05:00',
          reason: 'no-answer',
          callerName: 'Maria Gonzalez',
          dialedLine: '(212) 555-0100',
          agent: 'Sarah Lee',
        },
        {
          from: '(646) 555-0187',
          at: '2026-12-08T13:40:51-05:00',
          reason: 'answered',
          callerName: 'Derek Olsen',
          dialedLine: '(212) 555-0100',
          agent: 'James Ortiz',
        },
        // The queue leg that overflowed is skipped; the leg it moved on to ended abandoned.
        {
          from: '(718) 555-0199',
          at: '2026-12-08T11:47:02-05:00',
          reason: 'abandoned',
          dialedLine: '(212) 555-0142',
          agent: 'James Ortiz',
        },
      ],
    },
    // A play link in the Voicemail column.
    voicemail: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: '(312) 555-0176',
          at: '2026-12-08T14:31:00-05:00',
          reason: 'voicemail',
          callerName: 'Tom Becker',
          dialedLine: '(212) 555-0142',
          agent: 'Intake Queue',
        },
        {
          from: '(503) 555-0121',
          at: '2026-12-07T18:02:44-05:00',
          reason: 'voicemail',
          dialedLine: '(212) 555-0100',
          agent: 'Sarah Lee',
        },
      ],
    },
    anonymous: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: 'Anonymous',
          at: '2026-12-08T14:50:40-05:00',
          reason: 'no-answer',
          dialedLine: '(212) 555-0100',
          agent: 'Sarah Lee',
        },
        {
          from: 'No Caller ID',
          at: '2026-12-08T14:52:03-05:00',
          reason: 'busy',
          dialedLine: '(212) 555-0100',
          agent: 'Intake Queue',
        },
      ],
    },
    international: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: '+44 20 7946 0958',
          at: '2026-12-08T10:03:22-05:00',
          reason: 'no-answer',
          callerName: 'Oliver Hughes',
          dialedLine: '(212) 555-0100',
          agent: 'Sarah Lee',
        },
        {
          from: '+49 30 901820',
          at: '2026-12-07T16:20:00-05:00',
          reason: 'abandoned',
          dialedLine: '(212) 555-0100',
          agent: 'James Ortiz',
        },
      ],
    },
  },
  // Markup of public Google Voice userscripts (see the fixtures' header comment).
  googlevoice: {
    empty: { rowsSeen: 0, rowsRead: 0, calls: [] },
    mixed: {
      rowsSeen: 4,
      rowsRead: 3,
      // A saved contact is listed by name alone: no number to call back, and it says so.
      misses: ['number: no tel: link or caller number (1 row)'],
      calls: [
        { from: '(646) 555-0187', at: '2026-12-08T13:40:00-05:00', reason: 'answered' },
        { from: '(718) 555-0199', at: '2026-12-08T11:47:00-05:00', reason: 'no-answer' },
      ],
    },
    // "Yesterday" on screen: the full date comes from the screen-reader text.
    voicemail: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        { from: '(312) 555-0176', at: '2026-12-08T14:31:00-05:00', reason: 'voicemail' },
        { from: '(503) 555-0121', at: '2026-12-07T18:02:00-05:00', reason: 'voicemail' },
      ],
    },
    anonymous: {
      rowsSeen: 2,
      rowsRead: 2,
      // "Dec 1" alone: a week back, before the capture window, so read and left (no miss).
      calls: [{ from: 'Unknown', at: '2026-12-08T14:50:00-05:00', reason: 'no-answer' }],
    },
    international: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        { from: '+44 20 7946 0958', at: '2026-12-08T10:03:00-05:00', reason: 'no-answer' },
        { from: '+81 3-1234-5678', at: '2026-12-07T16:20:00-05:00', reason: 'no-answer' },
      ],
    },
  },
  custom: {
    empty: { rowsSeen: 0, rowsRead: 0, calls: [] },
    mixed: {
      rowsSeen: 4,
      rowsRead: 4,
      calls: [
        {
          from: '+14155550132',
          at: '2026-12-08T14:14:07-05:00',
          reason: 'no-answer',
          callerName: 'Maria Gonzalez',
          providerCallId: '88120931',
        },
        {
          from: '(718) 555-0199',
          at: '2026-12-08T11:47:00-05:00',
          reason: 'busy',
          providerCallId: '88120644',
        },
      ],
    },
    voicemail: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: '+13125550176',
          at: '2026-12-08T14:31:00-05:00',
          reason: 'voicemail',
          callerName: 'Tom Becker',
          providerCallId: '88121002',
        },
        {
          from: '+13125550176',
          at: '2026-12-08T14:29:12-05:00',
          reason: 'no-answer',
          callerName: 'Tom Becker',
          providerCallId: '88120990',
        },
      ],
    },
    anonymous: {
      rowsSeen: 2,
      rowsRead: 1,
      misses: ['number: numberSelector found no phone number (1 row)'],
      calls: [
        {
          from: 'Anonymous',
          at: '2026-12-08T14:50:40-05:00',
          reason: 'no-answer',
          providerCallId: '88121101',
        },
      ],
    },
    international: {
      rowsSeen: 2,
      rowsRead: 2,
      calls: [
        {
          from: '+442079460958',
          at: '2026-12-08T10:03:22-05:00',
          reason: 'no-answer',
          callerName: 'Oliver Hughes',
          providerCallId: '88119001',
        },
        {
          from: '011 52 55 1234 5678',
          at: '2026-12-07T16:20:00-05:00',
          reason: 'no-answer',
          providerCallId: '88118950',
        },
      ],
    },
  },
};

describe.each(ALL_ADAPTERS.map((adapter) => [adapter.id, adapter] as const))(
  '%s adapter',
  (id, adapter) => {
    it.each(Object.entries(EXPECTED[id] ?? {}))(
      'reads the %s fixture exactly',
      (state, expected) => {
        const result = read(adapter, fixture(id, state));
        expect(result).toEqual({
          calls: calls(id, expected.calls),
          rowsSeen: expected.rowsSeen,
          rowsRead: expected.rowsRead,
          misses: expected.misses ?? [],
        });
      },
    );

    it('reports misses, never throws, when the rows lose their cues', () => {
      // The page's rows with every durable cue stripped: a redesign that renamed everything.
      const doc = fixture(id, 'mixed');
      for (const el of Array.from(doc.querySelectorAll('*'))) {
        for (const name of el.getAttributeNames()) {
          if (/^(aria-label|datetime|title|href|data-mat-icon-name)$/.test(name))
            el.removeAttribute(name);
        }
        if (el.children.length === 0 && el.closest(ROW_SELECTORS)) {
          // Icon classes carry the call type on some portals (Google Voice).
          el.removeAttribute('class');
          el.textContent = 'x';
        }
      }
      const result = read(adapter, doc);
      expect(result.calls).toEqual([]);
      expect(result.rowsSeen).toBeGreaterThan(0);
      // The custom adapter reads rows its missed pattern does not match as "not missed".
      if (id !== 'custom') {
        expect(result.rowsRead).toBe(0);
        expect(result.misses.length).toBeGreaterThan(0);
      }
    });

    it('says so when the call list is there but no row selector matches', () => {
      const doc = fixture(id, 'mixed');
      const rows = read(adapter, doc).rowsSeen;
      expect(rows).toBeGreaterThan(0);
      // Rows re-rendered under unknown markup: same text, no roles, hooks or classes.
      for (const el of Array.from(doc.querySelectorAll(`${ROW_SELECTORS}, li`))) {
        if (el.querySelector('th, [role="columnheader"]')) continue;
        const replacement = doc.createElement('section');
        replacement.textContent = el.textContent;
        el.replaceWith(replacement);
      }
      const result = read(adapter, doc);
      expect(result.calls).toEqual([]);
      if (id !== 'custom')
        expect(result.misses).toEqual(['rows: call list found but no rows matched']);
    });

    it('reads nothing, quietly, on pages that are not its call history', () => {
      for (const html of [
        '',
        '<html><body><h1>Settings</h1><p>Ringtone</p></body></html>',
        '<div role="list"><div role="listitem"><<<>>></div></div>',
      ]) {
        const result = read(adapter, load(html));
        expect(result.calls).toEqual([]);
        expect(result.misses).toEqual([]);
      }
    });
  },
);

it('a vanished call list on the call-history view is a miss, not silence', () => {
  const doc = load(
    '<html><head><title>Call history - RingCentral</title></head><body><h1>Call history</h1><div class="css-x">…</div></body></html>',
  );
  expect(read(SITE_ADAPTERS[0]!, doc).misses).toEqual([
    'list: call-history view without a recognisable call list',
  ]);
});

describe('registry', () => {
  it('picks the adapter by URL and never runs on unrelated pages', () => {
    expect(adapterForUrl('https://app.ringcentral.com/phone/calls')?.id).toBe('ringcentral');
    expect(adapterForUrl('https://dialpad.com/app/calls')?.id).toBe('dialpad');
    expect(adapterForUrl('https://dialpad.com/app/history/missed')?.id).toBe('dialpad');
    expect(adapterForUrl('https://dialpad.com/pricing')).toBeUndefined();
    expect(adapterForUrl('https://phone.aircall.io/history')?.id).toBe('aircall');
    expect(adapterForUrl('https://dashboard.aircall.io/calls')?.id).toBe('aircall');
    expect(adapterForUrl('https://dashboard.aircall.io/conversations')?.id).toBe('aircall');
    expect(adapterForUrl('https://workspace.aircall.io/inbox/calls?category=missedcalls')?.id).toBe(
      'aircall',
    );
    expect(adapterForUrl('https://workspace.aircall.io/contacts')).toBeUndefined();
    expect(adapterForUrl('https://zoom.us/pbx/page/telephone/user#/history')?.id).toBe('zoom');
    expect(adapterForUrl('https://smithjones.zoom.us/pbx/page/telephone/user')?.id).toBe('zoom');
    expect(
      adapterForUrl('https://zoom.us/pbx/page/telephone/callLog#/call-log-new?type=all')?.id,
    ).toBe('zoom');
    // The Zoom web client is not read.
    expect(adapterForUrl('https://app.zoom.us/wc/phone')).toBeUndefined();
    expect(adapterForUrl('https://voice.google.com/u/0/calls')?.id).toBe('googlevoice');
    expect(adapterForUrl('https://voice.google.com/u/1/voicemail')?.id).toBe('googlevoice');
    // Messages share the list and rows: not read.
    expect(adapterForUrl('https://voice.google.com/u/0/messages')).toBeUndefined();
    expect(adapterForUrl('https://portal.example-voip.com/cp/cdr')).toBeUndefined();
    expect(adapterForUrl('https://portal.example-voip.com/cp/cdr', customConfig)?.id).toBe(
      'custom',
    );
    expect(adapterForUrl('https://evil.example.com/', customConfig)).toBeUndefined();
    expect(
      adapterForUrl('https://portal.example-voip.com/', { ...customConfig, enabled: false }),
    ).toBeUndefined();
  });

  it('the content scripts match only the portals’ hosts', () => {
    expect(PORTAL_MATCHES).not.toContain('<all_urls>');
    for (const match of PORTAL_MATCHES)
      expect(match).toMatch(/^https:\/\/[a-z*][a-z0-9.-]*\.[a-z]+\//);
  });

  it('the dock’s sidebar is web-accessible on exactly the portals’ origins', () => {
    expect(PORTAL_ORIGINS).toEqual([
      'https://app.ringcentral.com/*',
      'https://dialpad.com/*',
      'https://phone.aircall.io/*',
      'https://dashboard.aircall.io/*',
      'https://workspace.aircall.io/*',
      'https://*.zoom.us/*',
      'https://voice.google.com/*',
    ]);
  });
});

describe('conventions', () => {
  const adapterFiles = readdirSync(ADAPTER_DIR).filter(
    (f) => f.endsWith('.ts') && !INFRASTRUCTURE.includes(f),
  );

  it('every adapter file in utils/adapters is registered under its file name', () => {
    const ids = ALL_ADAPTERS.map((a) => a.id).sort();
    expect(adapterFiles.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(SITE_ADAPTERS.map((a) => [a.id, a] as const))(
    '%s has its own content script on its hosts, carrying only its adapter',
    async (id, adapter) => {
      const file = path.resolve(`entrypoints/${id}.content/index.ts`);
      expect(existsSync(file)).toBe(true);
      const script = (await import(file)) as { default: { matches?: string[] } };
      expect(script.default.matches).toEqual(adapter.hostMatches);
      // The registry holds every site: a script importing it would carry them all.
      const source = readFileSync(file, 'utf8');
      expect(source).toContain(`@/utils/capture/adapters/${id}'`);
      expect(source).not.toContain('adapters/registry');
    },
  );

  it('every portal content script belongs to a registered adapter', () => {
    const scripts = readdirSync(path.resolve('entrypoints'))
      .filter((entry) => entry.endsWith('.content'))
      .map((entry) => entry.replace(/\.content$/, ''));
    // crm: the dock on CRM pages; portal: the firm's custom portal, registered at run time.
    expect(scripts.filter((s) => s !== 'crm' && s !== 'portal').sort()).toEqual(
      SITE_ADAPTERS.map((a) => a.id).sort(),
    );
  });

  it.each(ALL_ADAPTERS.map((a) => [a.id]))(
    '%s has ≥4 fixture states, each with exact expectations',
    (id) => {
      const dir = path.join(FIXTURE_DIR, id);
      expect(existsSync(dir)).toBe(true);
      const states = readdirSync(dir)
        .filter((f) => f.endsWith('.html'))
        .map((f) => f.replace(/\.html$/, ''));
      expect(states.length).toBeGreaterThanOrEqual(4);
      for (const required of ['empty', 'mixed', 'voicemail', 'anonymous', 'international']) {
        expect(states).toContain(required);
      }
      expect(Object.keys(EXPECTED[id] ?? {}).sort()).toEqual(states.sort());
    },
  );
});

describe('custom adapter', () => {
  it('its row reader runs from its source alone (what the live preview injects into a tab)', () => {
    // executeScript sends only the function's text: it must not lean on anything outside it.
    const standalone = new Function(
      `return (${extractCustomRows.toString()})`,
    )() as typeof extractCustomRows;
    const doc = fixture('custom', 'mixed');
    expect(standalone(customConfig, doc)).toEqual(extractCustomRows(customConfig, doc));
    expect(standalone(customConfig, doc).rows).toHaveLength(4);
  });

  it('reports broken selectors and patterns as misses', () => {
    const doc = fixture('custom', 'mixed');
    expect(extractCustomRows({ ...customConfig, rowSelector: 'tr[' }, doc).misses).toEqual([
      'rowSelector: invalid CSS selector',
    ]);
    expect(extractCustomRows({ ...customConfig, missedPattern: '(' }, doc).misses).toEqual([
      'missedPattern: invalid regular expression',
    ]);
    const result = createCustomAdapter({ ...customConfig, timeSelector: '.nope' }).read(doc, {
      now: NOW,
    });
    expect(result.calls).toEqual([]);
    expect(result.misses).toEqual(['time: no readable call time (timeSelector) (2 rows)']);
  });

  it('validates the configuration: host, selectors, pattern, and no built-in portal hosts', () => {
    expect(
      CustomAdapterConfig.safeParse({ ...customConfig, hostPattern: 'Portal.Example-VoIP.com ' })
        .data?.hostPattern,
    ).toBe('portal.example-voip.com');
    expect(
      CustomAdapterConfig.safeParse({ ...customConfig, hostPattern: '*.example-voip.com' }).success,
    ).toBe(true);
    expect(
      CustomAdapterConfig.safeParse({ ...customConfig, hostPattern: 'https://x.com/path' }).success,
    ).toBe(false);
    expect(
      CustomAdapterConfig.safeParse({ ...customConfig, hostPattern: 'app.ringcentral.com' })
        .success,
    ).toBe(false);
    expect(
      CustomAdapterConfig.safeParse({ ...customConfig, hostPattern: '*.zoom.us' }).success,
    ).toBe(false);
    expect(CustomAdapterConfig.safeParse({ ...customConfig, missedPattern: '(' }).success).toBe(
      false,
    );
    expect(CustomAdapterConfig.safeParse({ ...customConfig, rowSelector: ' ' }).success).toBe(
      false,
    );
  });
});

describe('RingCentral rows (hover and the virtual list)', () => {
  const ringcentral = SITE_ADAPTERS.find((a) => a.id === 'ringcentral')!;
  interface Row {
    id: string;
    name: string;
    number: string;
    time: string;
    status?: string;
    hovered?: boolean;
  }
  /** Markup as in tests/fixtures/portals/ringcentral (RingCentral's published hooks). */
  function page(rows: Row[]): Document {
    const items = rows.map(
      (r, i) =>
        `<div class="MuiListItem-root" data-test-automation-class="call-history-item" data-id="${r.id}" style="top:${i * 56}px">` +
        `<div><div uid="1"></div></div>` +
        `<div class="list-item-text"><span class="list-item-primary">${r.name}</span><span class="list-item-secondary">${r.number}</span></div>` +
        `<div><svg aria-hidden="true"></svg><span>${r.status ?? 'Missed call'}</span></div>` +
        (r.hovered
          ? `<div><button data-test-automation-id="calllog-call-button" aria-label="Call back"></button><button data-test-automation-id="calllog-message-button" aria-label="Send message"></button><button data-test-automation-id="calllog-more-button" aria-label="More"></button></div>`
          : `<div><span>${r.time}</span></div>`) +
        `</div>`,
    );
    return load(
      `<div data-test-automation-id="CallHistoryPageHeader">Call History</div><div data-test-automation-id="virtualized-list" data-type="1"><div>${items.join('')}</div></div>`,
    );
  }

  it('a hovered row keeps the time read for its id: no miss, no new time, not dropped', () => {
    const session = createPortalSession();
    const maria = { id: 'Y2aWg7QpZ1xRtA', name: 'Maria Gonzalez', number: '(415) 555-0132' };
    const first = ringcentral.read(page([{ ...maria, time: '2 min ago' }]), {
      now: NOW,
      rowTimes: session.rowTimes,
    });
    // A minute later the pointer rests on the row: its time is replaced by buttons.
    const hovered = ringcentral.read(page([{ ...maria, time: '', hovered: true }]), {
      now: NOW + 60_000,
      rowTimes: session.rowTimes,
    });
    expect(first.calls.map((c) => c.startedAt)).toEqual([NOW - 120_000]);
    expect(hovered).toEqual(first);
  });

  it('reads each call once, at its first-read time, as the virtual list scrolls', () => {
    const session = createPortalSession();
    const rows: Row[] = Array.from({ length: 8 }, (_, i) => ({
      id: `Y2aWvl${i}`,
      name: `Caller ${String.fromCharCode(65 + i)}`,
      number: `(415) 555-01${10 + i}`,
      time: `${i + 1} min ago`,
    }));
    // What the list renders at each read: a window of rows, overlapping the last one, a row
    // drawn twice while the list moves, a hovered row, and "N min ago" drifting with the clock.
    const windows: { at: number; rows: Row[] }[] = [
      { at: NOW, rows: rows.slice(0, 4) },
      { at: NOW + 60_000, rows: [...rows.slice(3, 7), rows[6]!] },
      { at: NOW + 120_000, rows: rows.slice(2, 8).map((r, i) => ({ ...r, hovered: i === 3 })) },
      { at: NOW + 180_000, rows: rows.slice(0, 3) },
    ];
    const sent: IncomingCall[] = [];
    for (const view of windows) {
      const shown = view.rows.map((r) => ({
        ...r,
        time: `${Number(r.time.split(' ')[0]) + (view.at - NOW) / 60_000} min ago`,
      }));
      const result = ringcentral.read(page(shown), {
        now: view.at,
        rowTimes: session.rowTimes,
      });
      expect(result.misses).toEqual([]);
      const fresh = unsentCalls(session, result.calls, view.at);
      markSent(session, fresh);
      sent.push(...fresh);
    }
    expect(sent.map((c) => [c.providerCallId, c.startedAt]).sort()).toEqual(
      rows.map((r, i) => [r.id, NOW - (i + 1) * 60_000]).sort(),
    );
  });

  it('a row hovered before its time was ever read waits for the next read', () => {
    const session = createPortalSession();
    const ana = { id: 'Y2aWan1', name: 'Ana Reyes', number: '(305) 555-0188', time: '2:41 PM' };
    const options = { now: NOW, rowTimes: session.rowTimes };
    const hovered = ringcentral.read(page([{ ...ana, hovered: true }]), options);
    expect(hovered).toMatchObject({ calls: [], rowsSeen: 1, rowsRead: 1, misses: [] });
    const after = ringcentral.read(page([ana]), options);
    expect(after.calls.map((c) => c.startedAt)).toEqual([Date.parse('2026-12-08T14:41:00-05:00')]);
  });
});

describe('Google Voice list (gv-* rows in a virtual list)', () => {
  const googlevoice = SITE_ADAPTERS.find((a) => a.id === 'googlevoice')!;
  /** Markup as in tests/fixtures/portals/googlevoice (public userscripts' selectors). */
  function page(rows: { who: string; short: string; full: string }[]): Document {
    const items = rows.map(
      (r) =>
        `<li class="list-item"><gv-thread-list-item><div class="container unread" role="button" aria-label="Unread. ${r.who}">` +
        `<div class="thread-info"><gv-annotation class="participants">${r.who}</gv-annotation></div>` +
        `<div class="latest-item-details"><mat-icon class="mat-icon gv-call missed">call_missed</mat-icon>` +
        `<span class="timestamp">${r.short}</span><span class="cdk-visually-hidden">${r.full}</span></div>` +
        `</div></gv-thread-list-item></li>`,
    );
    return load(
      `<cdk-virtual-scroll-viewport><div class="cdk-virtual-scroll-content-wrapper"><ol gv-test-id="list">${items.join('')}</ol></div></cdk-virtual-scroll-viewport>`,
    );
  }

  it('reads the rows in view as the list scrolls, each call once', () => {
    const session = createPortalSession();
    const rows = Array.from({ length: 6 }, (_, i) => ({
      who: `(415) 555-01${20 + i}`,
      short: i < 3 ? `${[2, 1, 12][i]}:0${i} PM` : 'Yesterday',
      full:
        i < 3
          ? `Tuesday, December 8, 2026 at ${[2, 1, 12][i]}:0${i} PM`
          : `Monday, December 7, 2026 at ${i}:30 PM`,
    }));
    const sent: IncomingCall[] = [];
    for (const window of [rows.slice(0, 3), rows.slice(2, 5), rows.slice(3, 6), rows.slice(0, 2)]) {
      const result = googlevoice.read(page(window), {
        now: NOW,
        rowTimes: session.rowTimes,
      });
      expect(result).toMatchObject({
        rowsSeen: window.length,
        rowsRead: window.length,
        misses: [],
      });
      const fresh = unsentCalls(session, result.calls, NOW);
      markSent(session, fresh);
      sent.push(...fresh);
    }
    expect(sent.map((c) => c.from).sort()).toEqual(rows.map((r) => r.who).sort());
    expect(sent.find((c) => c.from === '(415) 555-0125')?.startedAt).toBe(
      Date.parse('2026-12-07T17:30:00-05:00'),
    );
  });
});

it('RingCentral without its hooks: the ARIA fallback reads a labelled list', () => {
  // A redesign that drops data-test-automation-* but keeps accessible roles and labels.
  const doc = load(
    `<div role="list" aria-label="Call history">` +
      `<div role="listitem" aria-label="Missed call from Maria Gonzalez, (415) 555-0132, 2:14 PM"><span>Maria Gonzalez</span></div>` +
      `<div role="listitem" aria-label="Outgoing call to (917) 555-0144, 1:05 PM"></div>` +
      `<div role="listitem" aria-label="Voicemail from (312) 555-0176, Yesterday 6:02 PM"></div>` +
      `</div>`,
  );
  expect(
    read(
      SITE_ADAPTERS.find((a) => a.id === 'ringcentral')!,
      doc,
    ),
  ).toEqual({
    calls: calls('ringcentral', [
      {
        from: '(415) 555-0132',
        at: '2026-12-08T14:14:00-05:00',
        reason: 'no-answer',
        callerName: 'Maria Gonzalez',
      },
      { from: '(312) 555-0176', at: '2026-12-07T18:02:00-05:00', reason: 'voicemail' },
    ]),
    rowsSeen: 3,
    rowsRead: 3,
    misses: [],
  });
});
