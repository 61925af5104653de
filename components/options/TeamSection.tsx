import { useId, useState } from 'react';
import { z } from 'zod';
import { errorsUnder, type FormErrors } from '@/utils/fieldErrors';
import {
  DEFAULT_ON_CALL,
  STAFF_ROLES,
  type FirmSettings,
  type OnCallRotation,
  type StaffMember,
  type StaffRole,
  type WeeklyHours,
} from '@/utils/settings';
import { WEEKDAY_NAMES } from '@/utils/team/onCall';
import { sendMessage } from '@/utils/messaging';
import { errorMessage } from '@/utils/errorMessage';
import { useFirmSettings } from '../hooks';
import { FieldError, SettingsSection, TextField, useSettingsDraft } from './settingsForm';
import './team.css';

const KEYS = ['staff', 'currentStaffId', 'onCall', 'roundRobinByPracticeArea'] as const;
type Draft = Pick<FirmSettings, (typeof KEYS)[number]>;

const Email = z.email();
const ROLE_LABELS: Record<StaffRole, string> = { intake: 'Intake', attorney: 'Attorney' };
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A day's working hours as typed: "09:00-12:00, 13:00-17:00"; blank = off that day. */
export function formatDayHours(day: WeeklyHours[number]): string {
  return day.map((i) => `${i.open}-${i.close}`).join(', ');
}

export function parseDayHours(text: string): WeeklyHours[number] | string {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const intervals: WeeklyHours[number] = [];
  for (const part of parts) {
    const match = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(part);
    const [open, close] = (match ? [match[1]!, match[2]!] : ['', '']).map((t) =>
      t.padStart(5, '0'),
    );
    if (!match || !HHMM.test(open!) || !HHMM.test(close!))
      return `“${part}” is not a time span: write it like 09:00-17:00 (24-hour), spans separated by commas.`;
    if (open! >= close!) return `${part}: the start must be before the end.`;
    intervals.push({ open: open!, close: close! });
  }
  const sorted = [...intervals].sort((a, b) => a.open.localeCompare(b.open));
  if (sorted.some((i, n) => n > 0 && sorted[n - 1]!.close > i.open)) return 'These spans overlap.';
  return sorted;
}

type HoursText = Record<string, string[] | undefined>;

function hoursTextOf(staff: readonly StaffMember[]): HoursText {
  return Object.fromEntries(staff.map((m) => [m.id, m.workingHours?.map(formatDayHours)]));
}

/**
 * The team: who calls leads back (name, email, role, practice areas, working hours, CRM user
 * ids), who is on call after hours (a weekly rota plus one-off swaps), how new leads are
 * shared out, and who uses this browser ("Mine", notifications and the badge follow it).
 */
export function TeamSection() {
  const form = useSettingsDraft(KEYS);
  const settings = useFirmSettings();
  const ids = { current: useId(), handover: useId(), byArea: useId() };
  const { draft, update, errors } = form;
  const [hoursText, setHoursText] = useState<HoursText>({});
  const [hoursDirty, setHoursDirty] = useState(false);
  // Follow the stored hours while the typed ones are not edited.
  const storedStaff = draft?.staff;
  const [seenStaff, setSeenStaff] = useState(storedStaff);
  if (storedStaff !== seenStaff) {
    setSeenStaff(storedStaff);
    if (!hoursDirty && storedStaff) setHoursText(hoursTextOf(storedStaff));
  }
  if (!draft) return null;

  const rotation: OnCallRotation = draft.onCall ?? DEFAULT_ON_CALL;
  const practiceAreas = settings?.practiceAreas ?? [];

  const setMember = (index: number, change: Partial<StaffMember>) =>
    update({ staff: draft.staff.map((m, i) => (i === index ? { ...m, ...change } : m)) });
  const setRotation = (change: Partial<OnCallRotation>) =>
    update({ onCall: { ...rotation, ...change } });

  const setHours = (memberId: string, days: string[] | undefined) => {
    setHoursText((current) => ({ ...current, [memberId]: days }));
    setHoursDirty(true);
  };

  const save = () =>
    void form
      .save({
        extraCheck: (d) => checkTeam(d, hoursText),
        prepare: (d) => prepareTeam(d, hoursText),
      })
      .then((saved) => {
        if (saved) setHoursDirty(false);
      });

  const removeMember = (index: number) => {
    const member = draft.staff[index]!;
    const gone = (id: string | null) => (id === member.id ? null : id);
    update({
      staff: draft.staff.filter((_, i) => i !== index),
      currentStaffId: draft.currentStaffId === member.id ? undefined : draft.currentStaffId,
      onCall: {
        ...rotation,
        weekly: rotation.weekly.map(gone),
        swaps: rotation.swaps.filter((s) => s.staffId !== member.id),
      },
    });
  };

  const nameOf = (m: StaffMember, i: number) => m.name.trim() || `Staff member ${i + 1}`;

  return (
    <SettingsSection
      id="team"
      title="Team"
      description="Who calls leads back, who is on call after hours, and how new leads are shared out. Each lead shows who it went to and why (“assigned to Sam: on call”)."
      form={{
        ...form,
        dirty: form.dirty || hoursDirty,
        discard: () => {
          form.discard();
          setHoursDirty(false);
          setHoursText(hoursTextOf(draft.staff));
        },
      }}
      onSave={save}
    >
      <fieldset className="options-group">
        <legend>Staff members</legend>
        {draft.staff.length === 0 && (
          <p className="options-muted">No staff yet. Add the people who return calls.</p>
        )}
        <ol className="team-staff">
          {draft.staff.map((member, index) => (
            <StaffCard
              key={member.id}
              member={member}
              index={index}
              label={nameOf(member, index)}
              errors={errors}
              practiceAreas={practiceAreas}
              hours={hoursText[member.id]}
              onHours={(days) => setHours(member.id, days)}
              onChange={(change) => setMember(index, change)}
              onRemove={() => removeMember(index)}
            />
          ))}
        </ol>
        <div>
          <button
            type="button"
            onClick={() =>
              update({
                staff: [
                  ...draft.staff,
                  { id: crypto.randomUUID(), name: '', email: '', role: 'intake' },
                ],
              })
            }
          >
            + Add staff member
          </button>
        </div>
      </fieldset>

      <fieldset className="options-group">
        <legend>New leads</legend>
        <p className="options-hint">
          In opening hours a new lead goes to the next intake person on shift (round robin); after
          hours to whoever is on call; a source rule can name a person (Source rules); a caller who
          is already a client goes to their attorney.
        </p>
        <label className="checkbox-row" htmlFor={ids.byArea}>
          <input
            id={ids.byArea}
            type="checkbox"
            checked={Boolean(draft.roundRobinByPracticeArea)}
            onChange={(e) => update({ roundRobinByPracticeArea: e.target.checked })}
          />
          Round robin only among people who take the lead’s practice area
        </label>
      </fieldset>

      <fieldset className="options-group">
        <legend>On call after hours</legend>
        <p className="options-hint">
          Evenings, nights, weekends and holidays. Each on-call day runs from the handover time to
          the handover time next morning: Monday’s person also covers the night into Tuesday.
        </p>
        <div className="field options-narrow">
          <label htmlFor={ids.handover}>Handover time</label>
          <input
            id={ids.handover}
            type="time"
            value={rotation.handover}
            aria-invalid={errors['onCall.handover'] ? true : undefined}
            aria-describedby={errors['onCall.handover'] ? `${ids.handover}-error` : undefined}
            onChange={(e) => setRotation({ handover: e.target.value })}
          />
          <FieldError id={`${ids.handover}-error`} message={errors['onCall.handover']} />
        </div>
        <div className="team-rota" role="group" aria-label="Weekly on-call rota">
          {WEEKDAY_NAMES.map((day, d) => (
            <RotaSlot
              key={day}
              label={`${day} on call`}
              value={rotation.weekly[d] ?? null}
              staff={draft.staff}
              error={errors[`onCall.weekly.${d}`]}
              onChange={(staffId) =>
                setRotation({ weekly: rotation.weekly.map((s, i) => (i === d ? staffId : s)) })
              }
            />
          ))}
        </div>
        <h4 className="team-subhead">One-off swaps</h4>
        {rotation.swaps.length === 0 && (
          <p className="options-muted">No swaps. Add one when someone covers another’s day.</p>
        )}
        <ol className="team-swaps">
          {rotation.swaps.map((swap, i) => (
            <SwapRow
              key={i}
              index={i}
              swap={swap}
              staff={draft.staff}
              errors={errors}
              onChange={(change) =>
                setRotation({
                  swaps: rotation.swaps.map((s, n) => (n === i ? { ...s, ...change } : s)),
                })
              }
              onRemove={() => setRotation({ swaps: rotation.swaps.filter((_, n) => n !== i) })}
            />
          ))}
        </ol>
        <div>
          <button
            type="button"
            onClick={() => setRotation({ swaps: [...rotation.swaps, { date: '', staffId: '' }] })}
          >
            + Add swap
          </button>
        </div>
      </fieldset>

      <fieldset className="options-group">
        <legend>This browser</legend>
        <div className="field options-narrow">
          <label htmlFor={ids.current}>This browser is used by</label>
          <select
            id={ids.current}
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
            Attempts logged here are signed with this name; “Mine”, notifications (“Assigned to
            you”) and the toolbar badge follow it.
          </span>
          <FieldError id={`${ids.current}-error`} message={errors.currentStaffId} />
        </div>
        <WhoAmI
          disabled={form.dirty || hoursDirty}
          onFound={(staffId) => update({ currentStaffId: staffId })}
        />
      </fieldset>
    </SettingsSection>
  );
}

function StaffCard({
  member,
  index,
  label,
  errors,
  practiceAreas,
  hours,
  onHours,
  onChange,
  onRemove,
}: {
  member: StaffMember;
  index: number;
  label: string;
  errors: FormErrors;
  practiceAreas: readonly string[];
  hours: string[] | undefined;
  onHours: (days: string[] | undefined) => void;
  onChange: (change: Partial<StaffMember>) => void;
  onRemove: () => void;
}) {
  const ids = { role: useId(), own: useId() };
  const at = (field: string) => errorsUnder(errors, `staff.${index}.${field}`)[0];
  const areas = member.practiceAreas ?? [];
  const allAreas = [...practiceAreas, ...areas.filter((a) => !practiceAreas.includes(a))];
  return (
    <li className="team-card" aria-label={`Staff member ${index + 1}`}>
      <div className="team-card-main">
        <TextField
          label="Name"
          value={member.name}
          onChange={(name) => onChange({ name })}
          error={at('name')}
          autoComplete="off"
        />
        <TextField
          label="Email"
          type="email"
          value={member.email ?? ''}
          onChange={(email) => onChange({ email })}
          error={at('email')}
          placeholder="optional"
          autoComplete="off"
        />
        <div className="field">
          <label htmlFor={ids.role}>Role</label>
          <select
            id={ids.role}
            value={member.role ?? 'intake'}
            onChange={(e) => onChange({ role: e.target.value as StaffRole })}
          >
            {STAFF_ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          className="icon-button"
          aria-label={`Remove ${label}`}
          onClick={onRemove}
        >
          ×
        </button>
      </div>
      {allAreas.length > 0 && (
        <fieldset className="team-areas">
          <legend>Practice areas (none ticked: all)</legend>
          {allAreas.map((area) => (
            <label key={area} className="team-chip">
              <input
                type="checkbox"
                checked={areas.includes(area)}
                onChange={(e) =>
                  onChange({
                    practiceAreas: e.target.checked
                      ? [...areas, area]
                      : areas.filter((a) => a !== area),
                  })
                }
              />
              {area}
            </label>
          ))}
        </fieldset>
      )}
      <div className="team-hours">
        <label className="checkbox-row" htmlFor={ids.own}>
          <input
            id={ids.own}
            type="checkbox"
            checked={hours !== undefined}
            onChange={(e) => onHours(e.target.checked ? Array(7).fill('09:00-17:00') : undefined)}
          />
          Own working hours (otherwise the firm’s opening hours)
        </label>
        {hours && (
          <div className="team-hours-grid" role="group" aria-label={`${label}: working hours`}>
            {WEEKDAY_NAMES.map((day, d) => (
              <DayHoursField
                key={day}
                label={day}
                value={hours[d] ?? ''}
                error={at(`workingHours.${d}`)}
                onChange={(text) => onHours(hours.map((h, i) => (i === d ? text : h)))}
              />
            ))}
          </div>
        )}
      </div>
      <div className="team-crm">
        <TextField
          label="HubSpot owner id"
          value={member.crmUserIds?.hubspot ?? ''}
          onChange={(hubspot) => onChange({ crmUserIds: { ...member.crmUserIds, hubspot } })}
          error={at('crmUserIds.hubspot')}
          placeholder="optional"
          autoComplete="off"
        />
        <TextField
          label="Clio user id"
          value={member.crmUserIds?.clio ?? ''}
          onChange={(clio) => onChange({ crmUserIds: { ...member.crmUserIds, clio } })}
          error={at('crmUserIds.clio')}
          placeholder="optional"
          autoComplete="off"
        />
      </div>
    </li>
  );
}

function DayHoursField({
  label,
  value,
  error,
  onChange,
}: {
  label: string;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field team-day">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        placeholder="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

function RotaSlot({
  label,
  value,
  staff,
  error,
  onChange,
}: {
  label: string;
  value: string | null;
  staff: readonly StaffMember[];
  error?: string;
  onChange: (staffId: string | null) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value ?? ''}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value || null)}
      >
        <option value="">Nobody</option>
        {staff.map((m, i) => (
          <option key={m.id} value={m.id}>
            {m.name.trim() || `Staff member ${i + 1}`}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

function SwapRow({
  index,
  swap,
  staff,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  swap: OnCallRotation['swaps'][number];
  staff: readonly StaffMember[];
  errors: FormErrors;
  onChange: (change: Partial<OnCallRotation['swaps'][number]>) => void;
  onRemove: () => void;
}) {
  const ids = { date: useId(), who: useId() };
  const dateError = errorsUnder(errors, `onCall.swaps.${index}.date`)[0];
  const whoError = errorsUnder(errors, `onCall.swaps.${index}.staffId`)[0];
  return (
    <li className="team-swap" aria-label={`Swap ${index + 1}`}>
      <div className="field">
        <label htmlFor={ids.date}>On-call day starting</label>
        <input
          id={ids.date}
          type="date"
          value={swap.date}
          aria-invalid={dateError ? true : undefined}
          aria-describedby={dateError ? `${ids.date}-error` : undefined}
          onChange={(e) => onChange({ date: e.target.value })}
        />
        <FieldError id={`${ids.date}-error`} message={dateError} />
      </div>
      <div className="field">
        <label htmlFor={ids.who}>Covered by</label>
        <select
          id={ids.who}
          value={swap.staffId}
          aria-invalid={whoError ? true : undefined}
          aria-describedby={whoError ? `${ids.who}-error` : undefined}
          onChange={(e) => onChange({ staffId: e.target.value })}
        >
          <option value="">Choose…</option>
          {staff.map((m, i) => (
            <option key={m.id} value={m.id}>
              {m.name.trim() || `Staff member ${i + 1}`}
            </option>
          ))}
        </select>
        <FieldError id={`${ids.who}-error`} message={whoError} />
      </div>
      <TextField
        label="Note"
        value={swap.note ?? ''}
        onChange={(note) => onChange({ note })}
        placeholder="optional"
        autoComplete="off"
      />
      <button
        type="button"
        className="icon-button"
        aria-label={`Remove swap ${index + 1}`}
        onClick={onRemove}
      >
        ×
      </button>
    </li>
  );
}

/** "Take it from the CRM": Clio says who connected; HubSpot finds the owner by email. */
function WhoAmI({ disabled, onFound }: { disabled: boolean; onFound: (staffId: string) => void }) {
  const emailId = useId();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ ok: boolean; text: string } | null>(null);
  const ask = async (system: 'hubspot' | 'clio') => {
    setBusy(true);
    setAnswer(null);
    try {
      const found = await sendMessage('teamWhoAmI', {
        system,
        ...(system === 'hubspot' ? { email } : {}),
      });
      if (found.staffId) onFound(found.staffId);
      setAnswer({
        ok: Boolean(found.staffId),
        text: found.staffId ? `${found.message} Save to keep it.` : found.message,
      });
    } catch (error) {
      setAnswer({ ok: false, text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="team-whoami">
      <span className="options-hint">Or take it from the CRM connection:</span>
      <div className="input-row">
        <button type="button" disabled={busy} onClick={() => void ask('clio')}>
          Ask Clio who I am
        </button>
      </div>
      <div className="input-row">
        <label htmlFor={emailId} className="visually-hidden">
          My HubSpot email
        </label>
        <input
          id={emailId}
          type="email"
          placeholder="My HubSpot sign-in email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button type="button" disabled={busy || !email.trim()} onClick={() => void ask('hubspot')}>
          Find me in HubSpot
        </button>
      </div>
      {disabled && answer?.ok && <span className="options-hint">Unsaved: press Save.</span>}
      {answer && (
        <p
          className={
            answer.ok ? 'options-status options-status-ok' : 'options-status options-status-error'
          }
          role="status"
        >
          {answer.text}
        </p>
      )}
    </div>
  );
}

/** The typed working hours, parsed; a day that does not parse stays as it was stored. */
function prepareTeam(d: Draft, hoursText: HoursText): Draft {
  const staff = d.staff.map((m) => {
    const days = hoursText[m.id];
    const next: StaffMember = { ...m, email: m.email?.trim() || undefined };
    if (!next.practiceAreas?.length) delete next.practiceAreas;
    const hubspot = m.crmUserIds?.hubspot?.trim();
    const clio = m.crmUserIds?.clio?.trim();
    if (hubspot || clio)
      next.crmUserIds = { ...(hubspot ? { hubspot } : {}), ...(clio ? { clio } : {}) };
    else delete next.crmUserIds;
    if (days) {
      const parsed = days.map(parseDayHours);
      if (parsed.every((p) => typeof p !== 'string')) next.workingHours = parsed as WeeklyHours;
    } else delete next.workingHours;
    return next;
  });
  const ids = new Set(staff.map((m) => m.id));
  const rotation = d.onCall ?? DEFAULT_ON_CALL;
  return {
    ...d,
    staff,
    currentStaffId: ids.has(d.currentStaffId ?? '') ? d.currentStaffId : undefined,
    onCall: {
      ...rotation,
      swaps: rotation.swaps.map((s) => {
        const note = s.note?.trim();
        return { date: s.date, staffId: s.staffId, ...(note ? { note } : {}) };
      }),
    },
  };
}

/** Rules the schema cannot know: email format, unique names, hours as typed, the rota. */
export function checkTeam(draft: Draft, hoursText: HoursText = {}): FormErrors {
  const errors: FormErrors = {};
  const names = new Map<string, number>();
  draft.staff.forEach((member, i) => {
    const email = member.email?.trim();
    if (email && !Email.safeParse(email).success)
      errors[`staff.${i}.email`] = 'Not an email address.';
    for (const system of ['hubspot', 'clio'] as const) {
      const id = member.crmUserIds?.[system]?.trim();
      if (id && !/^\d{1,20}$/.test(id))
        errors[`staff.${i}.crmUserIds.${system}`] =
          `A ${system === 'hubspot' ? 'HubSpot owner' : 'Clio user'} id is a number (see Options → CRM).`;
    }
    (hoursText[member.id] ?? []).forEach((text, d) => {
      const parsed = parseDayHours(text);
      if (typeof parsed === 'string') errors[`staff.${i}.workingHours.${d}`] = parsed;
    });
    if (hoursText[member.id]?.every((t) => !t.trim()))
      errors[`staff.${i}.workingHours.1`] =
        'No working hours on any day: untick “Own working hours” to use the firm’s.';
    const key = member.name.trim().toLowerCase();
    if (!key) return;
    if (names.has(key)) errors[`staff.${i}.name`] = 'Two staff members have this name.';
    else names.set(key, i);
  });
  const ids = new Set(draft.staff.map((m) => m.id));
  const rotation = draft.onCall ?? DEFAULT_ON_CALL;
  rotation.weekly.forEach((staffId, d) => {
    if (staffId && !ids.has(staffId))
      errors[`onCall.weekly.${d}`] = 'This person is no longer in the team: choose someone.';
  });
  const dates = new Map<string, number>();
  rotation.swaps.forEach((swap, i) => {
    if (!swap.date) errors[`onCall.swaps.${i}.date`] = 'Choose the date of the on-call day.';
    else if (dates.has(swap.date))
      errors[`onCall.swaps.${i}.date`] =
        `Swap ${dates.get(swap.date)! + 1} is on this date already.`;
    else dates.set(swap.date, i);
    if (!swap.staffId || !ids.has(swap.staffId))
      errors[`onCall.swaps.${i}.staffId`] = 'Choose who covers this day.';
  });
  return errors;
}
