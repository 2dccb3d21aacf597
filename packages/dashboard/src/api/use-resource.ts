import { useCallback, useEffect, useState } from 'react';

/** What a view shows while data loads, once it came and when it failed. */
export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` whenever `key` changes (and again on `reload` or every `refreshMs`), keeping the
 * last data on screen while a reload runs; an answer for an older key is dropped.
 */
export function useResource<T>(load: () => Promise<T>, key: string, refreshMs?: number): Resource<T> {
  const [state, setState] = useState<{ key: string; data: T | undefined; error: Error | undefined; loading: boolean }>({ key, data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ key, data: previous.key === key ? previous.data : undefined, error: undefined, loading: true }));
    load().then(
      (data) => current && setState({ key, data, error: undefined, loading: false }),
      (error: unknown) => current && setState((previous) => ({ ...previous, error: error instanceof Error ? error : new Error(String(error)), loading: false })),
    );
    return () => {
      current = false;
    };
    // `load` is recreated each render; `key` names what it loads
  }, [key, generation]);
  useEffect(() => {
    if (refreshMs === undefined) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, reload]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
