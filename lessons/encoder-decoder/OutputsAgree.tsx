import type { ReactNode } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
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
  option1V: schemeName('option 1', 'V = K W_{KV}'),
  option1K: schemeName('option 1', '(sK)\\,W_{KV}'),
  option2V: schemeName('option 2', 'V = E W_V'),
  option2K: schemeName('option 2', '(sE)\\,W_V'),
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
            Option 1 cannot run: {f64.refusal} Option 2 still runs, since it never inverts{' '}
            <Tex>{'W_K'}</Tex>.
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
    option1V: 'option 1, K W_KV',
    option1K: 'option 1, (sK) W_KV',
    option2V: 'option 2, E W_V',
    option2K: 'option 2, (sE) W_V',
  }[v];
}

function lastRow(c: CrossComparison, v: CrossVariant): number[] {
  const outputs = c.runs[v]?.outputs ?? [];
  return outputs[outputs.length - 1] ?? [];
}
