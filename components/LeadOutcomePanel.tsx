import { useEffect, useId, useState } from 'react';
import { sendMessage } from '@/utils/messaging';
import type { Disposition, Lead, SurveyAnswer } from '@/utils/model';
import { errorMessage } from '@/utils/errorMessage';

const SOURCE_WORDS: Record<string, string> = {
  staff: 'set by staff',
  hubspot: 'from HubSpot',
  clio: 'from Clio',
};

type YesNo = 'yes' | 'no' | '';
const yesNo = (v: boolean | undefined): YesNo => (v === undefined ? '' : v ? 'yes' : 'no');
const fromYesNo = (v: YesNo): boolean | undefined => (v === '' ? undefined : v === 'yes');

/**
 * A closed lead's outcome after the call: its disposition (retained or not, days later;
 * read from the CRM where connected) and the post-intake survey's answers. The metrics
 * dashboard's conversion and survey figures come from these.
 */
export function LeadOutcomePanel({ lead }: { lead: Lead }) {
  const ids = useId();
  const [survey, setSurvey] = useState<SurveyAnswer | null | undefined>(undefined);
  const [feltValued, setFeltValued] = useState<YesNo>('');
  const [responseOk, setResponseOk] = useState<YesNo>('');
  const [rating, setRating] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const closed = lead.status === 'done';
  useEffect(() => {
    if (!closed) return;
    let live = true;
    void sendMessage('getSurvey', { leadId: lead.id })
      .then((answer) => {
        if (!live) return;
        setSurvey(answer);
        setFeltValued(yesNo(answer?.feltValued));
        setResponseOk(yesNo(answer?.responseTimeAcceptable));
        setRating(answer?.rating ? String(answer.rating) : '');
        setComment(answer?.comment ?? '');
      })
      .catch(() => live && setSurvey(null));
    return () => {
      live = false;
    };
  }, [lead.id, closed]);

  const setDisposition = async (value: Disposition | '') => {
    setBusy(true);
    setMessage(null);
    try {
      await sendMessage('patchLead', { leadId: lead.id, disposition: value === '' ? null : value });
      setMessage({
        error: false,
        text: value === '' ? 'Disposition cleared.' : 'Disposition saved.',
      });
    } catch (err) {
      setMessage({ error: true, text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  const saveSurvey = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const saved = await sendMessage('saveSurvey', {
        leadId: lead.id,
        ...(fromYesNo(feltValued) !== undefined ? { feltValued: fromYesNo(feltValued) } : {}),
        ...(fromYesNo(responseOk) !== undefined
          ? { responseTimeAcceptable: fromYesNo(responseOk) }
          : {}),
        ...(rating ? { rating: Number(rating) } : {}),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      setSurvey(saved);
      setMessage({
        error: false,
        text: saved ? 'Survey answers saved.' : 'Survey answers cleared.',
      });
    } catch (err) {
      setMessage({ error: true, text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  if (!closed) return null;
  const yesNoSelect = (id: string, label: string, value: YesNo, set: (v: YesNo) => void) => (
    <label htmlFor={`${ids}-${id}`}>
      {label}
      <select
        id={`${ids}-${id}`}
        value={value}
        disabled={busy}
        onChange={(e) => set(e.target.value as YesNo)}
      >
        <option value="">Not answered</option>
        <option value="yes">Yes</option>
        <option value="no">No</option>
      </select>
    </label>
  );

  return (
    <section className="lead-outcome" aria-label="Outcome and survey">
      <h3>Outcome</h3>
      <label htmlFor={`${ids}-disposition`}>
        Disposition
        <select
          id={`${ids}-disposition`}
          value={lead.disposition ?? ''}
          disabled={busy}
          onChange={(e) => void setDisposition(e.target.value as Disposition | '')}
        >
          <option value="">Not recorded</option>
          <option value="retained">Retained</option>
          <option value="not-retained">Not retained</option>
        </select>
      </label>
      {lead.disposition && lead.dispositionSource && (
        <p className="muted">
          {SOURCE_WORDS[lead.dispositionSource] ?? ''}
          {lead.dispositionAt ? `, ${new Date(lead.dispositionAt).toLocaleDateString()}` : ''}
        </p>
      )}
      <fieldset className="survey" disabled={busy || survey === undefined}>
        <legend>Post-intake survey</legend>
        {yesNoSelect('valued', 'Felt valued?', feltValued, setFeltValued)}
        {yesNoSelect('response', 'Response time acceptable?', responseOk, setResponseOk)}
        <label htmlFor={`${ids}-rating`}>
          Rating (1–5)
          <select id={`${ids}-rating`} value={rating} onChange={(e) => setRating(e.target.value)}>
            <option value="">Not answered</option>
            {[1, 2, 3, 4, 5].map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={`${ids}-comment`}>
          Comment
          <textarea
            id={`${ids}-comment`}
            value={comment}
            maxLength={2000}
            rows={2}
            onChange={(e) => setComment(e.target.value)}
          />
        </label>
        <button type="button" onClick={() => void saveSurvey()}>
          Save survey answers
        </button>
      </fieldset>
      {message && (
        <p className={message.error ? 'notice notice-error' : 'muted'} role="status">
          {message.text}
        </p>
      )}
    </section>
  );
}
