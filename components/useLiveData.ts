import { useEffect, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { browser } from '#imports';
import { db } from '@/utils/db';
import { LiveDataClient } from '@/utils/live/client';
import {
  LIVE_DATA_PORT,
  runQuery,
  type QueryArgs,
  type QueryName,
  type QueryResult,
} from '@/utils/live/queries';

/**
 * Whether this page is framed inside another site's page: the in-page dock on a CRM.
 *
 * Such a frame is third-party to the tab, and the browser decides its storage: with
 * third-party cookies blocked Chrome denies it IndexedDB outright ("UnknownError: The user
 * denied permission"), and where storage is partitioned it could get an empty database of
 * its own instead of the extension's. Rather than probing (which would mistake a partitioned,
 * empty database for a working one), a framed app always reads through the background.
 * The side panel and the sidebar tab are top-level extension pages and read Dexie directly.
 */
const framed = window.top !== window.self;

/**
 * The framed page's one connection; it connects on the first subscription. It counts as
 * shown while the tab is visible and the dock is open: a closed dock keeps its frame loaded
 * (hidden), and must not keep the service worker awake.
 */
function createBackgroundClient(): LiveDataClient {
  const client = new LiveDataClient(() => browser.runtime.connect({ name: LIVE_DATA_PORT }));
  let onScreen = true;
  const update = () => client.setVisible(onScreen && document.visibilityState === 'visible');
  document.addEventListener('visibilitychange', update);
  new IntersectionObserver(([entry]) => {
    onScreen = entry?.isIntersecting ?? true;
    update();
  }).observe(document.documentElement);
  update();
  return client;
}
const backgroundClient = framed ? createBackgroundClient() : undefined;

type LiveDataHook = <N extends QueryName>(
  name: N,
  args: QueryArgs<N>,
) => QueryResult<N> | undefined;

const useDirectLiveData: LiveDataHook = (name, args) => {
  const argsKey = JSON.stringify(args);
  // The key stands for `args`: callers pass a fresh object literal on every render.
  return useLiveQuery(() => runQuery(db, name, args), [name, argsKey]);
};

type Received<T> = { key: string } & ({ value: T } | { error: string } | object);

const useBackgroundLiveData: LiveDataHook = <N extends QueryName>(name: N, args: QueryArgs<N>) => {
  const key = JSON.stringify([name, args]);
  const [received, setReceived] = useState<Received<QueryResult<N>>>({ key });
  useEffect(() => {
    const [queryName, queryArgs] = JSON.parse(key) as [N, QueryArgs<N>];
    return backgroundClient!.subscribe(queryName, queryArgs, {
      onValue: (value) => setReceived({ key, value }),
      onError: (error) => setReceived({ key, error }),
    });
  }, [key]);
  // Other args than the last result's (a different lead): loading, not the old lead's data.
  if (received.key !== key) return undefined;
  // Like useLiveQuery, a failed query throws during render.
  if ('error' in received) throw new Error(received.error);
  return 'value' in received ? received.value : undefined;
};

/**
 * A named read from utils/live/queries.ts, kept current as the database changes: undefined
 * while loading, then each new result. Reads Dexie directly in top-level extension pages;
 * in the dock, subscribes through the background (utils/live/server.ts).
 */
export const useLiveData: LiveDataHook = framed ? useBackgroundLiveData : useDirectLiveData;
