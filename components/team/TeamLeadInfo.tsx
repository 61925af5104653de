import { useEffect, useState } from 'react';
import type { Lead } from '@/utils/model';
import { focusLeadItem, type FirmSettings } from '@/utils/settings';
import { sendMessage } from '@/utils/messaging';
import { errorMessage } from '@/utils/errorMessage';
import { isFreshFocus } from '@/utils/queue/queueView';
import { describeAssignment } from '@/utils/team/assignment';
import { currentStaffOf } from '@/utils/team/identity';
import type { FirmClock } from '@/utils/displayTime';
import './team.css';

/**
 * On the lead: who it went to and why ("Assigned to Sam Carter: on call"), who took it
 * ("Claimed by Sam at 10:42"), "Existing client" with the CRM's reason, and the emergency
 * line (the lead's Claim button takes it; "Give it back" here returns my claim). The "Log
 * outcome" keyboard command lands here and opens the attempt form.
 */
export function TeamLeadInfo({
  lead,
  settings,
  clock,
  now,
}: {
  lead: Lead;
  settings: FirmSettings;
  clock: FirmClock;
  now: number;
}) {
  const me = currentStaffOf(settings);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useLogOutcomeFocus(lead.id);

  const assigned = describeAssignment(lead, settings.staff);
  const claimer = lead.claimedBy
    ? (settings.staff.find((m) => m.id === lead.claimedBy)?.name ?? lead.claimedBy)
    : undefined;
  const open = lead.status === 'open' || lead.status === 'claimed';

  const mineClaimed = open && me && lead.claimedBy === me;
  if (!assigned && !claimer && !lead.existingClient && !lead.emergency) return null;

  const act = async (kind: 'releaseClaim') => {
    setBusy(true);
    setError(null);
    try {
      await sendMessage(kind, { leadId: lead.id });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="team-lead" aria-label="Who calls back">
      <div className="team-lead-tags">
        {lead.emergency && <span className="flag flag-emergency">Emergency line</span>}
        {lead.existingClient && (
          <span className="flag flag-client" title={lead.existingClient.reason}>
            Existing client
          </span>
        )}
        {assigned && (
          <span className="team-assigned">
            Assigned to <bdi>{assigned}</bdi>
          </span>
        )}
        {claimer && (
          <span className="team-claimed">
            {lead.claimedBy === me ? (
              'Claimed by you'
            ) : (
              <>
                Claimed by <bdi>{claimer}</bdi>
              </>
            )}
            {lead.claimedAt ? ` · ${clock.short(lead.claimedAt, now)}` : ''}
          </span>
        )}
      </div>
      {lead.existingClient && (
        <p className="hint team-client-note">
          {lead.existingClient.reason}: a client, not a new lead — still call back.
        </p>
      )}
      {mineClaimed && (
        <div className="team-lead-actions">
          {mineClaimed && (
            <button
              type="button"
              className="link-button"
              disabled={busy}
              onClick={() => void act('releaseClaim')}
            >
              Give it back
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** "Log outcome" (keyboard command): scroll to the lead's attempt form and focus its first field. */
function useLogOutcomeFocus(leadId: string): void {
  useEffect(() => {
    let active = true;
    const focus = (value: Awaited<ReturnType<typeof focusLeadItem.getValue>>) => {
      if (!active || !value?.logOutcome || value.leadId !== leadId) return;
      if (!isFreshFocus(value, Date.now()) && !location.hash.includes('log=1')) return;
      // The attempt form renders with the lead; give it a frame.
      requestAnimationFrame(() => {
        const form = document.querySelector<HTMLElement>('.attempt-form');
        form?.scrollIntoView({ block: 'center' });
        form?.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
      });
    };
    void focusLeadItem.getValue().then(focus);
    const unwatch = focusLeadItem.watch(focus);
    return () => {
      active = false;
      unwatch();
    };
  }, [leadId]);
}
