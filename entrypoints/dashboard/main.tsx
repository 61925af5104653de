import { createRoot } from 'react-dom/client';
import { DashboardApp } from '@/components/dashboard/DashboardApp';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import '@/components/app.css';
import '@/components/dashboard/dashboard.css';

createRoot(document.getElementById('root')!).render(
  <ErrorBoundary>
    <DashboardApp />
  </ErrorBoundary>,
);
