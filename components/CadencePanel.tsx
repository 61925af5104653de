import { useEffect, useRef, useState } from 'react';
import type { Attempt, Lead } from '@/utils/model';
import type { FirmSettings } from '@/utils/settings';
import type { FirmClock } from '@/utils/displayTime';
import {
  cadenceOf,
  describeStep,
  describeStepTiming,
  methodsLabel,
  nextStepOf,
  roundStartOf,
  stepsDoneOf,
} from '@/utils/queue/cadence';
import { methodsDoneInStep } from '@/utils/queue/attemptForm';
import { AttemptForm } from './AttemptForm';
import './cadence.css';
import { useCallStarted } from './CallButton';

/**
 * The lead's follow-up cadence: the next step (its methods and due time), the steps done
 * and to come, and the attempt form. Starting a call from the lead's call links
 * (CallButtons) starts the attempt: the form switches to "Call" with a running timer.
 */
export function CadencePanel({
  lead,
  attempts,
  settings,
  clock,
  now,
  onRecorded,
}: {
  lead: Lead;
  attempts: readonly Attempt[] | undefined;
  settings: FirmSettings;
  clock: FirmClock;
  now: number;
  onRecorded: (message: string) => void;
}) {
  const [callStartedAt, clearCallStarted] = useCallStarted(lead.id);
  const formRef = useRef<HTMLDivElement>(null);
  const cadence = cadenceOf(settings, lead.source);
  const stepsDone = stepsDoneOf(lead);
  const next = nextStepOf(settings, lead);
  const roundStart = roundStartOf(lead);
  const stepBegan = stepsDone === 0 ? roundStart : (lead.lastAttemptAt ?? roundStart);
  const automatic = (attempts ?? []).filter((a) => a.automatic && a.at >= roundStart);
  const doneInStep = methodsDoneInStep(automatic, stepBegan);
  const closed = lead.status === 'done';

  // A new attempt recorded (or the lead changed) ends the call being timed.
  const [seenCount, setSeenCount] = useState(lead.attemptCount);
  if (seenCount !== lead.attemptCount) {
    setSeenCount(lead.attemptCount);
    clearCallStarted();
  }

  useEffect(() => {
    if (callStartedAt) formRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [callStartedAt]);

  return (
    <section className="panel cadence-panel" aria-label="Follow-up cadence">
      <h3>Follow-up</h3>
      {next ? (
        <p className="cadence-next">
          <strong>{describeStep(next)}</strong>
          <span>
            {' · due '}
            <time dateTime={new Date(lead.dueAt).toISOString()} title={clock.full(lead.dueAt)}>
              {clock.short(lead.dueAt, now)}
            </time>
          </span>
        </p>
      ) : lead.status === 'no-contact' ? (
        <p className="banner banner-no-contact" role="status">
          No contact: all {cadence.steps.length} steps went by without reaching the caller
          {lead.noContactAt ? ` (since ${clock.short(lead.noContactAt, now)})` : ''}. A new call
          from this number puts the lead back in the queue.
        </p>
      ) : !closed ? (
        <p className="cadence-next">
          <strong>Cadence done</strong>
          {' · call back due '}
          {clock.short(lead.dueAt, now)}
        </p>
      ) : null}
      {!closed && (
        <ol className="cadence-steps" aria-label="Cadence steps">
          {cadence.steps.map((step, index) => {
            const state =
              index < stepsDone ? 'done' : index === stepsDone && next ? 'current' : 'later';
            return (
              <li key={index} className={`cadence-step cadence-step-${state}`}>
                <span className="cadence-step-name">
                  {index + 1}. {methodsLabel(step.methods)}
                </span>
                <span className="cadence-step-when">
                  {state === 'done'
                    ? 'done'
                    : state === 'current'
                      ? `due ${clock.short(lead.dueAt, now)}`
                      : describeStepTiming(step, index)}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {automatic.length > 0 && (
        <p className="hint">
          Automatic text sent {clock.short(automatic[0]!.at, now)}
          {next?.methods.includes('text') && doneInStep.includes('text')
            ? ': it counts as this step’s text (not as a callback).'
            : ' (not a callback attempt).'}
        </p>
      )}
      {!closed && (
        <div ref={formRef}>
          <AttemptForm
            key={`${lead.id}:${lead.attemptCount}:${callStartedAt ?? ''}`}
            lead={lead}
            cadence={cadence}
            stepsDone={stepsDone}
            doneInStep={doneInStep}
            callStartedAt={callStartedAt}
            currentStaffId={settings.currentStaffId}
            onRecorded={onRecorded}
          />
        </div>
      )}
    </section>
  );
}
