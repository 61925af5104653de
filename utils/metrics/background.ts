import { browser } from '#imports';
import { z } from 'zod';
import { db } from '../db';
import { onMessage } from '../messaging';
import { connectorFor } from '../crm/service';
import { crmConnectionsItem } from '../crm/connections';
import { CRM_SYSTEMS } from '../crm/model';
import { refreshDispositions, type DispositionRefresh } from './disposition';
import { saveSurveyAnswer } from './survey';

type RequirePage = (sender: Parameters<Parameters<typeof onMessage>[1]>[0]['sender']) => void;

export const DISPOSITION_ALARM = 'metrics-dispositions';
/** Every 6 hours (and when the dashboard refreshes). */
const DISPOSITION_PERIOD_MINUTES = 6 * 60;

let running: Promise<DispositionRefresh> | null = null;

/** Ask the connected CRMs for dispositions; one refresh at a time. */
export function refreshDispositionsNow(): Promise<DispositionRefresh> {
  running ??= (async () => {
    try {
      const connections = await crmConnectionsItem.getValue();
      const systems = CRM_SYSTEMS.filter((s) => connections[s] && !connections[s]?.problem);
      return await refreshDispositions(db, systems, connectorFor);
    } finally {
      running = null;
    }
  })();
  return running;
}

/** Messages: the dashboard's refresh asks for dispositions; the lead detail saves survey answers. */
export function registerMetricsHandlers(requireExtensionPage: RequirePage): void {
  onMessage('refreshDispositions', async ({ sender }) => {
    requireExtensionPage(sender);
    return refreshDispositionsNow();
  });
  onMessage('saveSurvey', async ({ data, sender }) => {
    requireExtensionPage(sender);
    return saveSurveyAnswer(db, data);
  });
  onMessage('getSurvey', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { leadId } = z.object({ leadId: z.string().min(1).max(200) }).parse(data);
    return (await db.surveys.get(leadId)) ?? null;
  });
}

/** The 6-hourly disposition read (an alarm: the service worker keeps no timer). */
export function setupDispositionRefresh(): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === DISPOSITION_ALARM) void refreshDispositionsNow().catch(() => undefined);
  });
  void browser.alarms.get(DISPOSITION_ALARM).then((existing) => {
    if (!existing) {
      void browser.alarms.create(DISPOSITION_ALARM, {
        delayInMinutes: 5,
        periodInMinutes: DISPOSITION_PERIOD_MINUTES,
      });
    }
  });
}
