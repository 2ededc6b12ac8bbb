import type { ReactNode } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
import { TitleText } from '../common/LessonLink';
import { tokenText } from '../common/toyData';
import { CROSS_VARIANTS, DECODER_IDS, type CrossComparison, type CrossVariant } from './runs';

/** A scheme's name and, in TeX, how it forms the values. */
const schemeName = (scheme: string, tex: string) => (
  <>
    {scheme}, <Tex>{tex}</Tex>
  </>
);
const VARIANT_NAMES: Record<CrossVariant, ReactNode> = {
  baseline: 'baseline',
  option1V: schemeName('K-caches', 'V = K W_{KV}'),
  option1K: schemeName('K-caches', '(sK)\\,W_{KV}'),
  option2V: schemeName('E-cache', 'V = E W_V'),
  option2K: schemeName('E-cache', '(sE)\\,W_V'),
};
const SLIM_VARIANTS = ['option1V', 'option1K', 'option2V', 'option2K'] as const;

export interface OutputsAgreeProps {
  f64: CrossComparison;
  f32: CrossComparison;
}

/** Every slim scheme's decoder outputs against the baseline's, in float64 and float32. */
export function OutputsAgree({ f64, f32 }: OutputsAgreeProps) {
  const tokens = DECODER_IDS.map(tokenText);
  return (
    <>
      <h2>The outputs agree</h2>
      <p>
        Each scheme runs the three decoder tokens through both layers on the engine’s CPU backend.
        max |Δ| of all decoder outputs against the baseline’s, in float64 and in float32:
      </p>
      {f64.refusal && (
        <div className="notice-error" role="alert">
          <p>
            The K-caches cannot be used: <TitleText text={f64.refusal} /> The E-cache still runs,
            since it never inverts <Tex>{'W_K'}</Tex>.
          </p>
        </div>
      )}
      <table className="diff-table" aria-label="cross-attention schemes versus baseline">
        <ColumnHeads columns={['max |Δ| of the decoder outputs', 'float64', 'float32']} />
        <tbody>
          {SLIM_VARIANTS.map((v) => (
            <tr key={v}>
              <th scope="row">{VARIANT_NAMES[v]} vs baseline</th>
              <td data-testid={`cross-${v}-f64`}>{diffText(f64.maxDiff[v])}</td>
              <td data-testid={`cross-${v}-f32`}>{diffText(f32.maxDiff[v])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <MatrixView
        label="decoder outputs"
        caption={
          <>The last decoder token, “{tokens[tokens.length - 1]}”, after both layers (float64)</>
        }
        value={CROSS_VARIANTS.filter((v) => f64.runs[v]).map((v) => lastRow(f64, v))}
        rowLabels={CROSS_VARIANTS.filter((v) => f64.runs[v]).map(variantLabel)}
      />
    </>
  );
}

function diffText(x: number | null): string {
  return x === null ? '—' : formatNumber(x, 3);
}

function variantLabel(v: CrossVariant): string {
  return {
    baseline: 'baseline',
    option1V: 'K-caches, V first',
    option1K: 'K-caches, s·K first',
    option2V: 'E-cache, V first',
    option2K: 'E-cache, s·E first',
  }[v];
}

function lastRow(c: CrossComparison, v: CrossVariant): number[] {
  const outputs = c.runs[v]?.outputs ?? [];
  return outputs[outputs.length - 1] ?? [];
}
