import { describe, expect, it } from 'vitest';
import { isAllowedEmbedder } from '@/utils/dock/embedding';

const patterns = ['https://app.hubspot.com/*', 'https://eu.app.clio.com/*', 'https://*.zoom.us/*'];

describe('isAllowedEmbedder', () => {
  it.each([
    ['https://app.hubspot.com', true],
    ['https://eu.app.clio.com', true],
    ['https://zoom.us', true],
    ['https://us05web.zoom.us', true],
    ['http://app.hubspot.com', false],
    ['https://app.hubspot.com.evil.example', false],
    ['https://evilzoom.us', false],
    ['https://evil.example', false],
    ['null', false],
    [undefined, false],
  ])('%s → %s', (origin, allowed) => {
    expect(isAllowedEmbedder(origin, patterns)).toBe(allowed);
  });
});
