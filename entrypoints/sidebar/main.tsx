import { createRoot } from 'react-dom/client';
import { App } from '@/components/App';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import { PORTAL_MATCHES } from '@/utils/capture/adapters/registry';
import { CRM_WEB_MATCHES } from '@/utils/crm/sites';
import { currentEmbedding, isAllowedEmbedder } from '@/utils/dock/embedding';
import '@/components/app.css';

// Framed: only directly by a page where our dock runs (its content scripts' matches).
const allowed = isAllowedEmbedder(currentEmbedding(), [...CRM_WEB_MATCHES, ...PORTAL_MATCHES]);

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
