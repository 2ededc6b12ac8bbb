import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

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

/**
 * State that lives in the URL's query string, so a shared link restores it exactly (DESIGN.md,
 * issue "every interactive state is in the URL"). A value equal to the default is removed from
 * the URL, keeping links short; updates replace the history entry instead of pushing one.
 */
export function useUrlState<T>(
  key: string,
  codec: UrlCodec<T>,
  defaultValue: T,
): [T, (value: T) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get(key);
  const value = useMemo(() => {
    if (raw === null) return defaultValue;
    return codec.parse(raw) ?? defaultValue;
    // defaultValue is expected to be stable (a module constant) or cheap to compare by identity.
  }, [raw, codec, defaultValue]);
  const defaultText = codec.serialize(defaultValue);
  const setValue = useCallback(
    (next: T) => {
      setParams(
        (prev) => {
          const out = new URLSearchParams(prev);
          const text = codec.serialize(next);
          if (text === defaultText) out.delete(key);
          else out.set(key, text);
          return out;
        },
        { replace: true },
      );
    },
    [codec, defaultText, key, setParams],
  );
  return [value, setValue];
}
