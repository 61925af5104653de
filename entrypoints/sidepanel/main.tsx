import { createRoot } from 'react-dom/client';
import { App } from '@/components/App';
import '@/components/app.css';

createRoot(document.getElementById('root')!).render(<App surface="sidepanel" />);
