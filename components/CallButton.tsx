import { useEffect, useState } from 'react';
import { storage } from '#imports';
import type { Lead, MissedCall } from '@/utils/model';
import { DIALER_PROVIDERS, dialerLinks, type DialerLink } from '@/utils/queue/dialer';

/**
 * Provider ids the firm has connected (Options → Phone providers), read from the stored
 * connection switches only: no credentials are in that item.
 */
function useConnectedProviders(): string[] {
  const [ids, setIds] = useState<string[]>([]);
  useEffect(() => {
    const pick = (value: unknown) => {
      const entries = Object.entries((value ?? {}) as Record<string, { enabled?: unknown }>);
      setIds(
        entries
          .filter(([id, c]) => c?.enabled === true && DIALER_PROVIDERS.includes(id))
          .map(([id]) => id),
      );
    };
    let active = true;
    void storage.getItem('local:sourceConnections').then((v) => {
      if (active) pick(v);
    });
    const unwatch = storage.watch('local:sourceConnections', pick);
    return () => {
      active = false;
      unwatch();
    };
  }, []);
  return ids;
}

const CALL_STARTED = 'callback-desk:call-started';

/** Tell the lead's attempt form that staff started a call from one of its links. */
function announceCallStarted(leadId: string) {
  window.dispatchEvent(new CustomEvent(CALL_STARTED, { detail: { leadId, at: Date.now() } }));
}

/**
 * When staff last started a call to this lead from a call link (null: not since the form
 * was last saved), and a way to clear it.
 */
export function useCallStarted(leadId: string): [number | null, () => void] {
  const [startedAt, setStartedAt] = useState<number | null>(null);
  useEffect(() => {
    const onStart = (event: Event) => {
      const detail = (event as CustomEvent<{ leadId: string; at: number }>).detail;
      if (detail?.leadId === leadId) setStartedAt(detail.at);
    };
    window.addEventListener(CALL_STARTED, onStart);
    return () => window.removeEventListener(CALL_STARTED, onStart);
  }, [leadId]);
  return [startedAt, () => setStartedAt(null)];
}

/**
 * Click to call: the tel: link, and the dialer links of the providers that captured this
 * caller's calls (first) or that the firm has connected. Clicking one starts the attempt
 * (the form opens on "Call" with a running timer); the link itself goes to the dialer.
 */
export function CallButtons({
  lead,
  calls,
  startsAttempt,
  display,
}: {
  lead: Pick<Lead, 'id' | 'phone' | 'extension'>;
  calls: readonly Pick<MissedCall, 'provider'>[] | undefined;
  /** Whether a click starts an attempt (not on a closed lead). */
  startsAttempt: boolean;
  /** Who is called, as the lead shows it (name or number as the firm writes it). */
  display: string;
}) {
  const onCallStarted = (link: DialerLink) => {
    if (startsAttempt && link.href) announceCallStarted(lead.id);
  };
  const connected = useConnectedProviders();
  const providers = [...(calls ?? []).map((c) => c.provider), ...connected];
  const links = dialerLinks(lead, providers);
  if (links.length === 0) return <span className="muted">No number to call back</span>;
  const [tel, ...others] = links;
  return (
    <div className="call-buttons" role="group" aria-label="Call back">
      {tel && (
        <a className="button primary" href={tel.href} onClick={() => onCallStarted(tel)}>
          Call <bdi>{display}</bdi>
        </a>
      )}
      {others.map((link) => (
        <a
          key={link.id}
          className="button"
          href={link.href}
          title={`Call in ${link.label}`}
          onClick={() => onCallStarted(link)}
          {...(link.web ? { target: '_blank', rel: 'noopener noreferrer' } : {})}
        >
          {link.label}
        </a>
      ))}
      {lead.extension && others.length > 0 && (
        <span className="hint">App links dial the main number: ask for ext. {lead.extension}.</span>
      )}
    </div>
  );
}
