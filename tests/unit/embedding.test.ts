import { describe, expect, it } from 'vitest';
import { PORTAL_MATCHES } from '@/utils/capture/adapters/registry';
import { CRM_WEB_MATCHES } from '@/utils/crm/sites';
import { isAllowedEmbedder, urlMatches } from '@/utils/dock/embedding';

/** Where the dock runs: what main.tsx checks the sidebar's parent against. */
const PAGES = [...CRM_WEB_MATCHES, ...PORTAL_MATCHES];

describe('the framed sidebar’s parent', () => {
  it.each([
    // The app pages where our dock runs.
    ['https://app.hubspot.com/contacts/8675309/objects/0-1/views/all/list', true],
    ['https://eu.app.clio.com/nc/#/contacts', true],
    ['https://app.ringcentral.com/phone/calls/all', true],
    ['https://dialpad.com/app/history/missed', true],
    ['https://dialpad.com/app', true],
    ['https://zoom.us/pbx/page/telephone/callLog#/call-log', true],
    ['https://smithjones.zoom.us/pbx/page/telephone/user', true],
    ['https://voice.google.com/u/0/calls', true],
    ['https://workspace.aircall.io/inbox/calls?category=missedcalls', true],
    // The same origins outside the phone apps: marketing pages, meetings, help.
    ['https://dialpad.com/pricing', false],
    ['https://dialpad.com/', false],
    ['https://zoom.us/j/8435551234', false],
    ['https://us05web.zoom.us/profile', false],
    ['https://voice.google.com/about', false],
    // Other origins.
    ['http://app.hubspot.com/contacts', false],
    ['https://app.hubspot.com.evil.example/contacts', false],
    ['https://evilzoom.us/pbx/page', false],
    ['https://evil.example/app', false],
  ])('%s → %s', (parentUrl, allowed) => {
    expect(isAllowedEmbedder({ depth: 1, parentUrl }, PAGES)).toBe(allowed);
  });

  it('refuses a parent known only by its origin (the path is what proves the app page)', () => {
    expect(isAllowedEmbedder({ depth: 1, parentUrl: 'https://dialpad.com/' }, PAGES)).toBe(false);
    expect(isAllowedEmbedder({ depth: 1, parentUrl: undefined }, PAGES)).toBe(false);
  });

  it('refuses more than one level of framing, even inside an app page', () => {
    const parentUrl = 'https://app.ringcentral.com/phone/calls/all';
    expect(isAllowedEmbedder({ depth: 1, parentUrl }, PAGES)).toBe(true);
    expect(isAllowedEmbedder({ depth: 2, parentUrl }, PAGES)).toBe(false);
    // Chrome lists the ancestors: two of them is two levels, whatever the referrer says.
    expect(
      isAllowedEmbedder(
        {
          depth: 1,
          parentUrl,
          ancestorOrigins: ['https://app.ringcentral.com', 'https://evil.example'],
        },
        PAGES,
      ),
    ).toBe(false);
    // The referrer must come from the parent itself.
    expect(
      isAllowedEmbedder({ depth: 1, parentUrl, ancestorOrigins: ['https://dialpad.com'] }, PAGES),
    ).toBe(false);
    expect(
      isAllowedEmbedder(
        { depth: 1, parentUrl, ancestorOrigins: ['https://app.ringcentral.com'] },
        PAGES,
      ),
    ).toBe(true);
  });

  it('renders unframed (the side panel, a tab of its own)', () => {
    expect(isAllowedEmbedder({ depth: 0 }, PAGES)).toBe(true);
  });

  it('reads match patterns as the browser does: scheme, host with *., path with *', () => {
    expect(urlMatches('https://*.zoom.us/pbx/*', 'https://zoom.us/pbx/')).toBe(true);
    expect(urlMatches('https://*.zoom.us/pbx/*', 'https://a.b.zoom.us/pbx/x?y=1')).toBe(true);
    expect(urlMatches('https://*.zoom.us/pbx/*', 'https://zoom.us/pbxx')).toBe(false);
    expect(urlMatches('https://dialpad.com/app*', 'https://dialpad.com/app?x=1')).toBe(true);
    expect(urlMatches('*://example.com/*', 'http://example.com/')).toBe(true);
    expect(urlMatches('*://example.com/*', 'ftp://example.com/')).toBe(false);
    expect(urlMatches('https://example.com/*', 'not a url')).toBe(false);
  });
});
