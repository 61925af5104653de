import { defineConfig } from 'wxt';
import { PORTAL_ORIGINS } from './utils/capture/adapters/registry';
import { CRM_WEB_MATCHES } from './utils/crm/sites';

// CRM web apps are where the dock lives (list shared with the CRM content script); API hosts
// are optional permissions requested when the user connects (see utils/permissions.ts).
export { CRM_WEB_MATCHES };

// CRM and provider APIs: asked for when the user connects each one (least privilege).
const OPTIONAL_HOSTS = [
  'https://api.hubapi.com/*',
  'https://app.clio.com/*',
  'https://eu.app.clio.com/*',
  'https://ca.app.clio.com/*',
  'https://au.app.clio.com/*',
  'https://grow.clio.com/*',
  'https://eu.grow.clio.com/*',
  'https://ca.grow.clio.com/*',
  'https://au.grow.clio.com/*',
  'https://platform.ringcentral.com/*',
  'https://api.aircall.io/*',
  'https://api.twilio.com/*',
  'https://dialpad.com/*',
  'http://127.0.0.1/*',
  // The custom portal's host is the firm's choice, so it cannot be listed ahead: each
  // origin is requested on its own when the firm saves its adapter or previews a tab.
  '*://*/*',
];

export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  // WXT_OUT_DIR lets parallel builds (e.g. a benchmark and a test run) use their own folder.
  outDir: process.env.WXT_OUT_DIR ?? '.output',
  manifest: ({ browser, manifestVersion }) => ({
    name: 'Callback Desk',
    description: 'Every missed call from a lead, called back in minutes.',
    permissions: [
      'storage',
      'alarms',
      'notifications',
      // Firefox shows the same app as its sidebar (sidebar_action), no permission needed.
      ...(browser === 'firefox' ? [] : ['sidePanel']),
      'unlimitedStorage',
      'identity',
      // Custom portal adapter: registers the portal script on the firm's host, and runs the
      // options page's live preview on a tab the user picks.
      'scripting',
      // "Open dashboard" in the toolbar button's right-click menu (there is no popup).
      'contextMenus',
    ],
    action: { default_title: 'Callback Desk' },
    // Keyboard commands (listed in Options → Keyboard; users change keys at
    // chrome://extensions/shortcuts). The action opens the side panel (openPanelOnActionClick);
    // Firefox opens its sidebar. Next callback and Log outcome: utils/team/background.ts.
    commands: {
      [browser === 'firefox' ? '_execute_sidebar_action' : '_execute_action']: {
        suggested_key: { default: 'Alt+Shift+D' },
        description: 'Open the callback queue',
      },
      'next-callback': {
        suggested_key: { default: 'Alt+Shift+N' },
        description: 'Next callback: take the most urgent lead that is mine or nobody’s',
      },
      'log-outcome': {
        suggested_key: { default: 'Alt+Shift+L' },
        description: 'Log outcome: open the attempt form of the lead I am calling',
      },
    },
    // Manifest V2 (Firefox) has no optional_host_permissions: hosts go in optional_permissions.
    ...(manifestVersion === 2
      ? { optional_permissions: OPTIONAL_HOSTS }
      : { optional_host_permissions: OPTIONAL_HOSTS }),
    // The dock (its styles, and the sidebar it frames) lives on the CRM web apps and on the
    // built-in phone portals.
    web_accessible_resources: [
      {
        resources: ['sidebar.html', 'dock.css'],
        matches: [...CRM_WEB_MATCHES, ...PORTAL_ORIGINS],
      },
    ],
  }),
});
