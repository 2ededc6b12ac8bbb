import { ColumnHeads } from '../../components/ColumnHeads';
import { BarChart } from '../../components/BarChart';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
import { VOCAB, tokenText } from '../common/toyData';
import type { PathOutputs } from '../common/toyRuns';
import type { StepRun } from './steps';
import { ThreePaths } from './ThreePaths';

function DiffTable({ label, r }: { label: string; r: PathOutputs }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td data-testid={`diff-${r.dtype}-o1-std`}>{formatNumber(r.maxDiff.option1VsStandard, 3)}</td>
      <td data-testid={`diff-${r.dtype}-o2-std`}>{formatNumber(r.maxDiff.option2VsStandard, 3)}</td>
      <td data-testid={`diff-${r.dtype}-o1-o2`}>{formatNumber(r.maxDiff.option1VsOption2, 3)}</td>
    </tr>
  );
}

export interface StepDetailProps extends StepRun {
  /** The token the model predicts next. */
  next: number;
  /** The engine's three paths over these tokens in float64. */
  f64: PathOutputs;
  /** Whether the "option-agree" checkpoint is answered (the max |Δ| table answers it). */
  agreeRevealed: boolean;
}

/** One decode step opened up: q, the scores, the three paths, their agreement, the next token. */
export function StepDetail({ detail, tokens, next, f64, f32, agreeRevealed }: StepDetailProps) {
  const n = tokens.length;
  return (
    <>
      <h2>
        Step n = {n}: the new token “{tokens[n - 1]}”
      </h2>
      <div className="matrix-row">
        <MatrixView label="x_n" caption={<Tex>{'x_n'}</Tex>} value={[detail.x]} />
        <MatrixView label="q" caption={<Tex>{'q = x_n W_Q'}</Tex>} value={[detail.q]} />
        <MatrixView
          label="K-cache"
          caption={<Tex>{'K'}</Tex>}
          value={detail.K}
          rowLabels={tokens}
          highlight={(i) => i === n - 1}
        />
      </div>
      <div className="matrix-row">
        <div>
          <h3>
            Scores <Tex>{'qK^\\top/\\sqrt{d_k}'}</Tex>
          </h3>
          <BarChart
            label="Scores"
            bars={detail.scores[0].map((v, i) => ({ label: tokens[i], value: v }))}
          />
        </div>
        <div>
          <h3>
            Softmax <Tex>{'s'}</Tex>
          </h3>
          <BarChart
            label="Softmax weights"
            max={1}
            bars={detail.probs[0].map((v, i) => ({ label: tokens[i], value: v }))}
          />
        </div>
      </div>

      <ThreePaths detail={detail} n={n} />

      <h3>Do they agree? max |Δ| of the layer output</h3>
      {agreeRevealed ? (
        <>
          <table className="diff-table">
            <ColumnHeads
              columns={[
                'engine dtype',
                'V-first vs standard',
                'K-first vs standard',
                'V-first vs K-first',
              ]}
            />
            <tbody>
              <DiffTable label="float64" r={f64} />
              <DiffTable label="float32" r={f32} />
            </tbody>
          </table>
          <p className="small">
            Three separate engine layers (standard, slim V-first, slim K-first) ran the same {n}{' '}
            tokens. Any difference is rounding from doing the additions in another order: about
            1e-16 relative in float64, 1e-7 in float32. Mathematically the three are identical.
          </p>
        </>
      ) : (
        <p className="small">
          The max |Δ| table appears once the question “how far apart” above is answered.
        </p>
      )}

      <h3>Next token</h3>
      <p>
        The output, added to <Tex>{'x_n'}</Tex> and scored against every word’s embedding, picks “
        <strong data-testid="next-token">{tokenText(next)}</strong>”.
      </p>
      <BarChart
        label="Next-token logits"
        bars={detail.logits.map((v, i) => ({
          label: VOCAB[i],
          value: v,
          highlight: i === next,
        }))}
      />
    </>
  );
}
