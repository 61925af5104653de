import { createRoot } from 'react-dom/client';
import { App } from '@/components/App';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import '@/components/app.css';

createRoot(document.getElementById('root')!).render(
  <ErrorBoundary>
    <App surface="sidebar" />
  </ErrorBoundary>,
);
