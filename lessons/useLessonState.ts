import { useCallback, useEffect, useRef, useState } from 'react';
import { useUrlState, type UrlCodec } from '../components/useUrlState';

/**
 * How long the URL waits after the last change before it is rewritten. Writing the URL is a
 * router navigation that re-renders the whole page (as a transition) and a history call the
 * browser rate-limits, so a drag or a run of arrow-key presses writes it once, at the end.
 */
export const URL_SYNC_DELAY_MS = 200;

/**
 * Lesson state that is shareable through the URL (issue 3) but updates at interaction speed:
 * a change is applied to local React state at once (one synchronous render, the same frame as
 * the input event) and copied into the URL shortly after. When the URL changes for another
 * reason (a link, back/forward), the URL wins. "Reset to the defaults" remounts the lesson, which
 * drops local state and any pending write.
 */
export function useLessonState<T>(
  key: string,
  codec: UrlCodec<T>,
  defaultValue: T,
): [T, (value: T) => void] {
  const [urlValue, setUrlValue] = useUrlState(key, codec, defaultValue);
  // An override made while the URL showed `base`. useUrlState keeps a value's identity for as
  // long as its URL text is unchanged, so identity tells whether the URL moved since.
  const [local, setLocal] = useState<{ value: T; base: T } | null>(null);
  const urlRef = useRef(urlValue);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    urlRef.current = urlValue;
  }, [urlValue]);
  useEffect(() => () => clearTimeout(timer.current), []);

  let value = urlValue;
  if (local) {
    if (local.base === urlValue)
      value = local.value; // write still pending
    // Write done: keep the local object so memoized results that depend on it stay valid.
    else if (codec.serialize(local.value) === codec.serialize(urlValue)) value = local.value;
  }

  const set = useCallback(
    (next: T) => {
      const base = urlRef.current;
      setLocal({ value: next, base });
      clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        // Skip the write if the URL changed meanwhile for another reason.
        if (urlRef.current === base) setUrlValue(next);
      }, URL_SYNC_DELAY_MS);
    },
    [setUrlValue],
  );
  return [value, set];
}
