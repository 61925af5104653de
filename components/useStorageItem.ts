import { useEffect, useState } from 'react';
import type { WxtStorageItem } from 'wxt/utils/storage';

/** A WXT storage item's value, kept current when any context changes it. Null while loading. */
export function useStorageItem<T>(item: WxtStorageItem<T, Record<string, unknown>>): T | null {
  const [value, setValue] = useState<T | null>(null);
  useEffect(() => {
    let first = true;
    const unwatch = item.watch((next) => {
      first = false;
      setValue(next);
    });
    void item.getValue().then((current) => {
      if (first) setValue(current);
    });
    return unwatch;
  }, [item]);
  return value;
}
