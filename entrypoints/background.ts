import { setupBadge, setupNotificationClicks } from '@/utils/queue/alerts';
import { setupCustomPortal } from '@/utils/capture/customPortal';
import { setupMessageHandlers } from '@/utils/handlers';
import { setupLiveDataServer } from '@/utils/live/server';
import { restrictStorageToExtension } from '@/utils/permissions';
import { setupPollers } from '@/utils/capture/sources/poller';
import { setupOutbox } from '@/utils/crm/background';
import { kickTexts, setupTexts } from '@/utils/workflow/textService';
import { setupAutoText } from '@/utils/workflow/autoTextService';
import { setupTeamCommands } from '@/utils/team/background';
import { setupSharedQueue } from '@/utils/team/sharedBackground';
import { setupWeeklyReviewReminder } from '@/utils/metrics/reminder';
import { setupDashboardMenu } from '@/utils/metrics/dashboardMenu';
import { setupDispositionRefresh } from '@/utils/metrics/background';

// Only wiring here: every listener is registered synchronously at start-up (MV3 may wake
// the worker for any event), and all logic lives in utils/.
export default defineBackground(() => {
  restrictStorageToExtension();
  setupMessageHandlers();
  setupLiveDataServer();
  setupNotificationClicks();
  setupBadge();
  setupPollers();
  setupOutbox();
  setupTexts();
  setupAutoText({ drain: kickTexts });
  setupCustomPortal();
  setupTeamCommands();
  setupSharedQueue();
  setupWeeklyReviewReminder();
  setupDashboardMenu();
  setupDispositionRefresh();
  browser.runtime.onInstalled.addListener(() => {
    // Chrome: the toolbar button opens the side panel.
    void browser.sidePanel
      ?.setPanelBehavior?.({ openPanelOnActionClick: true })
      .catch(() => undefined);
  });
});
