import { useState } from 'react';
import type { FirmSettings } from '@/utils/settings';
import { sendMessage } from '@/utils/messaging';
import { errorMessage } from '@/utils/errorMessage';
import { currentStaffOf } from '@/utils/team/identity';
import './team.css';

/**
 * "Next callback": claims the most urgent unclaimed lead that is mine or nobody's and opens
 * it (also a keyboard command, Options → Keyboard shortcuts). Shown once the team is set up.
 */
export function NextCallbackButton({
  settings,
  onOpen,
}: {
  settings: FirmSettings;
  onOpen: (leadId: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  if (settings.staff.length === 0) return null;
  const me = currentStaffOf(settings);

  const take = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const answer = await sendMessage('nextCallback', undefined);
      if ('lead' in answer) onOpen(answer.lead.id);
      else setMessage({ error: false, text: answer.none });
    } catch (err) {
      setMessage({ error: true, text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="next-callback">
      <button
        type="button"
        className="primary"
        disabled={busy || !me}
        onClick={() => void take()}
        title={
          me
            ? 'Claim the most urgent lead that is yours or nobody’s, and open it'
            : 'Choose who you are under Team in Settings first'
        }
      >
        Next callback
      </button>
      {!me && <span className="hint">Choose who you are under Team in Settings.</span>}
      {message && (
        <span className={message.error ? 'next-callback-error' : 'hint'} role="status">
          {message.text}
        </span>
      )}
    </div>
  );
}
