import { describe, expect, it } from 'vitest';
import { dialerLinks } from '@/utils/queue/dialer';

describe('click to call links', () => {
  const lead = { phone: '+12125550143' };

  it('always offers tel: with the E.164 number, and the extension per RFC 3966', () => {
    expect(dialerLinks(lead, [])).toEqual([
      { id: 'tel', label: 'Call', href: 'tel:+12125550143', web: false },
    ]);
    expect(dialerLinks({ ...lead, extension: '204' }, [])[0]!.href).toBe(
      'tel:+12125550143;ext=204',
    );
  });

  it('adds the documented links of the capture provider, then the connected ones, once each', () => {
    const links = dialerLinks(lead, ['ringcentral', 'dialpad', 'ringcentral', 'twilio']);
    expect(links.map((l) => l.href)).toEqual([
      'tel:+12125550143',
      'rcmobile://call?number=12125550143',
      'https://app.ringcentral.com/r/call?number=%2B12125550143',
      'dialpad://+12125550143',
    ]);
    expect(links.find((l) => l.href.startsWith('https:'))?.web).toBe(true);
    expect(dialerLinks(lead, ['aircall', 'zoom']).map((l) => l.href)).toEqual([
      'tel:+12125550143',
      'callto:+12125550143',
      'zoomphonecall://+12125550143',
    ]);
  });

  it('offers Google Voice nothing beyond tel: (no documented dial link)', () => {
    expect(dialerLinks(lead, ['googlevoice'])).toHaveLength(1);
  });

  it('offers nothing for a lead with no callback number', () => {
    expect(dialerLinks({ phone: null }, ['ringcentral'])).toEqual([]);
  });
});
