import { describe, expect, it } from 'vitest';
import { BADGE_COLORS, badgeState } from '@/utils/queue/badge';
import {
  DEFAULT_SETTINGS,
  firmSettingsItem,
  getSettings,
  parseSettings,
  saveSettings,
} from '@/utils/settings';
import { contextFromHash, contextHash, crmPageContext } from '@/utils/dock/pageContext';
import { isSameCall } from '@/utils/queue/dedupe';

describe('badgeState', () => {
  it.each([
    [0, 0, 0, '', 'Callback Desk — 0 overdue, 0 due within 15 min'],
    [3, 5, 60_000, '3', 'Callback Desk — 3 overdue, 5 due within 15 min'],
    [120, 0, 60_000, '99+', 'Callback Desk — 120 overdue, 0 due within 15 min'],
  ])('%i overdue, %i soon → %j', (overdue, soon, oldest, text, title) => {
    expect(badgeState(overdue, soon, oldest)).toMatchObject({ text, title });
  });
  it('turns red when someone has waited 15 minutes past the limit', () => {
    expect(badgeState(1, 0, 5 * 60_000).color).toBe(BADGE_COLORS.overdue);
    expect(badgeState(1, 0, 15 * 60_000).color).toBe(BADGE_COLORS.critical);
  });
});

describe('settings', () => {
  it('falls back to defaults when nothing is stored', async () => {
    expect(await getSettings()).toEqual(DEFAULT_SETTINGS);
  });
  it('repairs a corrupted field without losing the valid ones', () => {
    const repaired = parseSettings({
      ...DEFAULT_SETTINGS,
      firmName: 'Hale & Ruiz',
      timeZone: 'Mars/Olympus',
      weeklyHours: 'always',
    });
    expect(repaired).toMatchObject({
      firmName: 'Hale & Ruiz',
      timeZone: DEFAULT_SETTINGS.timeZone,
      weeklyHours: DEFAULT_SETTINGS.weeklyHours,
    });
  });
  it('refuses to save invalid settings and keeps the old value', async () => {
    await saveSettings({ ...DEFAULT_SETTINGS, firmName: 'First' });
    await expect(
      saveSettings({
        ...DEFAULT_SETTINGS,
        weeklyHours: [[{ open: '17:00', close: '09:00' }], [], [], [], [], [], []],
      }),
    ).rejects.toThrow(/opening must be before closing/);
    expect((await firmSettingsItem.getValue()).firmName).toBe('First');
  });
});

describe('page context', () => {
  it.each([
    [
      'https://app.hubspot.com/contacts/4412/record/0-1/9001',
      { crm: 'hubspot', contactId: '9001', host: 'app.hubspot.com' },
    ],
    [
      'https://app-eu1.hubspot.com/contacts/4412/contact/77',
      { crm: 'hubspot', contactId: '77', host: 'app-eu1.hubspot.com' },
    ],
    ['https://app.hubspot.com/reports-dashboard/4412', { crm: 'hubspot', host: 'app.hubspot.com' }],
    [
      'https://eu.app.clio.com/nc/#/contacts/123456',
      { crm: 'clio', contactId: '123456', host: 'eu.app.clio.com' },
    ],
    ['https://app.clio.com/nc/#/matters/5', { crm: 'clio', host: 'app.clio.com' }],
    ['https://evil.example/contacts/1/record/0-1/2', null],
    ['not a url', null],
  ])('%s', (url, expected) => {
    expect(crmPageContext(url)).toEqual(expected);
  });
  it('round-trips through the sidebar hash and rejects tampering', () => {
    const ctx = crmPageContext('https://app.hubspot.com/contacts/1/record/0-1/2');
    expect(contextFromHash(contextHash(ctx))).toEqual(ctx);
    expect(
      contextFromHash(
        '#ctx=' + encodeURIComponent('{"crm":"hubspot","contactId":"<img>","host":"x"}'),
      ),
    ).toBeNull();
    expect(contextFromHash('#ctx=%7Bbroken')).toBeNull();
  });
});

describe('isSameCall', () => {
  const base = { phoneKey: '+12125550143', provider: 'ringcentral', startedAt: 1_000_000 };
  it.each([
    ['same caller within the window', { ...base, startedAt: 1_060_000 }, true],
    ['same caller outside the window', { ...base, startedAt: 1_200_001 }, false],
    ['another caller', { ...base, phoneKey: '+12125550199' }, false],
    ['two anonymous calls', { ...base, phoneKey: null }, false],
  ])('%s', (_name, other, same) => {
    expect(isSameCall(base, other, 120_000)).toBe(same);
  });
  it('matches on provider id whatever the time', () => {
    expect(
      isSameCall(
        { ...base, phoneKey: null, providerCallId: 'x' },
        { ...base, phoneKey: null, providerCallId: 'x', startedAt: 9e9 },
        0,
      ),
    ).toBe(true);
  });
});
