import { useEffect, useRef, useState } from 'react';
import { sendMessage } from '@/utils/messaging';
import type { MissedCall, VoicemailAudio } from '@/utils/model';
import type { FirmClock } from '@/utils/displayTime';
import { errorMessage } from '@/utils/errorMessage';
import {
  bytesOfBase64,
  noVoicemailText,
  portalVoicemailLink,
  providerLabel,
} from '@/utils/capture/sources/voicemail';
import './voicemail.css';

/** Only web links are ever put in an href (the stored URL came from a provider's API). */
function webLink(url: string | undefined): string | undefined {
  return url && /^https?:$/.test(URL.parse(url)?.protocol ?? '') ? url : undefined;
}

/** " after 1 hour", " after 10 minutes", or " soon". */
function expiresIn(seconds: number | undefined): string {
  if (!seconds) return ' soon';
  const minutes = Math.round(seconds / 60);
  if (minutes % 60 === 0) return ` after ${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return ` after ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/**
 * The lead's voicemails: each one's transcript (as text) and its recording — played in the
 * page from bytes the background fetched with the provider's token (RingCentral), from a
 * fresh pre-signed link (Aircall), or opened in the provider's own app (Dialpad). When there
 * is none, the lead says so and why (the provider or capture path gives none).
 */
export function VoicemailPanel({
  calls,
  clock,
  now,
}: {
  calls: MissedCall[] | undefined;
  clock: FirmClock;
  now: number;
}) {
  if (calls === undefined) return null;
  const missed = calls.filter((c) => c.reason !== 'answered');
  const voicemails = missed.filter((c) => c.voicemail || c.reason === 'voicemail');
  const none = [...new Set(missed.map(noVoicemailText))];
  return (
    <section className="history voicemail-panel" aria-label="Voicemail">
      <h3>Voicemail</h3>
      {voicemails.length === 0 ? (
        (none.length > 0 ? none : ['No voicemail recording available.']).map((text) => (
          <p key={text} className="muted">
            {text}
          </p>
        ))
      ) : (
        <ol className="timeline">
          {voicemails.map((call) => (
            <VoicemailItem key={call.id} call={call} clock={clock} now={now} />
          ))}
        </ol>
      )}
    </section>
  );
}

function VoicemailItem({ call, clock, now }: { call: MissedCall; clock: FirmClock; now: number }) {
  const voicemail = call.voicemail;
  const label = providerLabel(call.provider);
  const portal = portalVoicemailLink(call);
  return (
    <li data-call-id={call.id}>
      <div className="timeline-head">
        <span className="timeline-title">
          Voicemail from {label}
          {voicemail?.durationSeconds !== undefined
            ? ` (${duration(voicemail.durationSeconds)})`
            : ''}
        </span>
        <time dateTime={new Date(call.startedAt).toISOString()} title={clock.full(call.startedAt)}>
          {clock.short(call.startedAt, now)}
        </time>
      </div>
      {voicemail ? (
        <>
          <Transcript call={call} />
          <Recording call={call} />
        </>
      ) : portal ? (
        <p className="voicemail-note">
          Voicemail left —{' '}
          {webLink(portal.url) ? (
            <a href={portal.url} target="_blank" rel="noopener noreferrer">
              listen in {portal.label}’s portal
            </a>
          ) : (
            `listen in ${portal.label}`
          )}
          . Portal capture reads no recording or transcript.
        </p>
      ) : (
        <p className="voicemail-note">{noVoicemailText(call)}</p>
      )}
    </li>
  );
}

function Transcript({ call }: { call: MissedCall }) {
  const voicemail = call.voicemail!;
  const label = providerLabel(call.provider);
  if (voicemail.transcript)
    return (
      <blockquote className="voicemail-transcript" aria-label="Transcript">
        {voicemail.transcript}
      </blockquote>
    );
  const text =
    voicemail.transcriptStatus === 'pending'
      ? `Transcript not ready yet: ${label} is still transcribing. It appears here when a later poll reads it.`
      : voicemail.transcriptStatus === 'failed'
        ? `${label} could not transcribe this voicemail.`
        : `No transcript from ${label}.`;
  return <p className="voicemail-note">{text}</p>;
}

function Recording({ call }: { call: MissedCall }) {
  const voicemail = call.voicemail!;
  const label = providerLabel(call.provider);
  const url = webLink(voicemail.url);
  if (!url) return <p className="voicemail-note">{noVoicemailText(call)}</p>;
  if (voicemail.playback === 'provider-app' || !voicemail.playback)
    return (
      <div className="voicemail-recording">
        <a href={url} target="_blank" rel="noopener noreferrer">
          Listen in {label}
        </a>
        <span className="voicemail-note">(opens {label}; sign in there if asked)</span>
      </div>
    );
  return <Player call={call} />;
}

type PlayerState =
  | { step: 'idle' }
  | { step: 'loading' }
  | { step: 'ready'; src: string; audio: VoicemailAudio }
  | { step: 'error'; message: string };

function Player({ call }: { call: MissedCall }) {
  const label = providerLabel(call.provider);
  const [state, setState] = useState<PlayerState>({ step: 'idle' });
  const objectUrl = useRef<string | null>(null);
  const audioRef = useRef<HTMLAudioElement>(null);

  const release = () => {
    if (objectUrl.current) URL.revokeObjectURL(objectUrl.current);
    objectUrl.current = null;
  };
  useEffect(() => release, []);

  const load = async () => {
    setState({ step: 'loading' });
    try {
      const audio = await sendMessage('voicemailAudio', { callId: call.id });
      release();
      let src: string;
      if (audio.kind === 'bytes') {
        // Audio only: a blob of another type could open as a page of the extension.
        const type = /^audio\/[\w.+-]+$/.test(audio.mimeType) ? audio.mimeType : 'audio/mpeg';
        const blob = new Blob([bytesOfBase64(audio.base64)], { type });
        src = objectUrl.current = URL.createObjectURL(blob);
      } else {
        const link = webLink(audio.url);
        if (!link) throw new Error(`${label} sent a link that is not a web address.`);
        src = link;
      }
      setState({ step: 'ready', src, audio });
    } catch (error) {
      setState({ step: 'error', message: errorMessage(error) });
    }
  };

  useEffect(() => {
    if (state.step === 'ready') void audioRef.current?.play().catch(() => undefined);
  }, [state]);

  return (
    <div className="voicemail-recording">
      {state.step === 'ready' ? (
        <>
          <audio
            ref={audioRef}
            controls
            preload="auto"
            src={state.src}
            aria-label={`Voicemail recording from ${label}`}
          />
          {state.audio.kind === 'link' && (
            <>
              <span className="voicemail-note">
                {label}’s link expires{expiresIn(state.audio.expiresInSeconds)}.
              </span>
              <button type="button" className="link-button" onClick={() => void load()}>
                Get a new link
              </button>
            </>
          )}
        </>
      ) : (
        <button type="button" disabled={state.step === 'loading'} onClick={() => void load()}>
          {state.step === 'loading' ? 'Getting the recording…' : 'Play recording'}
        </button>
      )}
      {state.step === 'error' && (
        <p className="notice notice-error" role="alert">
          {state.message}
        </p>
      )}
    </div>
  );
}
