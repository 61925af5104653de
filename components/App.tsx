import { useEffect, useMemo, useState } from 'react';
import { browser } from '#imports';
import type { Lead } from '@/utils/model';
import { focusLeadItem, type FirmSettings } from '@/utils/settings';
import { contextFromHash } from '@/utils/dock/pageContext';
import { firmClock, type FirmClock } from '@/utils/displayTime';
import {
  describeCounts,
  filterQueue,
  hashWithoutLead,
  isFreshFocus,
  leadIdFromHash,
  NO_FILTER,
  queueCounts,
  sortByDue,
  sourcesIn,
  countExistingClients,
  type QueueCounts,
  type QueueFilter,
} from '@/utils/queue/queueView';
import { stripBidiControls } from '@/utils/queue/bidi';
import { useFirmSettings, useLocationHash, useNow } from './hooks';
import { useLiveData } from './useLiveData';
import { QueueTable } from './QueueTable';
import { QueueFilters } from './QueueFilters';
import { LeadDetail } from './LeadDetail';
import { AddCallForm, type AddedCall } from './AddCallForm';
import { AdapterHealthPanel } from './AdapterHealthPanel';
import { NextCallbackButton } from './team/NextCallbackButton';
import { currentStaffOf } from '@/utils/team/identity';
import { MetricsStrip } from './MetricsStrip';

type Surface = 'sidebar' | 'sidepanel';

/** Rows read first, so the queue paints at once however long it is; the rest follows. */
const QUEUE_HEAD = 60;

/**
 * The open queue, read in two steps: the first QUEUE_HEAD leads (a few milliseconds), then,
 * after that has painted, all of them. With 10,000 open leads the full read and its
 * deserialisation take longer than a first paint should wait.
 */
function useQueue(): { leads: Lead[]; complete: boolean } | undefined {
  const [limit, setLimit] = useState<number | undefined>(QUEUE_HEAD);
  // While the full read is pending the hook still returns the head, marked incomplete.
  const result = useLiveData('openLeads', limit === undefined ? {} : { limit });
  // In the dock a new subscription starts empty: keep showing the head meanwhile.
  const [kept, setKept] = useState(result);
  if (result !== undefined && result !== kept) setKept(result);
  const headShown = limit !== undefined && result !== undefined && !result.complete;
  useEffect(() => {
    if (!headShown) return;
    const frame = requestAnimationFrame(() => setLimit(undefined));
    return () => cancelAnimationFrame(frame);
  }, [headShown]);
  return result ?? kept;
}

function openSettings() {
  void browser.runtime.openOptionsPage();
}

/**
 * The callback queue app, shown in the in-page dock (iframe) and in the browser side panel.
 * It reads the database through live queries (useLiveData: directly, or via the background
 * when framed in the in-page dock) and changes it only through background messages.
 */
export function App({ surface }: { surface: Surface }) {
  const settings = useFirmSettings();
  const queue = useQueue();
  const storedLeads = queue?.leads;
  const complete = queue?.complete ?? false;
  const now = useNow(1000);
  const [hash, replaceHash] = useLocationHash();

  const [openLeadId, setOpenLeadId] = useState<string | null>(() => leadIdFromHash(location.hash));
  const [adding, setAdding] = useState(false);
  const [filter, setFilter] = useState<QueueFilter>(NO_FILTER);
  const [contactOnly, setContactOnly] = useState(true);
  const [added, setAdded] = useState<AddedCall | null>(null);
  const [highlightId, setHighlightId] = useState<string | null>(null);

  // A new `lead=` in the hash (a link, the notification fallback tab) opens that lead.
  const hashLead = leadIdFromHash(hash);
  const [seenHashLead, setSeenHashLead] = useState(hashLead);
  if (hashLead !== seenHashLead) {
    setSeenHashLead(hashLead);
    if (hashLead) setOpenLeadId(hashLead);
  }

  // A notification click stores the lead to show; open it here when that is recent.
  useEffect(() => {
    let active = true;
    void focusLeadItem.getValue().then((focus) => {
      if (active && isFreshFocus(focus, Date.now())) setOpenLeadId(focus.leadId);
    });
    const unwatch = focusLeadItem.watch((focus) => {
      if (isFreshFocus(focus, Date.now())) {
        setAdding(false);
        setOpenLeadId(focus.leadId);
      }
    });
    return () => {
      active = false;
      unwatch();
    };
  }, []);

  const leads = useMemo(() => (storedLeads ? sortByDue(storedLeads) : undefined), [storedLeads]);
  // Counts only once the whole queue is read: the head alone would understate them.
  const counts = useMemo(
    () => (leads && complete ? queueCounts(leads, now) : null),
    [leads, complete, now],
  );
  const clock = useMemo(() => (settings ? firmClock(settings.timeZone) : null), [settings]);
  const contactId = useMemo(() => contextFromHash(hash)?.contactId, [hash]);
  // Moving to another CRM contact scopes the queue to that contact again.
  const [seenContactId, setSeenContactId] = useState(contactId);
  if (contactId !== seenContactId) {
    setSeenContactId(contactId);
    setContactOnly(true);
  }

  useEffect(() => {
    if (counts)
      document.title = counts.overdue ? `(${counts.overdue}) Callback Desk` : 'Callback Desk';
  }, [counts]);

  const openLead = (leadId: string) => {
    setAdding(false);
    setOpenLeadId(leadId);
  };
  const closeLead = () => {
    setHighlightId(openLeadId);
    setOpenLeadId(null);
    // Leaving the lead: drop it from the hash so a reload shows the queue.
    if (leadIdFromHash(hash)) replaceHash(hashWithoutLead(hash));
  };
  const startAdding = () => {
    setOpenLeadId(null);
    setAdded(null);
    setAdding(true);
  };

  const ready = settings && clock && leads;
  return (
    <div className="cd-app" data-surface={surface}>
      <Header firmName={settings?.firmName} counts={counts} adding={adding} onAdd={startAdding} />
      <MetricsStrip />
      {!ready ? (
        <p className="muted pad" aria-busy="true">
          Loading the queue…
        </p>
      ) : (
        <>
          {openLeadId && (
            <LeadDetail
              key={openLeadId}
              leadId={openLeadId}
              settings={settings}
              clock={clock}
              now={now}
              onBack={closeLead}
            />
          )}
          <QueueView
            hidden={Boolean(openLeadId)}
            leads={leads}
            now={now}
            settings={settings}
            clock={clock}
            filter={filter}
            onFilter={setFilter}
            contactId={contactId}
            contactOnly={contactOnly}
            onContactOnly={setContactOnly}
            adding={adding}
            onAdd={startAdding}
            onCancelAdd={() => setAdding(false)}
            onAdded={(result) => {
              setAdding(false);
              setAdded(result);
              setHighlightId(result.leadId);
            }}
            added={added}
            onDismissAdded={() => setAdded(null)}
            highlightId={highlightId}
            onOpen={openLead}
          />
        </>
      )}
    </div>
  );
}

function Header({
  firmName,
  counts,
  adding,
  onAdd,
}: {
  firmName?: string;
  counts: QueueCounts | null;
  adding: boolean;
  onAdd: () => void;
}) {
  return (
    <header className="app-header">
      <div className="brand">
        <h1>{firmName?.trim() || 'Callback Desk'}</h1>
        {counts && (
          <p className="counts" aria-label={describeCounts(counts)}>
            <span>{counts.open} open</span>
            <span aria-hidden="true"> · </span>
            <span className={counts.overdue ? 'count-overdue' : undefined}>
              {counts.overdue} overdue
            </span>
          </p>
        )}
      </div>
      <div className="header-actions">
        <button type="button" className="primary" onClick={onAdd} aria-pressed={adding}>
          <span aria-hidden="true">+</span> Add call
        </button>
        <a
          className="button icon-button"
          href={browser.runtime.getURL('/dashboard.html')}
          target="_blank"
          rel="noopener"
          aria-label="Dashboard"
          title="Dashboard"
        >
          <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
            <path
              fill="currentColor"
              d="M3 16h14v1.5H3zM4 9h2.5v6H4zm4.75-4h2.5v10h-2.5zM13.5 11H16v4h-2.5z"
            />
          </svg>
        </a>
        <button
          type="button"
          className="icon-button"
          onClick={openSettings}
          aria-label="Settings"
          title="Settings"
        >
          <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
            <path
              fill="currentColor"
              d="M11.3 1.5l.4 2.2c.6.2 1.1.5 1.6.9l2.1-.8 1.3 2.3-1.7 1.4c.1.6.1 1.2 0 1.8l1.7 1.4-1.3 2.3-2.1-.8c-.5.4-1 .7-1.6.9l-.4 2.2H8.7l-.4-2.2c-.6-.2-1.1-.5-1.6-.9l-2.1.8-1.3-2.3 1.7-1.4a5 5 0 010-1.8L3.3 6.1l1.3-2.3 2.1.8c.5-.4 1-.7 1.6-.9l.4-2.2h2.6zM10 7a3 3 0 100 6 3 3 0 000-6z"
            />
          </svg>
        </button>
      </div>
    </header>
  );
}

interface QueueViewProps {
  hidden: boolean;
  leads: readonly Lead[];
  now: number;
  settings: FirmSettings;
  clock: FirmClock;
  filter: QueueFilter;
  onFilter: (next: QueueFilter) => void;
  contactId?: string;
  contactOnly: boolean;
  onContactOnly: (value: boolean) => void;
  adding: boolean;
  onAdd: () => void;
  onCancelAdd: () => void;
  onAdded: (added: AddedCall) => void;
  added: AddedCall | null;
  onDismissAdded: () => void;
  highlightId: string | null;
  onOpen: (leadId: string) => void;
}

/** Kept mounted (hidden) while a lead is open, so filters and scroll position survive. */
function QueueView(props: QueueViewProps) {
  const { leads: openLeads, now, settings, clock, filter, contactId, contactOnly } = props;
  const scopedContact = contactId && contactOnly ? contactId : undefined;
  // Leads that ran through the cadence without contact: a count beside their filter, and
  // the list itself only while that filter is on.
  const noContactCount = useLiveData('noContactCount', {});
  const noContactLeads = useLiveData('noContactLeads', { enabled: filter.noContact });
  const leads = useMemo(
    () => (filter.noContact ? (noContactLeads ?? []) : openLeads),
    [filter.noContact, noContactLeads, openLeads],
  );
  // The overdue filter depends on the clock; the others only on the data.
  const filterNow = filter.overdueOnly ? now : 0;
  // "Mine" follows this browser's user (Options → Team).
  const me = currentStaffOf(settings);
  const rows = useMemo(
    () =>
      filterQueue(leads, filter, {
        now: filterNow,
        currentStaffId: me,
        contactId: scopedContact,
      }),
    [leads, filter, filterNow, me, scopedContact],
  );
  const existingClientCount = useMemo(() => countExistingClients(openLeads), [openLeads]);
  const sources = useMemo(() => sourcesIn(leads), [leads]);
  const contactCount = useMemo(
    () =>
      contactId
        ? leads.filter((lead) => lead.crmLinks?.some((l) => l.contactId === contactId)).length
        : 0,
    [leads, contactId],
  );

  return (
    <section className="queue-view" hidden={props.hidden} aria-label="Callback queue">
      {contactId && (
        <div className="context-strip" role="note">
          <span>
            On this CRM contact: <strong>{contactCount}</strong>{' '}
            {contactCount === 1 ? 'lead' : 'leads'}
          </span>
          <button
            type="button"
            className="link-button"
            onClick={() => props.onContactOnly(!contactOnly)}
          >
            {contactOnly ? 'Show whole queue' : 'Only this contact'}
          </button>
        </div>
      )}
      <NextCallbackButton settings={settings} onOpen={props.onOpen} />
      {props.adding && (
        <AddCallForm settings={settings} onAdded={props.onAdded} onCancel={props.onCancelAdd} />
      )}
      {props.added && (
        <div
          className={`notice ${props.added.warning ? 'notice-warning' : 'notice-ok'} added-notice`}
          role="status"
        >
          <div>
            {/* Sentences quoting what caller ID showed: no bidi control may reverse them. */}
            <p>{stripBidiControls(props.added.message)}</p>
            {props.added.warning && <p>{stripBidiControls(props.added.warning)}</p>}
          </div>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={props.onDismissAdded}
          >
            ×
          </button>
        </div>
      )}
      {leads.length === 0 && !noContactCount && !filter.noContact ? (
        props.adding ? null : (
          <EmptyQueue onAdd={props.onAdd} />
        )
      ) : (
        <>
          <QueueFilters
            filter={filter}
            onChange={props.onFilter}
            sources={sources}
            shown={rows.length}
            total={leads.length}
            hasCurrentStaff={Boolean(me)}
            noContactCount={noContactCount}
            existingClientCount={existingClientCount}
          />
          {rows.length === 0 ? (
            <div className="empty empty-filtered">
              <p>
                {scopedContact && filter === NO_FILTER
                  ? 'No open callbacks for this contact.'
                  : filter.noContact && noContactCount === 0
                    ? 'No leads under No contact: every caller was reached or is still in the cadence.'
                    : filter === NO_FILTER && !scopedContact
                      ? 'No callbacks waiting. Callers never reached are under “No contact”.'
                      : 'No leads match these filters.'}
              </p>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  props.onFilter(NO_FILTER);
                  props.onContactOnly(false);
                }}
              >
                Show the whole queue
              </button>
            </div>
          ) : (
            <QueueTable
              leads={rows}
              now={now}
              clock={clock}
              defaultCountry={settings.defaultCountry}
              staff={settings.staff}
              cadence={settings}
              onOpen={props.onOpen}
              highlightId={props.highlightId}
            />
          )}
        </>
      )}
      <details className="capture-health">
        <summary>Capture health</summary>
        <div className="capture-health-body">
          <AdapterHealthPanel />
        </div>
      </details>
    </section>
  );
}

function EmptyQueue({ onAdd }: { onAdd: () => void }) {
  return (
    <div className="empty">
      <h2>No callbacks waiting</h2>
      <p>Missed calls land here by themselves when:</p>
      <ul>
        <li>your phone provider’s web portal (RingCentral, Dialpad, Aircall…) is open in a tab,</li>
        <li>a phone provider or your CRM is connected in Settings, or</li>
        <li>you add one by hand.</li>
      </ul>
      <div className="empty-actions">
        <button type="button" className="primary" onClick={onAdd}>
          Add a missed call
        </button>
        <button type="button" className="secondary" onClick={openSettings}>
          Open Settings
        </button>
      </div>
    </div>
  );
}
