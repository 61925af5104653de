import { createRoot } from 'react-dom/client';
import { App } from '@/components/App';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import { PORTAL_ORIGINS } from '@/utils/capture/adapters/registry';
import { CRM_WEB_MATCHES } from '@/utils/crm/sites';
import { embedderOrigin, isAllowedEmbedder } from '@/utils/dock/embedding';
import '@/components/app.css';

const framed = window.top !== window.self;
const allowed =
  !framed || isAllowedEmbedder(embedderOrigin(), [...CRM_WEB_MATCHES, ...PORTAL_ORIGINS]);

createRoot(document.getElementById('root')!).render(
  allowed ? (
    <ErrorBoundary>
      <App surface="sidebar" />
    </ErrorBoundary>
  ) : (
    <p role="alert" className="notice notice-error pad">
      Callback Desk only opens inside the CRM and phone-portal pages it supports.
    </p>
  ),
);
