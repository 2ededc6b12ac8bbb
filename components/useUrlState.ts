import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useLocation, useNavigate, useNavigationType, useSearchParams } from 'react-router-dom';

/**
 * The one URL-state mechanism of the app (lessons, explorer, later pages). Every interactive
 * state lives in the URL query string, so a shared link restores it exactly.
 *
 * - `useUrlState(key, codec, default)`: one query parameter as typed state. Outside a
 *   `UrlStateProvider`, or without `{ batch: true }`, a change writes the URL at once (one
 *   router navigation, replacing the history entry).
 * - `useUrlState(key, codec, default, { batch: true })` inside a `UrlStateProvider`: the change
 *   is React state first (one synchronous render, in the frame of the input event), and all
 *   pending changes of the provider reach the URL together, once, after `delayMs` (default
 *   URL_SYNC_DELAY_MS) without changes. Use it where an edit must show within one frame (a
 *   matrix cell, a slider): a router navigation re-renders the whole page and browsers
 *   rate-limit history calls.
 * - `useUrlSearch()`: the query as it is now, the URL plus changes not yet written to it (for
 *   links that carry state).
 *
 * A navigation that did not come from the provider's own writes (a link, back/forward, a
 * "reset" that replaces the query) drops the changes not yet written: the new address wins.
 */

/** How one piece of state is written into, and read back from, a URL query parameter. */
export interface UrlCodec<T> {
  /** Returns undefined for a value that cannot be read; the default is used instead. */
  parse(text: string): T | undefined;
  serialize(value: T): string;
}

export const numberCodec: UrlCodec<number> = {
  parse: (s) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined),
  serialize: (v) => String(v),
};

export const stringCodec: UrlCodec<string> = { parse: (s) => s, serialize: (v) => v };

export function enumCodec<T extends string>(values: readonly T[]): UrlCodec<T> {
  return {
    parse: (s) => ((values as readonly string[]).includes(s) ? (s as T) : undefined),
    serialize: (v) => v,
  };
}

/** A matrix as rows joined by ';' and entries by ','. Rejects ragged or non-numeric text. */
export const matrixCodec: UrlCodec<number[][]> = {
  parse(s) {
    const rows = s.split(';').map((r) => r.split(',').map((x) => Number(x)));
    if (rows.length === 0 || rows.some((r) => r.length !== rows[0].length)) return undefined;
    if (rows.some((r) => r.some((x) => !Number.isFinite(x)))) return undefined;
    return rows;
  },
  serialize: (m) => m.map((r) => r.join(',')).join(';'),
};

/** How long a batching UrlStateProvider waits after the last change before writing the URL. */
export const URL_SYNC_DELAY_MS = 200;

export interface UrlStateOptions {
  /** Apply at once, write the URL after a quiet period (needs a UrlStateProvider). */
  batch?: boolean;
}

interface UrlStateStore {
  /** Values set since the last address from elsewhere, as URL text (null: absent). */
  overrides: Readonly<Record<string, string | null>>;
  set(key: string, text: string | null, batch: boolean): void;
}

const UrlStateContext = createContext<UrlStateStore | null>(null);

/** The history state that marks the provider's own URL writes. */
interface OwnWrite {
  urlStateWrite: number;
}

function writeIdOf(state: unknown): number | undefined {
  return typeof state === 'object' && state !== null && 'urlStateWrite' in state
    ? (state as OwnWrite).urlStateWrite
    : undefined;
}

/** Holds the URL state of one page (see the top of this file). */
export function UrlStateProvider({
  children,
  delayMs = URL_SYNC_DELAY_MS,
}: {
  children: ReactNode;
  delayMs?: number;
}) {
  const location = useLocation();
  const navigationType = useNavigationType();
  const navigate = useNavigate();
  const [overrides, setOverrides] = useState<Record<string, string | null>>({});
  const [seenKey, setSeenKey] = useState(location.key);
  const pending = useRef<Record<string, string | null>>({});
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastWrite = useRef(0);
  // The latest search and navigate, for the deferred write (closures would hold stale ones).
  const latest = useRef({ search: location.search, navigate });
  useEffect(() => {
    latest.current = { search: location.search, navigate };
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  // One of this provider's own writes, the latest or an earlier one whose render arrives after a
  // newer write was issued (navigations render as transitions): never mistake it for a link.
  const writeId = writeIdOf(location.state);
  const own =
    navigationType === 'REPLACE' &&
    writeId !== undefined &&
    writeId > 0 &&
    writeId <= lastWrite.current;
  if (location.key !== seenKey) {
    // An address from elsewhere wins over the values set here (adjusting state while rendering,
    // so no child renders with the old values).
    setSeenKey(location.key);
    if (!own) setOverrides({});
  }
  useEffect(() => {
    if (own) return;
    pending.current = {};
    clearTimeout(timer.current);
  }, [location.key, own]);

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    const next = new URLSearchParams(latest.current.search);
    for (const [k, t] of Object.entries(pending.current)) {
      if (t === null) next.delete(k);
      else next.set(k, t);
    }
    pending.current = {};
    const search = next.toString() ? `?${next}` : '';
    latest.current.search = search;
    const state: OwnWrite = { urlStateWrite: ++lastWrite.current };
    latest.current.navigate({ search }, { replace: true, state });
  }, []);

  const set = useCallback(
    (key: string, text: string | null, batch: boolean) => {
      setOverrides((o) => (o[key] === text && key in o ? o : { ...o, [key]: text }));
      pending.current[key] = text;
      clearTimeout(timer.current);
      if (batch) timer.current = setTimeout(flush, delayMs);
      else flush();
    },
    [delayMs, flush],
  );

  const value = useMemo(() => ({ overrides, set }), [overrides, set]);
  return createElement(UrlStateContext.Provider, { value }, children);
}

/** The query parameters as they are now: the URL plus changes not yet written to it. */
export function useUrlSearch(): URLSearchParams {
  const store = useContext(UrlStateContext);
  const [params] = useSearchParams();
  const overrides = store?.overrides;
  return useMemo(() => {
    const merged = new URLSearchParams(params);
    for (const [k, t] of Object.entries(overrides ?? {})) {
      if (t === null) merged.delete(k);
      else merged.set(k, t);
    }
    return merged;
  }, [params, overrides]);
}

/**
 * One piece of state in the URL query parameter `key`. A value equal to the default is kept
 * out of the URL, keeping links short; writes replace the history entry instead of pushing one.
 * The value keeps its identity while its text is unchanged, so memoized results that depend on
 * it stay valid. `defaultValue` should be stable (a module constant) or cheap to compare by
 * identity.
 */
export function useUrlState<T>(
  key: string,
  codec: UrlCodec<T>,
  defaultValue: T,
  options: UrlStateOptions = {},
): [T, (value: T) => void] {
  const batch = options.batch ?? false;
  const store = useContext(UrlStateContext);
  if (batch && !store)
    throw new Error(`useUrlState('${key}', { batch }) needs a <UrlStateProvider>`);
  const [params, setParams] = useSearchParams();
  const overrides = store?.overrides;
  const text = overrides && key in overrides ? overrides[key] : params.get(key);
  const value = useMemo(
    () => (text === null ? defaultValue : (codec.parse(text) ?? defaultValue)),
    [text, codec, defaultValue],
  );
  const defaultText = codec.serialize(defaultValue);
  const set = store?.set;
  const setValue = useCallback(
    (next: T) => {
      const t = codec.serialize(next);
      const out = t === defaultText ? null : t;
      if (set) {
        set(key, out, batch);
        return;
      }
      setParams(
        (prev) => {
          const params = new URLSearchParams(prev);
          if (out === null) params.delete(key);
          else params.set(key, out);
          return params;
        },
        { replace: true },
      );
    },
    [batch, codec, defaultText, key, set, setParams],
  );
  return [value, setValue];
}
