import type { CallVoicemail, CapturePath, MissedCall } from '../../model';

/**
 * Voicemails the phone providers' APIs report with a call, and what the lead says about
 * them. Pure helpers shared by the pollers, capture (utils/queue/leads.ts) and the lead
 * detail (components/VoicemailPanel.tsx).
 *
 * Where each provider's voicemail comes from (the sources cite the vendors' docs):
 * - RingCentral: the call-log record links its message (`message: {id, type: "VoiceMail",
 *   uri}`); the message store holds the audio (`AudioRecording` attachment, `vmDuration`) and
 *   the transcript (`AudioTranscription` attachment, `vmTranscriptionStatus`). Both need the
 *   token: the background fetches them.
 * - Aircall: the call's `voicemail` is a pre-signed, short-lived URL (playable without our
 *   token, but it expires: the background asks for a fresh one at each play); the transcript
 *   is `GET /v1/calls/:id/transcription` (Aircall AI).
 * - Dialpad: the call's `recording_details[]` entry of type `voicemail` (a dialpad.com/r/…
 *   link that opens in Dialpad) and `transcription_text`.
 * - Twilio: its call log has no voicemail (a voicemail is a recording made by the firm's own
 *   TwiML, which is not read): not available from Twilio.
 */

/** The voicemail capture keeps: from API capture only (a portal page never supplies one). */
export function voicemailOf(call: {
  capturePath: CapturePath;
  voicemail?: CallVoicemail;
}): CallVoicemail | undefined {
  return call.capturePath === 'api' ? call.voicemail : undefined;
}

const TRANSCRIPT_RANK: Record<NonNullable<CallVoicemail['transcriptStatus']> | 'unset', number> = {
  unset: 0,
  pending: 1,
  none: 2,
  failed: 2,
  ready: 3,
};

function rank(v: CallVoicemail): number {
  return TRANSCRIPT_RANK[v.transcriptStatus ?? 'unset'];
}

/**
 * The stored voicemail with what a re-read adds: a transcript that arrived minutes later, a
 * recording or duration the first read lacked. A transcript never goes back to "pending",
 * and a pre-signed link that merely changed is not news (it is fetched fresh at each play).
 * Returns `stored` itself when nothing is new, so callers can tell by identity.
 */
export function mergeVoicemail(
  stored: CallVoicemail | undefined,
  incoming: CallVoicemail | undefined,
): CallVoicemail | undefined {
  if (!incoming) return stored;
  if (!stored) return incoming;
  const merged: CallVoicemail = { ...stored };
  let changed = false;
  const fill = <K extends 'messageId' | 'url' | 'playback' | 'durationSeconds'>(key: K) => {
    if (merged[key] === undefined && incoming[key] !== undefined) {
      merged[key] = incoming[key];
      changed = true;
    }
  };
  fill('messageId');
  fill('url');
  fill('playback');
  fill('durationSeconds');
  if (rank(incoming) > rank(stored)) {
    merged.transcriptStatus = incoming.transcriptStatus;
    if (incoming.transcript !== undefined) merged.transcript = incoming.transcript;
    changed = true;
  } else if (
    rank(incoming) === rank(stored) &&
    incoming.transcript !== undefined &&
    incoming.transcript !== stored.transcript
  ) {
    // The provider corrected its transcript (or one came with no status, Dialpad's).
    merged.transcript = incoming.transcript;
    changed = true;
  }
  return changed ? merged : stored;
}

/** A re-read carries voicemail data the stored call lacks (so it must be merged, not skipped). */
export function isVoicemailNews(
  stored: CallVoicemail | undefined,
  incoming: CallVoicemail | undefined,
): boolean {
  return mergeVoicemail(stored, incoming) !== stored;
}

/** Nothing more will come for it: the transcript is in, or the provider said there is none. */
export function voicemailSettled(v: CallVoicemail | undefined): boolean {
  return (
    v?.transcriptStatus === 'ready' ||
    v?.transcriptStatus === 'none' ||
    v?.transcriptStatus === 'failed'
  );
}

/** What the lead detail knows of each provider: its name, and where its portal plays voicemail. */
interface ProviderInfo {
  label: string;
  /** The provider's own page that lists voicemails (portal capture: listen there). */
  portalUrl?: string;
  /** Said when its API gives no voicemail at all. */
  apiHasNone?: string;
}

export const VOICEMAIL_PROVIDERS: Record<string, ProviderInfo> = {
  // RingCentral app: Phone → Voicemail (tab `phone-tab-voicemail`, /work docs api-facts).
  ringcentral: { label: 'RingCentral', portalUrl: 'https://app.ringcentral.com/phone/voicemail' },
  // Dialpad's history route for voicemails (`/app/history/voicemails`, public examples).
  dialpad: { label: 'Dialpad', portalUrl: 'https://dialpad.com/app/history/voicemails' },
  aircall: { label: 'Aircall', portalUrl: 'https://dashboard.aircall.io/conversations' },
  googlevoice: { label: 'Google Voice', portalUrl: 'https://voice.google.com/u/0/voicemail' },
  zoom: { label: 'Zoom Phone', portalUrl: 'https://zoom.us/pbx/page/telephone/callLog' },
  twilio: {
    label: 'Twilio',
    apiHasNone:
      'Voicemail is not available from Twilio: its call log has no voicemails (recordings made by your own call flow are not read).',
  },
  custom: { label: 'your phone portal' },
};

export function providerLabel(provider: string): string {
  return VOICEMAIL_PROVIDERS[provider]?.label ?? provider;
}

const PATH_WORDS: Record<CapturePath, string> = {
  portal: 'phone portal capture',
  api: 'the provider API',
  crm: 'the CRM call log',
  csv: 'a CSV import',
  manual: 'a call added by hand',
};

/**
 * What the lead says when a call has no voicemail data: where it would have come from, so
 * staff know whether to look elsewhere ("… from Twilio", "… from phone portal capture").
 */
export function noVoicemailText(call: Pick<MissedCall, 'provider' | 'capturePath'>): string {
  const info = VOICEMAIL_PROVIDERS[call.provider];
  if (call.capturePath === 'api' && info?.apiHasNone) return info.apiHasNone;
  if (call.capturePath === 'api')
    return `No voicemail recording available from ${providerLabel(call.provider)} for this call.`;
  const from =
    call.capturePath === 'portal'
      ? `${PATH_WORDS.portal} (${providerLabel(call.provider)})`
      : PATH_WORDS[call.capturePath];
  return `No voicemail recording available from ${from}.`;
}

/** A voicemail seen on a portal page: the recording stays in the provider's portal. */
export function portalVoicemailLink(
  call: Pick<MissedCall, 'provider' | 'capturePath' | 'reason'>,
): { label: string; url?: string } | undefined {
  if (call.capturePath !== 'portal' || call.reason !== 'voicemail') return undefined;
  const info = VOICEMAIL_PROVIDERS[call.provider];
  return { label: info?.label ?? 'your phone portal', url: info?.portalUrl };
}

/** Largest recording the background hands a page (a long voicemail is a few MB). */
export const MAX_VOICEMAIL_BYTES = 25 * 1024 * 1024;

/** Audio bytes as base64, to cross the extension's JSON messaging. */
export function base64OfBytes(bytes: ArrayBuffer): string {
  if (bytes.byteLength > MAX_VOICEMAIL_BYTES)
    throw new Error("This recording is too large to play here; open it in the provider's app.");
  const view = new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i += 0x8000)
    binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The page's side: base64 back to bytes for a Blob. */
export function bytesOfBase64(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
