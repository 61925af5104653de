import { describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { setupOutbox } from '@/utils/crm/background';
import { OUTBOX_SWEEP_ALARM } from '@/utils/crm/service';

describe('outbox sweep alarm', () => {
  it('is created once and not pushed back when the worker starts again', async () => {
    setupOutbox();
    await expect.poll(() => fakeBrowser.alarms.get(OUTBOX_SWEEP_ALARM)).toBeTruthy();
    const first = (await fakeBrowser.alarms.get(OUTBOX_SWEEP_ALARM))!;
    expect(first.periodInMinutes).toBe(1);
    // The worker is stopped and started again a little later: the pending sweep stays put.
    await expect.poll(() => Date.now()).toBeGreaterThan(first.scheduledTime - 60_000 + 5);
    setupOutbox();
    await expect.poll(() => fakeBrowser.alarms.getAll()).toHaveLength(1);
    // Give the second start's alarm call its turn before looking.
    await fakeBrowser.alarms.get(OUTBOX_SWEEP_ALARM);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((await fakeBrowser.alarms.get(OUTBOX_SWEEP_ALARM))!.scheduledTime).toBe(
      first.scheduledTime,
    );
  });
});
