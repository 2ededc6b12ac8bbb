import { CacheStrip } from '../../components/CacheStrip';
import { formatBytes } from '../../components/format';
import type { StepRun } from './steps';

export interface CacheCompareProps extends StepRun {
  /** Bytes one more decode step appends to each cache. */
  stdGrowth: number;
  slimGrowth: number;
  /** Whether the "decode-growth" checkpoint is answered (the caption states the growth). */
  growthRevealed: boolean;
}

/** The standard KV-cache beside the slim K-cache after this step, in the engine's bytes. */
export function CacheCompare({
  detail,
  tokens,
  f32,
  stdGrowth,
  slimGrowth,
  growthRevealed,
}: CacheCompareProps) {
  const n = tokens.length;
  const stdBytes = f32.cache.standard.bytes;
  const slimBytes = f32.cache.option2.bytes;
  const cacheHalves = (m: number[][]) => m.map((values, i) => ({ token: tokens[i], values }));
  const kvCaches = f32.cache.standard.caches;
  const halfBytes = (name: string) => kvCaches.find((c) => c.name === name)?.bytes ?? 0;

  return (
    <>
      <h2>The caches after this step</h2>
      <div className="cache-compare">
        <section aria-label="Standard attention caches">
          <h3>Standard: KV-cache</h3>
          <div className="cache-pair">
            <CacheStrip
              name="standard KV-cache, K half"
              rows={cacheHalves(detail.K)}
              bytes={halfBytes('K')}
              highlightRow={n - 1}
            />
            <CacheStrip
              name="standard KV-cache, V half"
              rows={cacheHalves(detail.V)}
              bytes={halfBytes('V')}
              highlightRow={n - 1}
              tone="v"
            />
          </div>
          <p className="cache-total">
            Total <strong data-testid="kv-total-bytes">{formatBytes(stdBytes)}</strong>
          </p>
        </section>
        <section aria-label="Slim attention caches">
          <h3>Slim: K-cache only</h3>
          <div className="cache-pair">
            <CacheStrip
              name="slim K-cache"
              rows={cacheHalves(detail.K)}
              bytes={slimBytes}
              highlightRow={n - 1}
            />
          </div>
          <p className="cache-total">
            Total <strong data-testid="slim-total-bytes">{formatBytes(slimBytes)}</strong>
          </p>
        </section>
      </div>
      <p className="small" data-testid="cache-caption">
        Bytes from the engine’s caches (float32).{' '}
        {growthRevealed
          ? `Every step appends ${formatBytes(stdGrowth)} to the KV-cache and ${formatBytes(slimGrowth)} to the K-cache.`
          : 'How much each step appends is the “Predict first” question above: answer it, then watch the totals as you generate.'}
      </p>
    </>
  );
}
