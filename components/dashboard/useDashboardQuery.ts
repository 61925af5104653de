import { useCallback, useEffect, useState } from 'react';
import { formatQuery, parseQuery, type DashboardQuery } from './urlState';

/**
 * The dashboard's view, kept in the URL's query string: each change is a new history entry
 * (Back returns to the previous filters), and Back/Forward or an edited link set the view.
 */
export function useDashboardQuery(): [DashboardQuery, (next: DashboardQuery) => void] {
  const [query, setQueryState] = useState(() => parseQuery(location.search));
  useEffect(() => {
    // A bookmark with unknown or partial values is shown as the canonical URL of its view.
    const canonical = formatQuery(parseQuery(location.search));
    if (canonical !== location.search)
      history.replaceState(null, '', `${location.pathname}${canonical}${location.hash}`);
    const onPop = () => setQueryState(parseQuery(location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const setQuery = useCallback((next: DashboardQuery) => {
    const search = formatQuery(next);
    if (search !== location.search) history.pushState(null, '', `${location.pathname}${search}`);
    setQueryState(parseQuery(search));
  }, []);
  return [query, setQuery];
}
