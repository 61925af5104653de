import { Fragment, useEffect, useId, useRef, useState } from 'react';
import { sendMessage } from '@/utils/messaging';
import {
  OUTCOME_LABELS,
  type Attempt,
  type AttemptMethod,
  type CallReason,
  type Lead,
  type LeadPatch,
  type MissedCall,
} from '@/utils/model';
import type { FirmSettings } from '@/utils/settings';
import { describeDue, urgencyAt } from '@/utils/queue/sla';
import { callerLines, staffName, telHref } from '@/utils/queue/queueView';
import type { FirmClock } from '@/utils/displayTime';
import { errorMessage } from '@/utils/errorMessage';
import { formatElapsed } from '@/utils/queue/attemptForm';
import { TeamLeadInfo } from './team/TeamLeadInfo';
import { CadencePanel } from './CadencePanel';
import { CallButtons } from './CallButton';
import { TextPanel } from './TextPanel';
import { EmailPanel } from './EmailPanel';
import { LeadSyncPanel } from './LeadSyncPanel';
import { ScriptPanel } from './ScriptPanel';
import { VoicemailPanel } from './VoicemailPanel';
import { AutoTextNote } from './AutoTextNote';
import { LeadOutcomePanel } from './LeadOutcomePanel';
import { useLiveData } from './useLiveData';

const REASON_LABELS: Record<CallReason, string> = {
  'no-answer': 'No answer',
  voicemail: 'Voicemail',
  'after-hours': 'After hours',
  abandoned: 'Abandoned',
  busy: 'Busy',
  answered: 'Answered',
};

const METHOD_LABELS: Record<AttemptMethod, string> = {
  call: 'Call',
  voicemail: 'Voicemail',
  text: 'Text',
  email: 'Email',
};

const PATH_LABELS: Record<MissedCall['capturePath'], string> = {
  portal: 'phone portal',
  api: 'provider API',
  crm: 'CRM',
  csv: 'CSV import',
  manual: 'added by hand',
};

const STATUS_LABELS: Record<Lead['status'], string> = {
  open: 'Open',
  claimed: 'Claimed',
  done: 'Closed',
  'no-contact': 'No contact',
};

/** Options for a tag select: the configured list, plus the lead's own value if it is not in it. */
function withCurrent(options: readonly string[], current: string | undefined): string[] {
  return current && !options.includes(current) ? [current, ...options] : [...options];
}

export function LeadDetail({
  leadId,
  settings,
  clock,
  now,
  onBack,
}: {
  leadId: string;
  settings: FirmSettings;
  clock: FirmClock;
  now: number;
  onBack: () => void;
}) {
  // null = no such lead; undefined = still loading.
  const lead = useLiveData('lead', { leadId });
  const calls = useLiveData('leadCalls', { leadId });
  const attempts = useLiveData('leadAttempts', { leadId });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const ids = { source: useId(), practiceArea: useId(), assignee: useId() };

  // Move focus into the view so keyboard and screen-reader users land on the lead.
  const loaded = Boolean(lead);
  useEffect(() => {
    if (loaded) headingRef.current?.focus();
  }, [loaded]);

  if (lead === undefined) {
    return (
      <section className="lead-detail" aria-busy="true">
        <BackButton onBack={onBack} />
        <p className="muted pad">Loading lead…</p>
      </section>
    );
  }
  if (lead === null) {
    return (
      <section className="lead-detail">
        <BackButton onBack={onBack} />
        <p className="notice notice-error pad" role="alert">
          This lead no longer exists.
        </p>
      </section>
    );
  }

  const patch = async (change: Omit<LeadPatch, 'leadId'>, done?: string) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await sendMessage('patchLead', { leadId: lead.id, ...change });
      if (done) setNotice(done);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const caller = callerLines(lead, settings.defaultCountry);
  const tel = telHref(lead);
  const urgency = urgencyAt(lead, now);
  const me = settings.currentStaffId;
  const meName = staffName(settings.staff, me);
  const closed = lead.status === 'done';

  // Claim goes through the shared claim (the CRM task when the queue is shared): the loser
  // of a race is told at once ("Sam claimed this a moment ago").
  const claim = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await sendMessage('claimLead', { leadId: lead.id });
      setNotice(`Claimed by ${meName}.`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const assign = (assignee: string) => {
    const status: Lead['status'] | undefined = closed
      ? undefined
      : assignee
        ? 'claimed'
        : lead.status === 'claimed'
          ? 'open'
          : undefined;
    void patch({ assignee: assignee || null, ...(status ? { status } : {}) });
  };

  return (
    <section className="lead-detail" aria-labelledby={`${ids.source}-title`}>
      <BackButton onBack={onBack} />
      <header className="lead-head">
        {/* Caller-supplied text is isolated (<bdi>, dir="auto"): a right-to-left override in
            a caller-ID name cannot reverse the text around it. */}
        <h2 id={`${ids.source}-title`} ref={headingRef} tabIndex={-1} dir="auto">
          <bdi>{caller.title}</bdi>
        </h2>
        <div className="lead-head-sub">
          {caller.subtitle && (
            <span>
              <bdi>{caller.subtitle}</bdi>
            </span>
          )}
          {caller.noCallbackNumber && (
            <span className="flag flag-nocallback">No callback number</span>
          )}
          {lead.priority && <span className="flag flag-priority">Priority</span>}
          <span className={`status status-${lead.status}`}>{STATUS_LABELS[lead.status]}</span>
        </div>
      </header>

      {lead.answeredLaterAt && (
        <p className="banner banner-ok" role="status">
          Caller got through at {clock.short(lead.answeredLaterAt, now)} — no callback needed.
        </p>
      )}

      <div className={`due-banner due-banner-${urgency}`}>
        {closed ? (
          <>
            <strong>Closed</strong>
            {lead.closedAt && <span> {clock.short(lead.closedAt, now)}</span>}
            {lead.closeOutcome && <span> · {OUTCOME_LABELS[lead.closeOutcome]}</span>}
          </>
        ) : lead.status === 'no-contact' ? (
          <>
            <strong>No contact</strong>
            {lead.noContactAt && <span> since {clock.short(lead.noContactAt, now)}</span>}
            <span> · not in the queue until the caller rings again</span>
          </>
        ) : (
          <>
            <strong className="due-text">{describeDue(lead, now)}</strong>
            <span className="due-times">
              target {clock.short(lead.dueAt, now)} · limit {clock.short(lead.overdueAt, now)}
            </span>
          </>
        )}
      </div>

      <TeamLeadInfo lead={lead} settings={settings} clock={clock} now={now} />

      <div className="lead-actions">
        <CallButtons
          lead={lead}
          calls={calls}
          startsAttempt={!closed}
          display={caller.subtitle ?? caller.title}
        />
        {/* Assigned to me by the rules is not claimed yet: Claim says "I am calling now". */}
        {!closed && me && (lead.assignee !== me || lead.claimedBy !== me) && (
          <button type="button" className="secondary" disabled={busy} onClick={() => void claim()}>
            Claim
          </button>
        )}
        {closed || lead.status === 'no-contact' ? (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void patch({ status: 'open' }, 'Reopened: back in the queue.')}
          >
            Reopen
          </button>
        ) : (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void patch({ status: 'done' }, 'Lead closed.')}
          >
            Close lead
          </button>
        )}
      </div>
      {!closed && !me && settings.staff.length > 0 && (
        <p className="hint pad">To claim leads, choose who you are under Team in Settings.</p>
      )}
      {error && (
        <p className="notice notice-error pad" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice notice-info pad" role="status">
          {notice}
        </p>
      )}

      <dl className="facts">
        <dt>Number</dt>
        <dd>
          {tel ? (
            <a href={tel} title="Call">
              <bdi>{lead.phone}</bdi>
              {lead.extension ? (
                <>
                  {' '}
                  ext. <bdi>{lead.extension}</bdi>
                </>
              ) : null}
            </a>
          ) : (
            <span title="What caller ID showed">
              <bdi>{lead.rawNumber || 'Unknown caller'}</bdi>
            </span>
          )}
        </dd>
        <dt>
          <label htmlFor={ids.source}>Source</label>
        </dt>
        <dd>
          <select
            id={ids.source}
            value={lead.source ?? ''}
            disabled={busy}
            onChange={(e) => void patch({ source: e.target.value || null })}
          >
            <option value="">Not known</option>
            {withCurrent(settings.sources, lead.source).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </dd>
        <dt>
          <label htmlFor={ids.practiceArea}>Practice area</label>
        </dt>
        <dd>
          <select
            id={ids.practiceArea}
            value={lead.practiceArea ?? ''}
            disabled={busy}
            onChange={(e) => void patch({ practiceArea: e.target.value || null })}
          >
            <option value="">Not known</option>
            {withCurrent(settings.practiceAreas, lead.practiceArea).map((area) => (
              <option key={area} value={area}>
                {area}
              </option>
            ))}
          </select>
        </dd>
        <dt>
          <label htmlFor={ids.assignee}>Assignee</label>
        </dt>
        <dd>
          <select
            id={ids.assignee}
            value={lead.assignee ?? ''}
            disabled={busy}
            onChange={(e) => assign(e.target.value)}
          >
            <option value="">Unassigned</option>
            {lead.assignee && !settings.staff.some((m) => m.id === lead.assignee) && (
              <option value={lead.assignee}>{lead.assignee}</option>
            )}
            {settings.staff.map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
                {member.id === me ? ' (me)' : ''}
              </option>
            ))}
          </select>
          {settings.staff.length === 0 && (
            <span className="hint"> Add your team in Settings to assign leads.</span>
          )}
        </dd>
        <dt>Missed calls</dt>
        <dd>
          {lead.missedCount} · first {clock.short(lead.firstMissedAt, now)}
        </dd>
        {(lead.crmLinks ?? []).map((link) => (
          <Fragment key={`${link.system}:${link.account ?? ''}`}>
            <dt>{link.system === 'hubspot' ? 'HubSpot' : 'Clio'}</dt>
            <dd>
              {link.url?.startsWith('https://') ? (
                <a href={link.url} target="_blank" rel="noreferrer noopener">
                  <bdi>{link.name ?? `Contact ${link.contactId}`}</bdi>
                </a>
              ) : (
                <bdi>{link.name ?? `Contact ${link.contactId}`}</bdi>
              )}
            </dd>
          </Fragment>
        ))}
      </dl>

      <AutoTextNote lead={lead} calls={calls} clock={clock} now={now} />

      {!closed && <ScriptPanel lead={lead} settings={settings} now={now} />}

      <CadencePanel
        lead={lead}
        attempts={attempts}
        settings={settings}
        clock={clock}
        now={now}
        onRecorded={(message) => {
          setError(null);
          setNotice(message);
        }}
      />

      <VoicemailPanel calls={calls} clock={clock} now={now} />

      <TextPanel lead={lead} clock={clock} now={now} staffName={me ? meName : undefined} />

      <EmailPanel lead={lead} attempts={attempts} settings={settings} now={now} />

      <LeadSyncPanel lead={lead} />

      <LeadOutcomePanel lead={lead} />

      <section className="history" aria-label="Attempts and notes">
        <h3>Attempts &amp; notes</h3>
        {attempts === undefined ? null : attempts.length === 0 ? (
          <p className="muted">No attempts yet.</p>
        ) : (
          <ol className="timeline">
            {attempts.map((attempt) => (
              <AttemptItem
                key={attempt.id}
                attempt={attempt}
                settings={settings}
                clock={clock}
                now={now}
              />
            ))}
          </ol>
        )}
      </section>

      <section className="history" aria-label="Missed calls">
        <h3>Missed calls</h3>
        {calls === undefined ? null : (
          <ol className="timeline">
            {calls.map((call) => (
              <li key={call.id}>
                <div className="timeline-head">
                  <span className="timeline-title">{REASON_LABELS[call.reason]}</span>
                  <time
                    dateTime={new Date(call.startedAt).toISOString()}
                    title={clock.full(call.startedAt)}
                  >
                    {clock.short(call.startedAt, now)}
                  </time>
                </div>
                <div className="timeline-meta">
                  {call.callerName && (
                    <span>
                      Caller ID “<bdi>{call.callerName}</bdi>”
                    </span>
                  )}
                  {call.dialedLine && (
                    <span>
                      to <bdi>{call.dialedLine}</bdi>
                    </span>
                  )}
                  <span>
                    via {PATH_LABELS[call.capturePath]}
                    {call.provider !== 'manual' ? ` (${call.provider})` : ''}
                    {call.alsoSeenBy?.length
                      ? `; also seen by ${call.alsoSeenBy.map((p) => PATH_LABELS[p]).join(', ')}`
                      : ''}
                  </span>
                  {call.agent && (
                    <span>
                      rang <bdi>{call.agent}</bdi>
                    </span>
                  )}
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>
    </section>
  );
}

function AttemptItem({
  attempt,
  settings,
  clock,
  now,
}: {
  attempt: Attempt;
  settings: FirmSettings;
  clock: FirmClock;
  now: number;
}) {
  const by = staffName(settings.staff, attempt.by);
  return (
    <li>
      <div className="timeline-head">
        <span className="timeline-title">
          {METHOD_LABELS[attempt.method]} · {OUTCOME_LABELS[attempt.outcome]}
          {attempt.automatic ? ' · automatic' : ''}
          {attempt.durationSeconds !== undefined
            ? ` · ${formatElapsed(attempt.durationSeconds * 1000)}`
            : ''}
        </span>
        <time dateTime={new Date(attempt.at).toISOString()} title={clock.full(attempt.at)}>
          {clock.short(attempt.at, now)}
        </time>
      </div>
      {by && <div className="timeline-meta">by {by}</div>}
      {attempt.notes && (
        <p className="timeline-notes" dir="auto">
          {attempt.notes}
        </p>
      )}
    </li>
  );
}

function BackButton({ onBack }: { onBack: () => void }) {
  return (
    <button type="button" className="back-button" onClick={onBack}>
      <span aria-hidden="true">←</span> Queue
    </button>
  );
}
