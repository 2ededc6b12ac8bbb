import { PlotFigure } from '../components/charts/PlotFigure';
import { plotStyle, seriesColors, seriesLines, tickFormat } from '../components/charts/marks';
import { formatBytes, formatCount } from '../components/format';
import type { StepReport } from './decoding';

interface Point {
  tokens: number;
  bytes: number;
  label: string;
}

/** Cache bytes against cached tokens, standard vs slim, as measured after each step. */
export function CacheChart({ steps }: { steps: readonly StepReport[] }) {
  if (steps.length === 0) return null;
  const data: Point[] = steps.flatMap((s) => [
    { tokens: s.cachedTokens, bytes: s.standardCacheBytes, label: 'standard (KV-cache)' },
    ...(s.slimCacheBytes === null
      ? []
      : [{ tokens: s.cachedTokens, bytes: s.slimCacheBytes, label: 'slim (K-cache)' }]),
  ]);
  return (
    <PlotFigure
      className="playground-chart"
      ariaLabel="Cache bytes against tokens in the cache, standard and slim"
      options={{
        style: plotStyle,
        height: 220,
        marginLeft: 64,
        // From 0 tokens, so both lines read as "bytes per token" slopes; whole tokens only.
        x: {
          label: 'tokens in the cache →',
          domain: [0, steps[steps.length - 1].cachedTokens],
          tickFormat: (n: number) => (Number.isInteger(n) ? formatCount(n) : ''),
        },
        y: { label: '↑ cache bytes', grid: true, zero: true, tickFormat: tickFormat('bytes') },
        color: {
          legend: true,
          domain: ['standard (KV-cache)', 'slim (K-cache)'],
          range: [seriesColors.kv, seriesColors.slim],
        },
        marks: seriesLines(data, {
          x: 'tokens',
          y: 'bytes',
          tip: (d) =>
            `${d.label}: ${formatBytes(d.bytes)} with ${formatCount(d.tokens)} tokens cached.`,
        }),
      }}
    />
  );
}
