import { useId, useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { browser } from '#imports';
import { sendMessage } from '@/utils/messaging';
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
import { StatusLine, useAction, type Status } from './StatusLine';
import '../crm.css';

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
          storage and are sent only to the CRM. Once connected, the CRM’s call log can also feed the
          queue (see Phone providers and call logs).
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

/** A labelled text input (with an optional hint) of a connect form. */
function TextField({
  label,
  hint,
  onValue,
  ...input
}: { label: string; hint?: ReactNode; onValue: (value: string) => void } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'onChange'
>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} autoComplete="off" {...input} onChange={(e) => onValue(e.target.value)} />
      {hint && <span className="options-hint">{hint}</span>}
    </div>
  );
}

interface OAuthApp {
  clientId: string;
  clientSecret: string;
}
const NO_APP: OAuthApp = { clientId: '', clientSecret: '' };

/**
 * The firm's own OAuth app, named as the CRM names its parts, and the redirect URL to enter
 * in it (the browser comes back there after signing in).
 */
function OAuthAppFields({
  system,
  labels,
  app,
  onApp,
}: {
  system: CrmSystem;
  labels: { clientId: string; clientSecret: string; redirect: string };
  app: OAuthApp;
  onApp: (app: OAuthApp) => void;
}) {
  return (
    <>
      <TextField
        label={labels.clientId}
        value={app.clientId}
        onValue={(clientId) => onApp({ ...app, clientId })}
      />
      <TextField
        label={labels.clientSecret}
        type="password"
        value={app.clientSecret}
        onValue={(clientSecret) => onApp({ ...app, clientSecret })}
      />
      <p className="options-hint span-2">
        {labels.redirect} to enter in your {CRM_LABELS[system]} app:{' '}
        <span className="crm-redirect">{browser.identity?.getRedirectURL?.(system)}</span>
      </p>
    </>
  );
}

function Connected({
  info,
  onDisconnected,
}: {
  info: CrmConnectionInfo;
  onDisconnected: () => void;
}) {
  const { status, busy, run } = useAction();
  const how = info.auth === 'oauth' ? 'signed in with your app' : 'private-app token';
  const disconnect = () =>
    run(
      null,
      async () => {
        await sendMessage('crmDisconnect', { system: info.system });
        onDisconnected();
        return null;
      },
      'Not disconnected: ',
    );
  return (
    <div className="crm-connection-status">
      <span>
        Connected to <strong>{info.account.name}</strong>
        {info.account.email ? ` (${info.account.email})` : ''} · {how}
        {info.region ? ` · ${CLIO_HOSTS[info.region]}` : ''} · since{' '}
        {new Date(info.connectedAt).toLocaleDateString()}
      </span>
      <button type="button" disabled={busy} onClick={() => void disconnect()}>
        Disconnect {CRM_LABELS[info.system]}
      </button>
      <StatusLine status={status} />
    </div>
  );
}

/**
 * One CRM's card: connected account (with Disconnect), the problem that needs a reconnect,
 * the connect form while not connected, and the staff mapping once connected.
 */
function CrmPanel({
  system,
  legend,
  info,
  submitLabel,
  pending,
  connect,
  forgotten,
  children,
}: {
  system: CrmSystem;
  legend: string;
  info: CrmConnectionInfo | undefined;
  submitLabel: string;
  pending: string;
  /** Runs inside the submit event (host permission prompts need the user's gesture). */
  connect: () => Promise<Status>;
  /** What disconnecting deleted. */
  forgotten: string;
  /** The connect form's fields. */
  children: ReactNode;
}) {
  const { status, setStatus, busy, run } = useAction();
  const label = CRM_LABELS[system];
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void run({ kind: 'info', text: pending }, connect, 'Not connected: ');
  };
  return (
    <fieldset className="options-group crm-connection" aria-label={label}>
      <legend>{legend}</legend>
      {info && (
        <Connected
          info={info}
          onDisconnected={() => setStatus({ kind: 'ok', text: `Disconnected. ${forgotten}` })}
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
          onSubmit={onSubmit}
          noValidate
          aria-label={`Connect ${label}`}
        >
          {children}
          <div className="options-actions">
            <button type="submit" className="primary" disabled={busy}>
              {submitLabel}
            </button>
            <StatusLine status={status} />
          </div>
        </form>
      )}
      {info && !info.problem && status && <StatusLine status={status} />}
      {info && <StaffMapping system={system} />}
    </fieldset>
  );
}

function HubSpotConnection({ info }: { info: CrmConnectionInfo | undefined }) {
  const [method, setMethod] = useState<'token' | 'oauth'>('token');
  const [token, setToken] = useState('');
  const [portalId, setPortalId] = useState('');
  const [app, setApp] = useState(NO_APP);
  const methodName = useId();

  const connect = async (): Promise<Status> => {
    // Asked inside the click: browsers only grant host access on a user gesture.
    if (!(await requestHostAccess(['https://api.hubapi.com/*']))) {
      return {
        kind: 'error',
        text: 'Callback Desk needs access to api.hubapi.com to talk to HubSpot.',
      };
    }
    const connected =
      method === 'token'
        ? await sendMessage('crmConnectHubSpotToken', {
            token: token.trim(),
            ...(portalId.trim() ? { portalId: portalId.trim() } : {}),
          })
        : await sendMessage('crmConnectOAuth', {
            system: 'hubspot',
            clientId: app.clientId.trim(),
            clientSecret: app.clientSecret.trim(),
          });
    setToken('');
    setApp((current) => ({ ...current, clientSecret: '' }));
    return { kind: 'ok', text: `Connected to ${connected.account.name}.` };
  };

  const choice = (value: typeof method, text: string) => (
    <label className={method === value ? 'on' : ''}>
      <input
        type="radio"
        name={methodName}
        checked={method === value}
        onChange={() => setMethod(value)}
      />
      {text}
    </label>
  );

  return (
    <CrmPanel
      system="hubspot"
      legend="HubSpot"
      info={info}
      submitLabel={method === 'token' ? 'Connect HubSpot' : 'Sign in with HubSpot'}
      pending="Connecting…"
      connect={connect}
      forgotten="The token was deleted."
    >
      <div className="segmented" role="radiogroup" aria-label="How to connect HubSpot">
        {choice('token', 'Private-app token')}
        {choice('oauth', 'Your own HubSpot app (OAuth)')}
      </div>
      {method === 'token' ? (
        <div className="options-grid">
          <TextField
            label="Private-app access token"
            type="password"
            value={token}
            onValue={setToken}
            placeholder="pat-…"
            hint="HubSpot → Settings → Integrations → Private apps. Scopes: crm.objects.contacts.read and .write, crm.objects.owners.read."
          />
          <TextField
            label="Account ID (for links to records)"
            inputMode="numeric"
            value={portalId}
            onValue={setPortalId}
            placeholder="optional, e.g. 4242424"
            hint="The number after /contacts/ in your HubSpot address bar."
          />
        </div>
      ) : (
        <div className="options-grid">
          <OAuthAppFields
            system="hubspot"
            labels={{
              clientId: 'Client ID',
              clientSecret: 'Client secret',
              redirect: 'Redirect URL',
            }}
            app={app}
            onApp={setApp}
          />
        </div>
      )}
    </CrmPanel>
  );
}

function ClioConnection({ info }: { info: CrmConnectionInfo | undefined }) {
  const [region, setRegion] = useState<ClioRegion>('us');
  const [app, setApp] = useState(NO_APP);
  const [growToken, setGrowToken] = useState('');
  const regionId = useId();

  const connect = async (): Promise<Status> => {
    const hosts = [
      `https://${CLIO_HOSTS[region]}/*`,
      ...(growToken.trim() ? [`https://${CLIO_GROW_HOSTS[region]}/*`] : []),
    ];
    if (!(await requestHostAccess(hosts))) {
      return {
        kind: 'error',
        text: `Callback Desk needs access to ${CLIO_HOSTS[region]} to talk to Clio.`,
      };
    }
    const connected = await sendMessage('crmConnectOAuth', {
      system: 'clio',
      region,
      clientId: app.clientId.trim(),
      clientSecret: app.clientSecret.trim(),
      ...(growToken.trim() ? { growInboxToken: growToken.trim() } : {}),
    });
    setApp((current) => ({ ...current, clientSecret: '' }));
    return { kind: 'ok', text: `Connected as ${connected.account.name}.` };
  };

  return (
    <CrmPanel
      system="clio"
      legend="Clio Manage"
      info={info}
      submitLabel="Sign in with Clio"
      pending="Waiting for Clio sign-in…"
      connect={connect}
      forgotten="The tokens were deleted."
    >
      <div className="options-grid">
        <div className="field">
          <label htmlFor={regionId}>Region</label>
          <select
            id={regionId}
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
        <TextField
          label="Clio Grow inbox token"
          value={growToken}
          onValue={setGrowToken}
          placeholder="optional"
          hint="New contacts also arrive in Grow’s Lead Inbox, with their source."
        />
        <OAuthAppFields
          system="clio"
          labels={{
            clientId: 'App key (client ID)',
            clientSecret: 'App secret',
            redirect: 'Redirect URI',
          }}
          app={app}
          onApp={setApp}
        />
      </div>
    </CrmPanel>
  );
}

/** Staff → CRM owner/user, so calls and tasks are assigned to the right person. */
function StaffMapping({ system }: { system: CrmSystem }) {
  const settings = useFirmSettings();
  const users = useStorageItem(crmUsersItem);
  const mapping = useStorageItem(crmStaffMapItem);
  const { status, setStatus, busy, run } = useAction();
  const label = CRM_LABELS[system];
  const list = users?.[system] ?? [];
  const kind = system === 'hubspot' ? 'owner' : 'user';
  if (!settings || !mapping) return null;

  const refresh = () =>
    run(status, async () => {
      const fresh = await sendMessage('crmRefreshUsers', { system });
      return { kind: 'ok', text: `${fresh.length} ${label} ${kind}s.` };
    });
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
