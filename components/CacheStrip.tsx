import './components.css';
import { formatNumber, formatBytes } from './format';

export interface CacheStripProps {
  /** e.g. "K-cache". */
  name: string;
  /** One entry per cached token, in order. */
  rows: readonly { token: string; values: readonly number[] }[];
  /** Bytes held, as reported by the engine's cache. */
  bytes: number;
  /** Shown instead of rows when the cache holds nothing by design. */
  emptyText?: string;
  /** Index of a row to emphasise (the one just appended). */
  highlightRow?: number;
  tone?: 'k' | 'v';
}

/** A cache drawn as a growing stack of rows, with its byte counter. */
export function CacheStrip({
  name,
  rows,
  bytes,
  emptyText,
  highlightRow,
  tone = 'k',
}: CacheStripProps) {
  return (
    <section className={`cache-strip tone-${tone}`} aria-label={name}>
      <header>
        <h4>{name}</h4>
        <span className="cache-bytes" data-testid={`${name} bytes`}>
          {formatBytes(bytes)}
        </span>
      </header>
      {rows.length === 0 ? (
        <p className="cache-empty">{emptyText ?? 'empty'}</p>
      ) : (
        <ol className="cache-rows">
          {rows.map((r, i) => (
            <li key={i} className={i === highlightRow ? 'hl' : undefined}>
              <span className="cache-token">{r.token}</span>
              {r.values.map((v, j) => (
                <span key={j} className="cache-cell">
                  {formatNumber(v, 3)}
                </span>
              ))}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
