import type { Lead } from '../model';
import { telHref } from './queueView';

/** One way to start the callback from the lead: the system dialer or a provider's own. */
export interface DialerLink {
  id: string;
  /** "Call", "RingCentral app", … */
  label: string;
  href: string;
  /** An https page (opened in a new tab) rather than an app's URI scheme. */
  web: boolean;
}

/**
 * Providers' own click-to-dial links, only those their documentation gives (a provider whose
 * docs name only tel: gets nothing more: the tel: link already covers it):
 * - RingCentral: `rcmobile://call?number=<E.164 digits>` launches a call in the RingCentral
 *   app (mobile, and "RingCentral for Desktop" softphone), and the web app's
 *   `https://app.ringcentral.com/r/call?number=<number>` initiates a call —
 *   https://developers.ringcentral.com/guide/voice/uri-scheme,
 *   https://developers.ringcentral.com/guide/basics/uri-schemes,
 *   https://developers.ringcentral.com/guide/team-messaging/manual/links
 * - Dialpad: `dialpad://<phone number>` invokes the Dialpad desktop app —
 *   https://developers.dialpad.com/docs/app-launch-urls
 * - Aircall: `tel:` or `callto:` open Aircall Workspace when it is the phone handler (no
 *   scheme of its own is documented) — https://developer.aircall.io/docs/implement-click-to-dial
 * - Zoom Phone: `zoomphonecall://<number>` launches the Zoom Phone client and dials (not on
 *   Android) — https://developers.zoom.us/docs/phone/outbound-call/
 * - Google Voice: no documented click-to-call link for the web app, so tel: only.
 */
const PROVIDER_LINKS: Record<string, (e164: string) => Omit<DialerLink, 'id'>[]> = {
  ringcentral: (e164) => [
    { label: 'RingCentral app', href: `rcmobile://call?number=${e164.slice(1)}`, web: false },
    {
      label: 'RingCentral web',
      href: `https://app.ringcentral.com/r/call?number=${encodeURIComponent(e164)}`,
      web: true,
    },
  ],
  dialpad: (e164) => [{ label: 'Dialpad', href: `dialpad://${e164}`, web: false }],
  aircall: (e164) => [{ label: 'Aircall', href: `callto:${e164}`, web: false }],
  zoom: (e164) => [{ label: 'Zoom Phone', href: `zoomphonecall://${e164}`, web: false }],
};

/** Provider ids that have a dialer link of their own. */
export const DIALER_PROVIDERS = Object.keys(PROVIDER_LINKS);

/**
 * The links to call a lead back: tel: (E.164, with the extension as RFC 3966 `;ext=`)
 * first, then each provider's own, for the providers that captured the lead's calls first
 * and then those the firm has connected. None when there is no callback number.
 */
export function dialerLinks(
  lead: Pick<Lead, 'phone' | 'extension'>,
  providers: readonly string[],
): DialerLink[] {
  const tel = telHref(lead);
  if (!tel || !lead.phone) return [];
  const links: DialerLink[] = [{ id: 'tel', label: 'Call', href: tel, web: false }];
  const e164 = lead.phone;
  if (!/^\+\d{6,15}$/.test(e164)) return links;
  for (const provider of new Set(providers)) {
    const make = PROVIDER_LINKS[provider];
    if (!make) continue;
    make(e164).forEach((link, i) => links.push({ ...link, id: `${provider}-${i}` }));
  }
  return links;
}
