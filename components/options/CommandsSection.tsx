import { useEffect, useState } from 'react';
import { browser } from '#imports';
import { errorMessage } from '@/utils/errorMessage';
import { SettingsSection } from './settingsForm';
import './team.css';

interface Command {
  name: string;
  description: string;
  shortcut: string;
}

/** What the browser's own commands are called here (their manifest description is empty). */
const BUILT_IN: Record<string, string> = {
  _execute_action: 'Open the callback queue',
  _execute_sidebar_action: 'Open the callback queue',
  _execute_browser_action: 'Open the callback queue',
};

const SHORTCUTS_PAGE = 'chrome://extensions/shortcuts';

/**
 * Keyboard commands as the browser has them now (`commands.getAll()`: the keys a user chose
 * at chrome://extensions/shortcuts win over the suggested ones).
 */
export function CommandsSection() {
  const [commands, setCommands] = useState<Command[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let active = true;
    browser.commands
      .getAll()
      .then((all) => {
        if (!active) return;
        setCommands(
          all.map((c) => ({
            name: c.name ?? '',
            description: c.description || BUILT_IN[c.name ?? ''] || c.name || '',
            shortcut: c.shortcut ?? '',
          })),
        );
      })
      .catch((e: unknown) => active && setError(errorMessage(e)));
    return () => {
      active = false;
    };
  }, []);

  const openShortcuts = () => {
    // Extension pages may open chrome:// pages through the tabs API (a plain link is blocked).
    void browser.tabs.create({ url: SHORTCUTS_PAGE }).catch(() => undefined);
  };

  return (
    <SettingsSection
      id="commands"
      title="Keyboard shortcuts"
      description="Work the queue without the mouse. The browser keeps the keys: change them on its shortcuts page."
    >
      {error && (
        <p className="options-status options-status-error" role="alert">
          Could not read the shortcuts: {error}
        </p>
      )}
      {commands === null && !error && <p className="options-muted">Reading the shortcuts…</p>}
      {commands && (
        <table className="commands-table">
          <thead>
            <tr>
              <th scope="col">Command</th>
              <th scope="col">Shortcut</th>
            </tr>
          </thead>
          <tbody>
            {commands.map((c) => (
              <tr key={c.name} data-command={c.name}>
                <td>{c.description}</td>
                <td>
                  {c.shortcut ? (
                    <kbd>{c.shortcut}</kbd>
                  ) : (
                    <span className="options-muted">Not set</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <a
          href={SHORTCUTS_PAGE}
          onClick={(e) => {
            e.preventDefault();
            openShortcuts();
          }}
        >
          Change shortcuts at {SHORTCUTS_PAGE}
        </a>
      </p>
    </SettingsSection>
  );
}
