import { createRoot } from 'react-dom/client';
import { OptionsApp } from '@/components/OptionsApp';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import '@/components/app.css';
import '@/components/options.css';

createRoot(document.getElementById('root')!).render(
  <ErrorBoundary>
    <OptionsApp />
  </ErrorBoundary>,
);
