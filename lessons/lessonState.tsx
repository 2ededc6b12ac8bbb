import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import type { UrlCodec } from '../components/useUrlState';

/**
 * How long the URL waits after the last change before it is rewritten. Writing the URL is a
 * router navigation that re-renders the whole page (as a transition) and a history call that
 * browsers rate-limit, so a drag or a run of arrow-key presses writes it once, at the end.
 */
export const URL_SYNC_DELAY_MS = 200;

interface LessonStateSync {
  /** Values set in this visit, as URL text (null: the default, absent from the URL). */
  overrides: Readonly<Record<string, string | null>>;
  set(key: string, text: string | null): void;
}

const SyncContext = createContext<LessonStateSync | null>(null);

/**
 * Holds a lesson's interactive state (issue 3: every state is in the URL) so that a change
 * shows at interaction speed: it is applied to React state at once (one synchronous render, in
 * the frame of the input event) and all pending changes are written to the URL together, once
 * input pauses. The URL is read when the provider mounts; LessonPage remounts it for a new
 * address (links, back/forward, "Reset to the defaults"), which also drops pending writes.
 */
export function LessonStateProvider({ children }: { children: ReactNode }) {
  const location = useLocation();
  const navigate = useNavigate();
  const [overrides, setOverrides] = useState<Record<string, string | null>>({});
  const pending = useRef<Record<string, string | null>>({});
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // The latest location and navigate, for the deferred write (closures would hold stale ones).
  const latest = useRef({ search: location.search, navigate });
  useEffect(() => {
    latest.current = { search: location.search, navigate };
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const set = useCallback((key: string, text: string | null) => {
    setOverrides((o) => (o[key] === text && key in o ? o : { ...o, [key]: text }));
    pending.current[key] = text;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const next = new URLSearchParams(latest.current.search);
      for (const [k, t] of Object.entries(pending.current)) {
        if (t === null) next.delete(k);
        else next.set(k, t);
      }
      pending.current = {};
      const search = next.toString();
      latest.current.navigate({ search: search ? `?${search}` : '' }, { replace: true });
    }, URL_SYNC_DELAY_MS);
  }, []);

  const value = useMemo(() => ({ overrides, set }), [overrides, set]);
  return <SyncContext.Provider value={value}>{children}</SyncContext.Provider>;
}

function useSync(): LessonStateSync {
  const sync = useContext(SyncContext);
  if (!sync) throw new Error('lesson state used outside <LessonStateProvider> (see LessonPage)');
  return sync;
}

/** The lesson's query parameters as they are now: the URL plus changes not yet written to it. */
export function useLessonSearch(): URLSearchParams {
  const { overrides } = useSync();
  const [params] = useSearchParams();
  return useMemo(() => {
    const merged = new URLSearchParams(params);
    for (const [k, t] of Object.entries(overrides)) {
      if (t === null) merged.delete(k);
      else merged.set(k, t);
    }
    return merged;
  }, [params, overrides]);
}

/**
 * One piece of lesson state, shareable through the URL query parameter `key`. A value equal to
 * the default is kept out of the URL. The value keeps its identity while its text is unchanged,
 * so memoized results that depend on it stay valid.
 */
export function useLessonState<T>(
  key: string,
  codec: UrlCodec<T>,
  defaultValue: T,
): [T, (value: T) => void] {
  const { overrides, set } = useSync();
  const [params] = useSearchParams();
  const text = key in overrides ? overrides[key] : params.get(key);
  const value = useMemo(
    () => (text === null ? defaultValue : (codec.parse(text) ?? defaultValue)),
    [text, codec, defaultValue],
  );
  const defaultText = codec.serialize(defaultValue);
  const setValue = useCallback(
    (next: T) => {
      const t = codec.serialize(next);
      set(key, t === defaultText ? null : t);
    },
    [codec, defaultText, key, set],
  );
  return [value, setValue];
}
