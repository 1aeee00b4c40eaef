/**
 * useRemote — one way for a page to load what it shows: the data, the error text when there is no data to show,
 * and reload(). Loads when the page first shows (or on every show with `onShow`) and again when `deps` change; an
 * answer that arrives after a newer request started is dropped. When a reload fails but data is already on screen,
 * the data stays and the error is a toast.
 *
 *   const r = useRemote(() => hazardsApi.detail(id), [id], { onShow: true });
 *   if (!r.data) return <PageShell title="…"><Loading error={r.error} onRetry={r.reload} /></PageShell>;
 */
import { useDidShow } from '@tarojs/taro';
import { type Dispatch, type SetStateAction, useCallback, useEffect, useRef, useState } from 'react';
import { errorText, toastError } from '../services/request';

export interface Remote<T> {
  data: T | null;
  /** why the data could not be loaded (only while there is none to show) */
  error: string;
  loading: boolean;
  reload: () => Promise<void>;
  setData: Dispatch<SetStateAction<T | null>>;
}

export function useRemote<T>(fetch: () => Promise<T>, deps: readonly unknown[], opts: { onShow?: boolean } = {}): Remote<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const has = useRef(false);
  has.current = data !== null;
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    setError('');
    try {
      const d = await fetchRef.current();
      if (mine === seq.current) setData(d);
    } catch (e) {
      if (mine !== seq.current) return;
      if (has.current) toastError(e);
      else setError(errorText(e));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  // first load and when the inputs change; with onShow also every time the page shows again (after a child page)
  const shown = useRef(false);
  useEffect(() => {
    void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the fetch depends on
  }, deps);
  useDidShow(() => {
    if (opts.onShow && shown.current) void reload();
    shown.current = true;
  });
  return { data, error, loading, reload, setData };
}
