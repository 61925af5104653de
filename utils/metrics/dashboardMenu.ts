import { browser } from '#imports';

export const DASHBOARD_MENU_ID = 'open-dashboard';
export const DASHBOARD_PATH = '/dashboard.html';

/**
 * "Open dashboard" in the toolbar button's menu (right-click on the action). The button's
 * own click opens the side panel, and there is no popup, so the menu is where the office
 * manager finds the dashboard from any tab. Menu items persist, so they are (re)created on
 * install and update; the click listener is registered at every start.
 */
export function setupDashboardMenu(): void {
  browser.runtime.onInstalled.addListener(() => {
    browser.contextMenus.create(
      {
        id: DASHBOARD_MENU_ID,
        title: 'Open dashboard',
        // Firefox's Manifest V2 build names the toolbar button browser_action.
        contexts: [import.meta.env.MANIFEST_VERSION === 2 ? 'browser_action' : 'action'],
      },
      // An update re-running this finds the item already there: nothing to do.
      () => void browser.runtime.lastError,
    );
  });
  browser.contextMenus.onClicked.addListener((info) => {
    if (info.menuItemId !== DASHBOARD_MENU_ID) return;
    void browser.tabs.create({ url: browser.runtime.getURL(DASHBOARD_PATH) });
  });
}
