import { startAircall } from '../emulators/providers';
import { expect, test } from './fixtures';
import { aircallAt, connectProvider, emulatorsClosedAfterEach, queueRow } from './kit';

declare const chrome: typeof import('wxt/browser').browser;

/**
 * Voicemail on the lead (issue 8, "Voicemail and caller details"): a provider connected to
 * its emulator reports a voicemail with a transcript → the lead shows the transcript as text
 * and a recording that really plays; a lead captured from a portal page says no recording is
 * available and points to the portal.
 */

const minutesAgo = (m: number) => Date.now() - m * 60_000;
const emulators = emulatorsClosedAfterEach(test);

test('Aircall voicemail: the lead shows its transcript as text and plays the recording', async ({
  context,
  extensionId,
  openSidebar,
}) => {
  const aircall = await startAircall();
  emulators.push(aircall);
  const transcript =
    'Hi, this is Rosa Diaz. I was rear-ended this morning <img src=x onerror=alert(1)>. Please call me back.';
  aircall.state.addCall({
    from: '+12125554001',
    name: 'Rosa Diaz',
    at: minutesAgo(6),
    outcome: 'voicemail',
    voicemail: { transcript },
  });
  aircall.state.addCall({ from: '+12125554002', name: 'Tom Reed', at: minutesAgo(5) });

  const { card } = await connectProvider(context, extensionId, aircallAt(aircall.url));
  await expect(card.getByText('Connected', { exact: true })).toBeVisible();

  const sidebar = await openSidebar();
  await queueRow(sidebar, 'Rosa Diaz').click();
  const panel = sidebar.getByRole('region', { name: 'Voicemail' });
  await expect(panel.getByLabel('Transcript')).toHaveText(transcript);
  // Text, never markup.
  await expect(panel.locator('img')).toHaveCount(0);

  await panel.getByRole('button', { name: 'Play recording' }).click();
  const audio = panel.getByLabel('Voicemail recording from Aircall');
  await expect(audio).toHaveAttribute('src', new RegExp(`^${aircall.url}/media/voicemails/`));
  await expect(panel.getByText('Aircall’s link expires after 1 hour.')).toBeVisible();
  // The browser really loads it (the emulator serves a WAV behind a pre-signed link).
  await expect
    .poll(() => audio.evaluate((el: HTMLAudioElement) => el.duration), { timeout: 10_000 })
    .toBeGreaterThan(0);
  // Fetched fresh by the background: one GET /v1/calls/:id for the play.
  expect(
    aircall.state.requests.filter((r) => /^\/v1\/calls\/\d+$/.test(r.path)).length,
  ).toBeGreaterThanOrEqual(1);

  // A missed call with no voicemail says so.
  await sidebar.getByRole('button', { name: 'Queue' }).click();
  await queueRow(sidebar, 'Tom Reed').click();
  await expect(
    sidebar
      .getByRole('region', { name: 'Voicemail' })
      .getByText('No voicemail recording available from Aircall for this call.'),
  ).toBeVisible();
});

test('a portal-captured lead says no recording is available and points to the portal', async ({
  openSidebar,
}) => {
  const sidebar = await openSidebar();
  // What the background stores from a Dialpad History page (provider and path are the
  // portal's; a page never supplies a recording).
  await sidebar.evaluate(
    (calls) =>
      chrome.runtime.sendMessage({
        id: Date.now(),
        type: 'captureCalls',
        data: calls,
        timestamp: Date.now(),
      }),
    [
      {
        from: '+12125554101',
        callerName: 'Nia Brooks',
        startedAt: minutesAgo(4),
        reason: 'voicemail',
        provider: 'dialpad',
        capturePath: 'portal',
        voicemail: { url: 'https://evil.example/x.mp3', playback: 'fresh-link' },
      },
      {
        from: '+12125554102',
        callerName: 'Omar Said',
        startedAt: minutesAgo(3),
        reason: 'no-answer',
        provider: 'dialpad',
        capturePath: 'portal',
      },
    ],
  );

  await queueRow(sidebar, 'Nia Brooks').click();
  const panel = sidebar.getByRole('region', { name: 'Voicemail' });
  const link = panel.getByRole('link', { name: 'listen in Dialpad’s portal' });
  await expect(link).toHaveAttribute('href', 'https://dialpad.com/app/history/voicemails');
  await expect(panel).toContainText('Portal capture reads no recording or transcript.');
  await expect(panel.getByRole('button', { name: 'Play recording' })).toHaveCount(0);
  await expect(panel.locator('a[href*="evil.example"]')).toHaveCount(0);

  await sidebar.getByRole('button', { name: 'Queue' }).click();
  await queueRow(sidebar, 'Omar Said').click();
  await expect(
    sidebar
      .getByRole('region', { name: 'Voicemail' })
      .getByText('No voicemail recording available from phone portal capture (Dialpad).'),
  ).toBeVisible();
});
