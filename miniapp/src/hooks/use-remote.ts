/**
 * useRemote — one way for a page to load what it shows: the data, the error text when there is no data to show,
 * and reload(). Loads when the page first shows (or on every show with `onShow`) and again when `deps` change; an
 * answer that arrives after a newer request started is dropped. When a reload fails but data is already on screen,
 * the data stays and the error is a toast. `pull` also reloads on the page's pull-down (enablePullDownRefresh).
 *
 *   const r = useRemote(() => hazardsApi.detail(id), [id], { onShow: true });
 *   if (!r.data) return <PageShell title="…"><Loading error={r.error} onRetry={r.reload} /></PageShell>;
 *
 * usePagedRemote — the same for a list read page by page ({ items, total } answers): page 1 on load / reload /
 * pull-down, the next page when the list reaches the bottom (appended; a failure there is a toast), `more` while the
 * server has more.
 *
 *   const r = usePagedRemote((page) => publicityApi.feed(page, 20), [], { onShow: true });
 *   r.data?.items …  {r.data && !r.more ? '没有更多了' : null}
 */
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
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

export interface RemoteOptions {
  /** load again every time the page shows again (back from a child page) */
  onShow?: boolean;
  /** reload on the page's pull-down and stop its spinner after */
  pull?: boolean;
}

/** The state and the one request runner both hooks share: newest request wins, failures as described above. */
function useLoader<T>() {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const busy = useRef(false);
  const current = useRef<T | null>(null);
  current.current = data;

  /** Runs `fetch`; `apply` takes its answer unless a newer run started meanwhile. */
  const run = useCallback(async <R>(fetch: () => Promise<R>, apply: (r: R) => void) => {
    const mine = ++seq.current;
    busy.current = true;
    setLoading(true);
    setError('');
    try {
      const r = await fetch();
      if (mine === seq.current) apply(r);
    } catch (e) {
      if (mine !== seq.current) return;
      if (current.current !== null) toastError(e);
      else setError(errorText(e));
    } finally {
      if (mine === seq.current) {
        busy.current = false;
        setLoading(false);
      }
    }
  }, []);
  return { data, setData, error, loading, run, busy, current };
}

/** First load and when the inputs change; with onShow also every time the page shows again; with pull on pull-down. */
function useTriggers(reload: () => Promise<void>, deps: readonly unknown[], opts: RemoteOptions) {
  const shown = useRef(false);
  useEffect(() => {
    void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the fetch depends on
  }, deps);
  useDidShow(() => {
    if (opts.onShow && shown.current) void reload();
    shown.current = true;
  });
  usePullDownRefresh(() => {
    if (opts.pull) void reload().finally(() => Taro.stopPullDownRefresh());
  });
}

export function useRemote<T>(fetch: () => Promise<T>, deps: readonly unknown[], opts: RemoteOptions = {}): Remote<T> {
  const { data, setData, error, loading, run } = useLoader<T>();
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;
  const reload = useCallback(() => run(() => fetchRef.current(), setData), [run, setData]);
  useTriggers(reload, deps, opts);
  return { data, error, loading, reload, setData };
}

export interface Paged<T> {
  items: T[];
  total: number;
}

export interface PagedRemote<P> extends Remote<P> {
  /** the server has more than the list holds */
  more: boolean;
  /** the next page, appended (what reaching the bottom does) */
  loadMore: () => Promise<void>;
}

/** A paged list: `fetchPage(n)` answers page n; pull-down reloads page 1 (the page config enables it). */
export function usePagedRemote<T, P extends Paged<T> = Paged<T>>(
  fetchPage: (page: number) => Promise<P>,
  deps: readonly unknown[],
  opts: Omit<RemoteOptions, 'pull'> = {},
): PagedRemote<P> {
  const { data, setData, error, loading, run, busy, current } = useLoader<P>();
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const page = useRef(1);
  const reload = useCallback(
    () =>
      run(
        () => fetchRef.current(1),
        (r) => {
          page.current = 1;
          setData(r);
        },
      ),
    [run, setData],
  );
  const loadMore = useCallback(async () => {
    const cur = current.current;
    // one page at a time, and not while page 1 is being read again
    if (!cur || cur.items.length >= cur.total || busy.current) return;
    const next = page.current + 1;
    await run(
      () => fetchRef.current(next),
      (r) => {
        page.current = next;
        setData((prev) => ({ ...r, items: [...(prev?.items ?? []), ...r.items] }));
      },
    );
  }, [run, setData, busy, current]);
  useTriggers(reload, deps, { ...opts, pull: true });
  useReachBottom(() => void loadMore());
  const more = !!data && data.items.length < data.total;
  return { data, error, loading, reload, setData, more, loadMore };
}
