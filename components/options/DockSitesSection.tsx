import { useEffect, useState } from 'react';
import { DockPrefs, dockPrefsItem } from '@/utils/settings';
import { errorMessage } from '@/utils/errorMessage';
import { SettingsSection } from './settingsForm';

/** Sites whose stored preference says "hidden"; a malformed entry is ignored, not trusted. */
function hiddenSites(prefs: Record<string, unknown>): string[] {
  return Object.entries(prefs)
    .filter(([, value]) => DockPrefs.safeParse(value).data?.hidden)
    .map(([site]) => site)
    .sort();
}

/** CRM sites where the user chose "Hide on this site" in the dock, with a way back. */
export function DockSitesSection() {
  const [hidden, setHidden] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    void dockPrefsItem.getValue().then((prefs) => {
      if (active) setHidden(hiddenSites(prefs));
    });
    const unwatch = dockPrefsItem.watch((prefs) => setHidden(hiddenSites(prefs ?? {})));
    return () => {
      active = false;
      unwatch();
    };
  }, []);

  const showAgain = async (site: string) => {
    setError(null);
    try {
      const all = await dockPrefsItem.getValue();
      const current = DockPrefs.safeParse(all[site]).data ?? { open: false, hidden: true };
      await dockPrefsItem.setValue({ ...all, [site]: { ...current, hidden: false } });
    } catch (e) {
      setError(`Could not show the dock on ${site}: ${errorMessage(e)}`);
    }
  };

  return (
    <SettingsSection
      id="dock-sites"
      title="Dock on CRM pages"
      description="On HubSpot, Clio and the phone portals a slim handle on the right edge opens the callback queue beside the page (the page makes room for it; it never covers the CRM). Sites where you chose “Hide on this site” are listed here."
    >
      {hidden === null ? null : hidden.length === 0 ? (
        <p className="options-muted">None: the dock shows on every CRM and phone-portal site.</p>
      ) : (
        <>
          <ul className="options-dock-sites">
            {hidden.map((site) => (
              <li key={site}>
                <span className="options-dock-site">{site}</span>
                <button type="button" onClick={() => void showAgain(site)}>
                  Show the dock on {site} again
                </button>
              </li>
            ))}
          </ul>
          <p className="options-hint">Reload the CRM page afterwards to see the dock.</p>
        </>
      )}
      {error ? (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      ) : null}
    </SettingsSection>
  );
}
