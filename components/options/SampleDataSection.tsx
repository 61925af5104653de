import { useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { db } from '@/utils/db';
import { errorMessage } from '@/utils/errorMessage';
import { sendMessage } from '@/utils/messaging';
import { countSampleLeads, deleteSampleData, loadSampleData } from '@/utils/queue/sampleData';
import { getSettings } from '@/utils/settings';
import { SettingsSection, type Status } from './settingsForm';

/**
 * Onboarding: a realistic week of missed calls to try the queue, badge and history on, and
 * a clean way to remove it again (only sample records; real leads are never touched).
 */
export function SampleDataSection() {
  const sampleLeads = useLiveQuery(() => countSampleLeads(db), []);
  const [busy, setBusy] = useState<'load' | 'delete' | null>(null);
  const [status, setStatus] = useState<Status>(null);

  const run = async (action: 'load' | 'delete') => {
    setBusy(action);
    setStatus(null);
    try {
      if (action === 'load') {
        const result = await loadSampleData(db, await getSettings());
        const badge = await sendMessage('refreshBadge');
        setStatus({
          kind: 'ok',
          text:
            `Loaded ${result.leads} sample leads (${result.calls} missed calls, ` +
            `${result.attempts} callback attempts) from the past 7 days. ` +
            `${badge.overdue} ${badge.overdue === 1 ? 'is' : 'are'} overdue now: see the toolbar badge and the queue.`,
        });
      } else {
        const removed = await deleteSampleData(db);
        await sendMessage('refreshBadge');
        setStatus({
          kind: 'ok',
          text: `Deleted ${removed.leads} sample leads and ${removed.calls} sample calls. Your own leads were not touched.`,
        });
      }
    } catch (error) {
      setStatus({ kind: 'error', text: errorMessage(error) });
    } finally {
      setBusy(null);
    }
  };

  const loaded = (sampleLeads ?? 0) > 0;
  return (
    <SettingsSection
      id="sample-data"
      title="Sample data"
      description="Try Callback Desk before connecting anything: about 50 realistic missed calls from the past week — repeat callers, voicemails, blocked numbers, callbacks already made — and a few overdue ones waiting in the queue. Sample records are marked, so deleting them never touches your real leads."
    >
      <div className="input-row options-actions">
        <button
          type="button"
          className="primary"
          disabled={busy !== null || sampleLeads === undefined}
          onClick={() => void run('load')}
        >
          {busy === 'load' ? 'Loading…' : loaded ? 'Reload sample data' : 'Load sample data'}
        </button>
        <button
          type="button"
          disabled={busy !== null || !loaded}
          onClick={() => void run('delete')}
        >
          {busy === 'delete' ? 'Deleting…' : 'Delete sample data'}
        </button>
        <span className="options-muted" aria-live="polite">
          {sampleLeads === undefined
            ? ''
            : loaded
              ? `${sampleLeads} sample ${sampleLeads === 1 ? 'lead' : 'leads'} stored.`
              : 'No sample data stored.'}
        </span>
      </div>
      {loaded && (
        <p className="options-hint">Reloading replaces the sample with a fresh week ending now.</p>
      )}
      {status && (
        <p role="status" className={`notice notice-${status.kind}`}>
          {status.text}
        </p>
      )}
    </SettingsSection>
  );
}
