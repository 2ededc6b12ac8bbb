import './components.css';
import { formatNumber } from './format';

export interface Bar {
  label: string;
  value: number;
  /** Emphasised bar (e.g. the chosen next token). */
  highlight?: boolean;
}

export interface BarChartProps {
  /** Accessible name; the values are also listed for screen readers. */
  label: string;
  bars: readonly Bar[];
  /** Upper end of the scale; defaults to the largest |value| (1 for probabilities makes sense). */
  max?: number;
}

/**
 * Horizontal bars drawn with plain HTML (one row per bar), so the numbers stay selectable text
 * and the chart reflows on a phone. Negative values grow leftwards from a centre line.
 */
export function BarChart({ label, bars, max }: BarChartProps) {
  const hasNegative = bars.some((b) => b.value < 0);
  const top = max ?? Math.max(1e-12, ...bars.map((b) => Math.abs(b.value)));
  return (
    <figure className="bar-chart" aria-label={label} role="figure">
      <ul>
        {bars.map((b, i) => {
          const frac = Math.min(1, Math.abs(b.value) / top);
          const width = `${(hasNegative ? 50 : 100) * frac}%`;
          const left = hasNegative ? (b.value < 0 ? `${50 - 50 * frac}%` : '50%') : '0';
          return (
            <li key={i} className={b.highlight ? 'hl' : undefined}>
              <span className="bar-label">{b.label}</span>
              <span className="bar-track" aria-hidden="true">
                {hasNegative && <span className="bar-axis" />}
                <span className={`bar-fill${b.value < 0 ? ' neg' : ''}`} style={{ width, left }} />
              </span>
              <span className="bar-value">{formatNumber(b.value, 3)}</span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
