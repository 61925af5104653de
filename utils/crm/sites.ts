/**
 * The CRM web apps where the in-page dock lives. Shared by the manifest (wxt.config.ts:
 * web-accessible sidebar) and the CRM content script's matches, so the two never drift.
 * Kept free of imports: the build config and the content script both load it.
 */
export const CRM_WEB_MATCHES = [
  'https://app.hubspot.com/*',
  'https://app-eu1.hubspot.com/*',
  'https://app.clio.com/*',
  'https://eu.app.clio.com/*',
  'https://ca.app.clio.com/*',
  'https://au.app.clio.com/*',
];
