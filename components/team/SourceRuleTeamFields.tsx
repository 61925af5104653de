import { useId } from 'react';
import type { SourceRule } from '@/utils/settings';
import { useFirmSettings } from '../hooks';
import './team.css';

/**
 * A source rule's team fields: who its calls go to (the purchased-leads specialist, say) and
 * whether it is an emergency line (everyone on duty is notified until someone acts).
 */
export function SourceRuleTeamFields({
  rule,
  onChange,
}: {
  rule: SourceRule;
  onChange: (change: Partial<SourceRule>) => void;
}) {
  const settings = useFirmSettings();
  const id = useId();
  const staff = settings?.staff ?? [];
  const gone = rule.assignTo && !staff.some((m) => m.id === rule.assignTo);
  return (
    <div className="rule-team">
      <div className="field">
        <label htmlFor={id}>Calls go to</label>
        <select
          id={id}
          value={rule.assignTo ?? ''}
          onChange={(e) => onChange({ assignTo: e.target.value || undefined })}
        >
          <option value="">The usual rules (round robin, on call)</option>
          {gone && <option value={rule.assignTo}>Someone no longer in the team</option>}
          {staff.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
        {staff.length === 0 && (
          <span className="options-hint">Add your team under Team to name a person.</span>
        )}
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={Boolean(rule.emergency)}
          onChange={(e) => onChange({ emergency: e.target.checked || undefined })}
        />
        Emergency line: notify everyone on duty until someone acts
      </label>
    </div>
  );
}
