import { useId } from 'react';
import { z } from 'zod';
import { errorsUnder, type FormErrors } from '@/utils/fieldErrors';
import type { FirmSettings, StaffMember } from '@/utils/settings';
import { FieldError, SettingsSection, TextField, useSettingsDraft } from './settingsForm';

const KEYS = ['staff', 'currentStaffId'] as const;
type Draft = Pick<FirmSettings, (typeof KEYS)[number]>;

const Email = z.email();

/**
 * The people who call leads back. "This browser is used by" signs attempts and drives the
 * queue's "mine" filter; each staff member sets it in their own browser.
 */
export function TeamSection() {
  const form = useSettingsDraft(KEYS);
  const currentId = useId();
  const { draft, update, errors } = form;
  if (!draft) return null;

  const setMember = (index: number, change: Partial<StaffMember>) =>
    update({ staff: draft.staff.map((m, i) => (i === index ? { ...m, ...change } : m)) });

  const save = () =>
    void form.save({
      extraCheck: checkTeam,
      prepare: (d) => ({
        staff: d.staff.map((m) => ({ ...m, email: m.email?.trim() || undefined })),
        currentStaffId: d.staff.some((m) => m.id === d.currentStaffId)
          ? d.currentStaffId
          : undefined,
      }),
    });

  return (
    <SettingsSection
      id="team"
      title="Team"
      description="Who calls leads back. Assignments and attempts are recorded with these names."
      form={form}
      onSave={save}
    >
      <fieldset className="options-group">
        <legend>Staff members</legend>
        {draft.staff.length === 0 && (
          <p className="options-muted">No staff yet. Add the people who return calls.</p>
        )}
        <ol className="options-staff">
          {draft.staff.map((member, index) => (
            <li
              key={member.id}
              className="options-staff-row"
              aria-label={`Staff member ${index + 1}`}
            >
              <TextField
                label="Name"
                value={member.name}
                onChange={(name) => setMember(index, { name })}
                error={errorsUnder(errors, `staff.${index}.name`)[0]}
                autoComplete="off"
              />
              <TextField
                label="Email"
                type="email"
                value={member.email ?? ''}
                onChange={(email) => setMember(index, { email })}
                error={errorsUnder(errors, `staff.${index}.email`)[0]}
                placeholder="optional"
                autoComplete="off"
              />
              <button
                type="button"
                className="icon-button"
                aria-label={`Remove ${member.name || `staff member ${index + 1}`}`}
                onClick={() => {
                  const staff = draft.staff.filter((_, i) => i !== index);
                  update({
                    staff,
                    currentStaffId:
                      draft.currentStaffId === member.id ? undefined : draft.currentStaffId,
                  });
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ol>
        <div>
          <button
            type="button"
            onClick={() =>
              update({ staff: [...draft.staff, { id: crypto.randomUUID(), name: '', email: '' }] })
            }
          >
            + Add staff member
          </button>
        </div>
      </fieldset>

      <fieldset className="options-group">
        <legend>This browser</legend>
        <div className="field options-narrow">
          <label htmlFor={currentId}>This browser is used by</label>
          <select
            id={currentId}
            value={draft.currentStaffId ?? ''}
            onChange={(e) => update({ currentStaffId: e.target.value || undefined })}
          >
            <option value="">Nobody in particular (shared desk)</option>
            {draft.staff.map((m, i) => (
              <option key={m.id} value={m.id}>
                {m.name.trim() || `Staff member ${i + 1} (no name yet)`}
              </option>
            ))}
          </select>
          <span className="options-hint">
            Attempts logged here are signed with this name; “Mine” in the queue shows their leads.
          </span>
          <FieldError id={`${currentId}-error`} message={errors.currentStaffId} />
        </div>
      </fieldset>
    </SettingsSection>
  );
}

/** Email format and unique names: the schema keeps email free-form for stored data. */
function checkTeam(draft: Draft): FormErrors {
  const errors: FormErrors = {};
  const names = new Map<string, number>();
  draft.staff.forEach((member, i) => {
    const email = member.email?.trim();
    if (email && !Email.safeParse(email).success)
      errors[`staff.${i}.email`] = 'Not an email address.';
    const key = member.name.trim().toLowerCase();
    if (!key) return;
    if (names.has(key)) errors[`staff.${i}.name`] = 'Two staff members have this name.';
    else names.set(key, i);
  });
  return errors;
}
