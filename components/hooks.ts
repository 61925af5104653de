import { useCallback, useEffect, useState } from 'react';
import { firmSettingsItem, parseSettings, type FirmSettings } from '@/utils/settings';

/** Firm settings, kept current when the options page (or another helper) saves them. */
export function useFirmSettings(): FirmSettings | null {
  const [settings, setSettings] = useState<FirmSettings | null>(null);
  useEffect(() => {
    let active = true;
    // A watch event can overtake the first read; whichever lands last is the newest value.
    const unwatch = firmSettingsItem.watch((value) => {
      active = false;
      setSettings(parseSettings(value));
    });
    void firmSettingsItem.getValue().then((value) => {
      if (active) setSettings(parseSettings(value));
    });
    return () => {
      active = false;
      unwatch();
    };
  }, []);
  return settings;
}

/** The current time, advancing every `intervalMs`: countdowns tick without re-querying. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * `location.hash`, updated on `hashchange` (the dock sets it when the CRM page changes), and
 * a way to rewrite it without adding a history entry (which fires no `hashchange`).
 */
export function useLocationHash(): [string, (next: string) => void] {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const replaceHash = useCallback((next: string) => {
    history.replaceState(null, '', `${location.pathname}${location.search}${next}`);
    setHash(location.hash);
  }, []);
  return [hash, replaceHash];
}
