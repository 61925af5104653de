import { useId, useState, type FormEvent } from 'react';
import { browser } from '#imports';
import { sendMessage } from '@/utils/messaging';
import { errorMessage } from '@/utils/errorMessage';
import { requestHostAccess } from '@/utils/permissions';
import {
  crmConnectionsItem,
  crmStaffMapItem,
  crmUsersItem,
  type CrmConnectionInfo,
} from '@/utils/crm/connections';
import { CLIO_GROW_HOSTS, CLIO_HOSTS, CLIO_REGION_LABELS } from '@/utils/crm/clio';
import { CRM_LABELS, type CrmSystem } from '@/utils/crm/model';
import { CLIO_REGIONS, type ClioRegion } from '@/utils/crm/tokens';
import { useFirmSettings } from '../hooks';
import { useStorageItem } from '../useStorageItem';
import '../crm.css';

type Status = { kind: 'ok' | 'error' | 'info'; text: string } | null;

function StatusLine({ status }: { status: Status }) {
  return (
    <span
      role="status"
      className={status ? `options-status options-status-${status.kind}` : 'options-status'}
    >
      {status?.text ?? ''}
    </span>
  );
}

/**
 * Connect HubSpot and Clio. Tokens go to the background (db.secrets) and never come back
 * to a page; this section only shows what is connected, maps staff to CRM users, and
 * disconnects (which deletes the tokens).
 */
export function CrmConnectionsSection() {
  const connections = useStorageItem(crmConnectionsItem);
  const headingId = useId();
  return (
    <section className="options-section" id="crm" aria-labelledby={headingId}>
      <header className="options-section-header">
        <h2 id={headingId}>CRM connections</h2>
        <p className="options-section-description">
          Log every callback outcome in HubSpot or Clio with one click: a call record, a note and a
          follow-up task on the caller’s contact. Credentials stay in this browser’s extension
          storage and are sent only to the CRM.
        </p>
      </header>
      <div className="options-section-body">
        {connections && (
          <>
            <HubSpotConnection info={connections.hubspot} />
            <ClioConnection info={connections.clio} />
          </>
        )}
      </div>
    </section>
  );
}

function Connected({
  info,
  onDisconnected,
}: {
  info: CrmConnectionInfo;
  onDisconnected?: () => void;
}) {
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const label = CRM_LABELS[info.system];
  const how = info.auth === 'oauth' ? 'signed in with your app' : 'private-app token';
  const disconnect = async () => {
    setBusy(true);
    try {
      await sendMessage('crmDisconnect', { system: info.system });
      onDisconnected?.();
    } catch (error) {
      setStatus({ kind: 'error', text: `Not disconnected: ${errorMessage(error)}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="crm-connection-status">
      <span>
        Connected to <strong>{info.account.name}</strong>
        {info.account.email ? ` (${info.account.email})` : ''} · {how}
        {info.region ? ` · ${CLIO_HOSTS[info.region]}` : ''} · since{' '}
        {new Date(info.connectedAt).toLocaleDateString()}
      </span>
      <button type="button" disabled={busy} onClick={() => void disconnect()}>
        Disconnect {label}
      </button>
      <StatusLine status={status} />
    </div>
  );
}

function HubSpotConnection({ info }: { info: CrmConnectionInfo | undefined }) {
  const [method, setMethod] = useState<'token' | 'oauth'>('token');
  const [token, setToken] = useState('');
  const [portalId, setPortalId] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const ids = {
    token: useId(),
    portal: useId(),
    clientId: useId(),
    secret: useId(),
    method: useId(),
  };

  const connect = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setStatus({ kind: 'info', text: 'Connecting…' });
    try {
      // Asked inside the click: browsers only grant host access on a user gesture.
      if (!(await requestHostAccess(['https://api.hubapi.com/*']))) {
        setStatus({
          kind: 'error',
          text: 'Callback Desk needs access to api.hubapi.com to talk to HubSpot.',
        });
        return;
      }
      const connected =
        method === 'token'
          ? await sendMessage('crmConnectHubSpotToken', {
              token: token.trim(),
              ...(portalId.trim() ? { portalId: portalId.trim() } : {}),
            })
          : await sendMessage('crmConnectOAuth', {
              system: 'hubspot',
              clientId: clientId.trim(),
              clientSecret: clientSecret.trim(),
            });
      setToken('');
      setClientSecret('');
      setStatus({ kind: 'ok', text: `Connected to ${connected.account.name}.` });
    } catch (error) {
      setStatus({ kind: 'error', text: `Not connected: ${errorMessage(error)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset className="options-group crm-connection" aria-label="HubSpot">
      <legend>HubSpot</legend>
      {info && (
        <Connected
          info={info}
          onDisconnected={() =>
            setStatus({ kind: 'ok', text: 'Disconnected. The token was deleted.' })
          }
        />
      )}
      {info?.problem && (
        <p className="notice notice-error" role="alert">
          {info.problem}
        </p>
      )}
      {(!info || info.problem) && (
        <form
          className="crm-connection"
          onSubmit={(e) => void connect(e)}
          noValidate
          aria-label="Connect HubSpot"
        >
          <div className="segmented" role="radiogroup" aria-label="How to connect HubSpot">
            <label className={method === 'token' ? 'on' : ''}>
              <input
                type="radio"
                name={ids.method}
                checked={method === 'token'}
                onChange={() => setMethod('token')}
              />
              Private-app token
            </label>
            <label className={method === 'oauth' ? 'on' : ''}>
              <input
                type="radio"
                name={ids.method}
                checked={method === 'oauth'}
                onChange={() => setMethod('oauth')}
              />
              Your own HubSpot app (OAuth)
            </label>
          </div>
          {method === 'token' ? (
            <div className="options-grid">
              <div className="field">
                <label htmlFor={ids.token}>Private-app access token</label>
                <input
                  id={ids.token}
                  type="password"
                  autoComplete="off"
                  value={token}
                  onChange={(e) => setToken(e.target.value)}
                  placeholder="pat-…"
                />
                <span className="options-hint">
                  HubSpot → Settings → Integrations → Private apps. Scopes:
                  crm.objects.contacts.read and .write, crm.objects.owners.read.
                </span>
              </div>
              <div className="field">
                <label htmlFor={ids.portal}>Account ID (for links to records)</label>
                <input
                  id={ids.portal}
                  inputMode="numeric"
                  value={portalId}
                  onChange={(e) => setPortalId(e.target.value)}
                  placeholder="optional, e.g. 4242424"
                />
                <span className="options-hint">
                  The number after /contacts/ in your HubSpot address bar.
                </span>
              </div>
            </div>
          ) : (
            <div className="options-grid">
              <div className="field">
                <label htmlFor={ids.clientId}>Client ID</label>
                <input
                  id={ids.clientId}
                  autoComplete="off"
                  value={clientId}
                  onChange={(e) => setClientId(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor={ids.secret}>Client secret</label>
                <input
                  id={ids.secret}
                  type="password"
                  autoComplete="off"
                  value={clientSecret}
                  onChange={(e) => setClientSecret(e.target.value)}
                />
              </div>
              <p className="options-hint span-2">
                Redirect URL to enter in your HubSpot app:{' '}
                <span className="crm-redirect">
                  {browser.identity?.getRedirectURL?.('hubspot')}
                </span>
              </p>
            </div>
          )}
          <div className="options-actions">
            <button type="submit" className="primary" disabled={busy}>
              {method === 'token' ? 'Connect HubSpot' : 'Sign in with HubSpot'}
            </button>
            <StatusLine status={status} />
          </div>
        </form>
      )}
      {info && !info.problem && status && <StatusLine status={status} />}
      {info && <StaffMapping system="hubspot" />}
    </fieldset>
  );
}

function ClioConnection({ info }: { info: CrmConnectionInfo | undefined }) {
  const [region, setRegion] = useState<ClioRegion>('us');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [growToken, setGrowToken] = useState('');
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const ids = { region: useId(), clientId: useId(), secret: useId(), grow: useId() };

  const connect = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setStatus({ kind: 'info', text: 'Waiting for Clio sign-in…' });
    try {
      const hosts = [
        `https://${CLIO_HOSTS[region]}/*`,
        ...(growToken.trim() ? [`https://${CLIO_GROW_HOSTS[region]}/*`] : []),
      ];
      if (!(await requestHostAccess(hosts))) {
        setStatus({
          kind: 'error',
          text: `Callback Desk needs access to ${CLIO_HOSTS[region]} to talk to Clio.`,
        });
        return;
      }
      const connected = await sendMessage('crmConnectOAuth', {
        system: 'clio',
        region,
        clientId: clientId.trim(),
        clientSecret: clientSecret.trim(),
        ...(growToken.trim() ? { growInboxToken: growToken.trim() } : {}),
      });
      setClientSecret('');
      setStatus({ kind: 'ok', text: `Connected as ${connected.account.name}.` });
    } catch (error) {
      setStatus({ kind: 'error', text: `Not connected: ${errorMessage(error)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset className="options-group crm-connection" aria-label="Clio">
      <legend>Clio Manage</legend>
      {info && (
        <Connected
          info={info}
          onDisconnected={() =>
            setStatus({ kind: 'ok', text: 'Disconnected. The tokens were deleted.' })
          }
        />
      )}
      {info?.problem && (
        <p className="notice notice-error" role="alert">
          {info.problem}
        </p>
      )}
      {(!info || info.problem) && (
        <form
          className="crm-connection"
          onSubmit={(e) => void connect(e)}
          noValidate
          aria-label="Connect Clio"
        >
          <div className="options-grid">
            <div className="field">
              <label htmlFor={ids.region}>Region</label>
              <select
                id={ids.region}
                value={region}
                onChange={(e) => setRegion(e.target.value as ClioRegion)}
              >
                {CLIO_REGIONS.map((r) => (
                  <option key={r} value={r}>
                    {CLIO_REGION_LABELS[r]}
                  </option>
                ))}
              </select>
              <span className="options-hint">
                Each region needs its own app in that region’s Clio developer portal.
              </span>
            </div>
            <div className="field">
              <label htmlFor={ids.grow}>Clio Grow inbox token</label>
              <input
                id={ids.grow}
                autoComplete="off"
                value={growToken}
                onChange={(e) => setGrowToken(e.target.value)}
                placeholder="optional"
              />
              <span className="options-hint">
                New contacts also arrive in Grow’s Lead Inbox, with their source.
              </span>
            </div>
            <div className="field">
              <label htmlFor={ids.clientId}>App key (client ID)</label>
              <input
                id={ids.clientId}
                autoComplete="off"
                value={clientId}
                onChange={(e) => setClientId(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={ids.secret}>App secret</label>
              <input
                id={ids.secret}
                type="password"
                autoComplete="off"
                value={clientSecret}
                onChange={(e) => setClientSecret(e.target.value)}
              />
            </div>
            <p className="options-hint span-2">
              Redirect URI to enter in your Clio app:{' '}
              <span className="crm-redirect">{browser.identity?.getRedirectURL?.('clio')}</span>
            </p>
          </div>
          <div className="options-actions">
            <button type="submit" className="primary" disabled={busy}>
              Sign in with Clio
            </button>
            <StatusLine status={status} />
          </div>
        </form>
      )}
      {info && !info.problem && status && <StatusLine status={status} />}
      {info && <StaffMapping system="clio" />}
    </fieldset>
  );
}

/** Staff → CRM owner/user, so calls and tasks are assigned to the right person. */
function StaffMapping({ system }: { system: CrmSystem }) {
  const settings = useFirmSettings();
  const users = useStorageItem(crmUsersItem);
  const mapping = useStorageItem(crmStaffMapItem);
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const label = CRM_LABELS[system];
  const list = users?.[system] ?? [];
  const kind = system === 'hubspot' ? 'owner' : 'user';
  if (!settings || !mapping) return null;

  const refresh = async () => {
    setBusy(true);
    try {
      const fresh = await sendMessage('crmRefreshUsers', { system });
      setStatus({ kind: 'ok', text: `${fresh.length} ${label} ${kind}s.` });
    } catch (error) {
      setStatus({ kind: 'error', text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };
  const assign = async (staffId: string, userId: string) => {
    const current = mapping[system] ?? {};
    const { [staffId]: _old, ...rest } = current;
    await crmStaffMapItem.setValue({
      ...mapping,
      [system]: userId ? { ...rest, [staffId]: userId } : rest,
    });
    setStatus({ kind: 'ok', text: 'Saved.' });
  };

  return (
    <div className="crm-connection">
      <h3 className="options-subheading">Who is who in {label}</h3>
      {settings.staff.length === 0 ? (
        <p className="options-muted">
          Add your team above; staff are matched to {label} {kind}s by email.
        </p>
      ) : (
        <table className="crm-staff-map" aria-label={`Staff to ${label} ${kind}s`}>
          <thead>
            <tr>
              <th scope="col">Staff member</th>
              <th scope="col">
                {label} {kind}
              </th>
            </tr>
          </thead>
          <tbody>
            {settings.staff.map((member) => (
              <tr key={member.id}>
                <td>{member.name}</td>
                <td>
                  <select
                    aria-label={`${label} ${kind} for ${member.name}`}
                    value={mapping[system]?.[member.id] ?? ''}
                    onChange={(e) => void assign(member.id, e.target.value)}
                  >
                    <option value="">Not mapped (the connected account)</option>
                    {list.map((u) => (
                      <option key={u.id} value={u.id}>
                        {u.name}
                        {u.email ? ` <${u.email}>` : ''}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="options-actions">
        <button type="button" disabled={busy} onClick={() => void refresh()}>
          Refresh {label} {kind}s
        </button>
        <StatusLine status={status} />
      </div>
    </div>
  );
}
