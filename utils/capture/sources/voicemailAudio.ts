import type { Browser } from 'wxt/browser';
import { z } from 'zod';
import { db as defaultDb, type CallbackDeskDB } from '../../db';
import { describeError } from '../../http';
import { onMessage } from '../../messaging';
import type { VoicemailAudio } from '../../model';
import { connectedClient, effectiveBaseUrl, getConnections, readCredentials } from './connections';
import { sourceById } from './registry';
import { providerLabel } from './voicemail';

/**
 * Playing a voicemail from the lead detail. Tokens never reach a page: the page names the
 * call, and the background answers with what the page may use — the audio's bytes fetched
 * with the provider's token (RingCentral), a fresh pre-signed link (Aircall), or the
 * provider-app link stored with the call (Dialpad).
 */
export async function voicemailAudio(
  db: CallbackDeskDB,
  callId: string,
  deps: { fetch?: typeof fetch; now?: () => number } = {},
): Promise<VoicemailAudio> {
  const call = await db.calls.get(callId);
  if (!call) throw new Error('This call is no longer stored.');
  const voicemail = call.voicemail;
  const label = providerLabel(call.provider);
  if (!voicemail?.url || !call.providerCallId)
    throw new Error(`No voicemail recording available from ${label} for this call.`);
  if (voicemail.playback === 'provider-app') return { kind: 'link', url: voicemail.url };
  const source = sourceById(call.provider);
  if (!source?.voicemailAudio) throw new Error(`${label} recordings cannot be played here.`);
  const connection = (await getConnections())[source.id];
  const credentials = connection ? await readCredentials(db, source) : undefined;
  if (!connection || credentials === undefined)
    throw new Error(
      `Connect ${source.label} under Settings → Phone providers to play its voicemails.`,
    );
  const config = source.configSchema.parse(connection.config);
  const client = connectedClient(
    source,
    effectiveBaseUrl(source, connection, config),
    config,
    credentials,
    { db, fetch: deps.fetch, now: deps.now },
  );
  try {
    return await source.voicemailAudio(client, config, {
      providerCallId: call.providerCallId,
      voicemail,
    });
  } catch (error) {
    throw new Error(`Could not get the recording from ${source.label}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** Our own pages only: the answer can carry a recording. */
export function registerVoicemailHandlers(
  requireExtensionPage: (sender: Browser.runtime.MessageSender) => void,
): void {
  onMessage('voicemailAudio', async ({ data, sender }) => {
    requireExtensionPage(sender);
    const { callId } = z.object({ callId: z.string().min(1).max(200) }).parse(data);
    return voicemailAudio(defaultDb, callId);
  });
}
