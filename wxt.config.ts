import { defineConfig } from 'wxt';

// CRM and phone-portal hosts. The CRM web apps are where the dock lives; API hosts are
// optional permissions requested when the user connects (see utils/permissions.ts).
export const CRM_WEB_MATCHES = [
  'https://app.hubspot.com/*',
  'https://app-eu1.hubspot.com/*',
  'https://app.clio.com/*',
  'https://eu.app.clio.com/*',
  'https://ca.app.clio.com/*',
  'https://au.app.clio.com/*',
];

export default defineConfig({
  modules: ['@wxt-dev/module-react'],
  manifest: {
    name: 'Callback Desk',
    description: 'Every missed call from a lead, called back in minutes.',
    permissions: ['storage', 'alarms', 'notifications', 'sidePanel', 'unlimitedStorage'],
    action: { default_title: 'Callback Desk' },
    web_accessible_resources: [{ resources: ['sidebar.html'], matches: CRM_WEB_MATCHES }],
  },
});
