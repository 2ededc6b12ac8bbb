import { useState, type ReactNode } from 'react';
import { sparsityWorkFactor, type SparseResult } from '../../engine';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { paperWork, times, type Run } from './sparseRun';

/** How much less work a threshold leaves: asked at S = 0.8, then measured on the chosen head. */
export function WorkSaved({ run, n, tau }: { run?: Run; n?: number; tau: number }) {
  const [workRevealed, setWorkRevealed] = useState(false);
  return (
    <>
      <h2>How much less work?</h2>
      <p>
        Without sparsity the weighted sum touches all <Tex>{'n'}</Tex> rows. With a share{' '}
        <Tex>{'S'}</Tex> of them skipped, <Tex>{'(1 - S)\\,n'}</Tex> rows are left.
      </p>
      <LessonCheckpoint
        id="sparsity-work"
        onRevealed={setWorkRevealed}
        question={
          <>
            If the threshold skips 80% of a head’s value rows (<Tex>{'S = 0.8'}</Tex>), how many
            times less weighted-sum work is left?
          </>
        }
        choices={[1.25, 1.8, paperWork, 8].map((x) => ({
          label: times(x),
          correct: x === paperWork,
        }))}
        explanation={
          <p>
            <Tex>{'1/(1 - S)'}</Tex> = 1/(1 − 0.8) = {times(paperWork)}: one row in five is left
            (paper Appendix D). Skipping half the rows gives only {times(sparsityWorkFactor(0.5))};
            the gain grows quickly as <Tex>{'S'}</Tex> nears 1.
          </p>
        }
      />
      {!workRevealed ? (
        <p className="small">
          The rows skipped, <Tex>{'S'}</Tex> and the work saved at your threshold appear once the
          prediction above is answered.
        </p>
      ) : run && n !== undefined ? (
        <SparsityResults run={run} n={n} tau={tau} />
      ) : (
        <p className="small">The results appear once the model has run.</p>
      )}
    </>
  );
}

function SparsityResults({ run, n, tau }: { run: Run; n: number; tau: number }) {
  const { standard, slim } = run.r64;
  const cells = (pick: (r: SparseResult) => ReactNode, id: string) => (
    <>
      <td data-testid={`${id}-standard`}>{pick(standard)}</td>
      <td data-testid={`${id}-slim`}>{pick(slim)}</td>
    </>
  );
  return (
    <>
      <table className="diff-table" aria-label="sparse weighted sums, standard and slim">
        <ColumnHeads
          columns={[
            <>at τ = {formatNumber(tau, 3)}</>,
            <>
              standard <Tex>{'\\sum s_j v_j'}</Tex>
            </>,
            <>
              slim, K-first <Tex>{'(\\sum s_j k_j) W_{KV}'}</Tex>
            </>,
          ]}
        />
        <tbody>
          <tr>
            <th scope="row">value rows skipped, of {n}</th>
            {cells((r) => formatCount(r.skipped), 'skipped')}
          </tr>
          <tr>
            <th scope="row">sparsity S</th>
            {cells((r) => formatNumber(r.sparsity, 3), 'sparsity')}
          </tr>
          <tr>
            <th scope="row">less work, 1/(1 − S)</th>
            {cells((r) => times(r.workFactor), 'work')}
          </tr>
          <tr>
            <th scope="row">output error, max |Δ| vs all rows</th>
            {cells((r) => formatNumber(r.maxAbsError, 3), 'error')}
          </tr>
          <tr>
            <th scope="row">relative to the largest output entry</th>
            {cells((r) => formatNumber(r.relativeError, 3), 'relerror')}
          </tr>
        </tbody>
      </table>
      <p>
        Both orders skip the same rows and lose the same amount: the error is the skipped rows’
        share of the sum, not a slim-attention error. Their sparse outputs differ only by rounding:
      </p>
      <table className="diff-table" aria-label="sparse standard versus slim K-first">
        <ColumnHeads
          columns={['max |Δ|, standard vs slim K-first, sparse', 'float64', 'float32']}
        />
        <tbody>
          <tr>
            <th scope="row">head output</th>
            <td data-testid="diff-f64">{formatNumber(run.diff64, 3)}</td>
            <td data-testid="diff-f32">{formatNumber(run.diff32, 3)}</td>
          </tr>
        </tbody>
      </table>
      <p className="small">
        Move the threshold: at τ = 0 nothing is skipped and the error is 0; as τ grows, S and the
        work saved grow, and so does the error. Where to stop is a choice of accuracy against speed.
        The standard cache also skips reading the skipped V rows; slim attention reads every key row
        for the scores anyway, so for it the saving is the arithmetic of the weighted sum.
      </p>
    </>
  );
}
