import { useDeferredValue, useMemo, useState } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { numberCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { BarChart } from '../../components/BarChart';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { MatrixView } from '../../components/MatrixView';
import { PowerOfTwoSlider, clampStep } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { NoInverseNotice } from '../common/NoInverseNotice';
import { formatCount, formatNumber } from '../../components/format';
import {
  chips,
  generateComplexity,
  isMemoryBound,
  ridgePoint,
  slimPeakIntensity,
} from '../../roofline';
import { D, PROMPT_IDS, tokenText, type Mat, type ToyWeights } from '../common/toyData';
import { comparePaths, decodeStepDetail, generate } from '../common/toyRuns';
import { invertWk } from '../common/inversion';
import { WeightsPanel } from '../common/WeightsPanel';
import { useToyWeights } from '../common/useToyWeights';

const H = 2;
const DK = D / H;
const P = PROMPT_IDS.length;
const MAX_STEPS = 5;
/** Open on the second decode step: with the default weights both heads attend clearly there. */
const DEFAULT_STEPS = 2;
/** Size for the complexity panel: a 7B-class MHA layer at a 4K context. */
const REAL = { d: 4096, n: 4096 };
const H_EXPONENTS = { min: 0, max: 6 };
/** The slider starts at h = 8, so the h = 32 checkpoint is not answered before it is asked. */
const DEFAULT_H_EXPONENT = 3;
const PAPER_CHIPS = chips.filter((c) => c.paperTable3);

/** "1, 2, 4", or "none" when a head's block of W_KV is all zeros. */
const columnList = (cols: readonly number[]) => (cols.length > 0 ? cols.join(', ') : 'none');
const block = (m: Mat, i: number) => m.map((r) => r.slice(i * DK, (i + 1) * DK));

export function ManyHeadsLesson() {
  const { weights, set } = useToyWeights();
  const inv = useMemo(() => invertWk(weights.wK, weights.wV), [weights]);
  return (
    <>
      <p>
        Real models split attention into <Tex>{'h'}</Tex> heads. Here <Tex>{'h = 2'}</Tex>, so each
        head works in <Tex>{`d_k = d/h = ${DK}`}</Tex> columns: head <Tex>{'i'}</Tex> scores with
        its own column block <Tex>{'q_i K_i^\\top'}</Tex> and weights its own block{' '}
        <Tex>{'V_i'}</Tex>. <Tex>{'W_{KV}'}</Tex> splits the same way, into per-head blocks{' '}
        <Tex>{`W_{KV,i} \\in \\mathbb{R}^{${D}\\times ${DK}}`}</Tex>:
      </p>
      <Tex block>{'V_i = K\\,W_{KV,i}\\qquad(\\text{the whole } K,\\ \\text{not } K_i)'}</Tex>
      <WeightsPanel
        weights={weights}
        set={set}
        names={['wQ', 'wK', 'wV', 'wO']}
        hint={
          <>
            The same toy weights, now read as two heads. Edit <Tex>{'W_K'}</Tex> or{' '}
            <Tex>{'W_V'}</Tex> and watch the blocks of <Tex>{'W_{KV}'}</Tex> change; the K-first
            order and standard keep agreeing for any invertible <Tex>{'W_K'}</Tex>.
          </>
        }
      />
      {inv.wKV ? (
        <HeadsBody weights={weights} wKV={inv.wKV} />
      ) : (
        <NoInverseNotice>to split into heads</NoInverseNotice>
      )}
    </>
  );
}

function HeadsBody({ weights, wKV }: { weights: ToyWeights; wKV: Mat }) {
  const [rawSteps, setSteps] = useLessonState('gen', numberCodec, DEFAULT_STEPS);
  const [hExp, setHExp] = useLessonState('h', numberCodec, DEFAULT_H_EXPONENT);
  const steps = clampStep(rawSteps, 0, MAX_STEPS);
  // W_KV's blocks and which columns each head reads answer the "whole-row" checkpoint: shown
  // once it is revealed.
  const [columnsRevealed, setColumnsRevealed] = useState(false);
  const hExponent = clampStep(hExp, H_EXPONENTS.min, H_EXPONENTS.max);
  const h = 2 ** hExponent;

  const generated = useMemo(() => generate(weights, H, MAX_STEPS + 1), [weights]);
  const ids = useMemo(() => [...PROMPT_IDS, ...generated.slice(0, steps)], [generated, steps]);
  const tokens = ids.map(tokenText);
  const n = ids.length;
  const detail = useMemo(() => decodeStepDetail(weights, H, ids), [weights, ids]);
  // The agreement numbers take six more engine layer runs: they follow one (deferred) render
  // later, so an edit shows the head outputs within the input's frame.
  const now = useMemo(() => ({ weights, ids }), [weights, ids]);
  const later = useDeferredValue(now);
  const f64 = useMemo(
    () => comparePaths(later.weights, H, later.ids, P, 'float64'),
    [later.weights, later.ids],
  );
  const f32 = useMemo(
    () => comparePaths(later.weights, H, later.ids, P, 'float32'),
    [later.weights, later.ids],
  );

  // Columns of K that head i's values depend on: the non-zero rows of W_KV,i.
  const usedColumns = [0, 1].map((i) =>
    block(wKV, i)
      .map((row, r) => (row.some((x) => x !== 0) ? r + 1 : 0))
      .filter((c) => c > 0),
  );
  const table = generateComplexity({ d: REAL.d, h, n: REAL.n });
  const at32 = generateComplexity({ d: REAL.d, h: 32, n: REAL.n }).option2.mha.intensity;
  const boundChips = PAPER_CHIPS.filter((c) =>
    isMemoryBound(c, 'int8', table.option2.mha.intensity),
  );

  return (
    <>
      <LessonCheckpoint
        id="whole-row"
        onRevealed={setColumnsRevealed}
        question={
          <>
            Head 2’s values are <Tex>{'V_2 = K W_{KV,2}'}</Tex>. Before you look at the blocks: how
            many of K’s {D} columns does computing them read, with the current weights?
          </>
        }
        choices={[...new Set([DK, DK + 1, D, usedColumns[1].length])]
          .sort((a, b) => a - b)
          .map((c) => ({
            label: c === DK ? `${c} (just K₂)` : `${c}`,
            correct: c === usedColumns[1].length,
          }))}
        explanation={
          <p>
            {usedColumns[1].length}: every non-zero row of <Tex>{'W_{KV,2}'}</Tex> pulls in one
            column of K. In general <Tex>{'W_{KV,2}'}</Tex> is dense, so each head needs the whole
            key row — which is why slim attention caches all of K and why the K-first order weights
            whole rows.
          </p>
        }
      />
      {columnsRevealed && (
        <div className="matrix-row">
          <MatrixView
            label="W_KV head 1 block"
            caption={<Tex>{'W_{KV,1}'}</Tex>}
            value={block(wKV, 0)}
          />
          <MatrixView
            label="W_KV head 2 block"
            caption={<Tex>{'W_{KV,2}'}</Tex>}
            value={block(wKV, 1)}
          />
        </div>
      )}
      <p>
        {columnsRevealed ? (
          <>
            Head 1’s values read columns{' '}
            <strong data-testid="used-cols-1">{columnList(usedColumns[0])}</strong> of K; head 2’s
            read columns <strong data-testid="used-cols-2">{columnList(usedColumns[1])}</strong>
            .{' '}
          </>
        ) : (
          <>
            The blocks of <Tex>{'W_{KV}'}</Tex>, and which columns of K each head reads, appear once
            the question above is answered.{' '}
          </>
        )}
        Why not just <Tex>{'K_i'}</Tex>? Because <Tex>{'K_i = X W_{K,i}'}</Tex> squeezes each {D}
        -dim input into {DK} numbers, and the {D - DK} lost dimensions are exactly what{' '}
        <Tex>{'V_i = X W_{V,i}'}</Tex> may depend on. Only the whole key row, through the whole
        invertible <Tex>{'W_K'}</Tex>, still carries all of <Tex>{'x'}</Tex>.
      </p>

      <div className="stepper" role="group" aria-label="Decode steps">
        <ol className="token-chips" aria-label="Tokens so far">
          {tokens.map((t, i) => (
            <li key={i} className={i === n - 1 ? 'done current' : 'done'}>
              {t}
            </li>
          ))}
        </ol>
        <button type="button" onClick={() => setSteps(steps - 1)} disabled={steps === 0}>
          ← Back
        </button>
        <button type="button" onClick={() => setSteps(steps + 1)} disabled={steps === MAX_STEPS}>
          Generate →
        </button>
        <span className="small" aria-live="polite" data-testid="heads-status">
          n = {n}
        </span>
      </div>

      <div className="matrix-row">
        {[0, 1].map((i) => (
          <div key={i}>
            <h3>
              Head {i + 1}:{' '}
              <Tex>{`s_${i + 1} = \\operatorname{softmax}(q_${i + 1} K_${i + 1}^\\top/\\sqrt{${DK}})`}</Tex>
            </h3>
            <BarChart
              label={`Head ${i + 1} softmax`}
              max={1}
              bars={detail.probs[i].map((v, j) => ({ label: tokens[j], value: v }))}
            />
          </div>
        ))}
      </div>

      <h2>All heads of the K-first order (paper §2, option 2) in one product</h2>
      <p>
        Each head weights the <em>whole</em> key rows, <Tex>{'u_i = s_i K'}</Tex> ({D} numbers
        each). Stack the <Tex>{'u_i'}</Tex> as rows of <Tex>{'U'}</Tex> and one block product
        finishes every head: row <Tex>{'i'}</Tex> of <Tex>{'U'}</Tex> meets only column block{' '}
        <Tex>{'i'}</Tex> of <Tex>{'W_{KV}'}</Tex>.
      </p>
      <div className="matrix-row">
        <MatrixView
          label="U"
          caption={<Tex>{'U = \\begin{bmatrix} s_1 K \\\\ s_2 K \\end{bmatrix}'}</Tex>}
          value={detail.option2U}
          rowLabels={['u₁', 'u₂']}
        />
        {columnsRevealed && <MatrixView label="W_KV" caption={<Tex>{'W_{KV}'}</Tex>} value={wKV} />}
        <MatrixView
          label="K-first heads"
          caption={<Tex>{'[\\,u_1 W_{KV,1} \\mid u_2 W_{KV,2}\\,]'}</Tex>}
          value={[detail.headOutputs.option2]}
        />
        <MatrixView
          label="standard heads"
          caption={<Tex>{'[\\,s_1 V_1 \\mid s_2 V_2\\,]'}</Tex>}
          value={[detail.headOutputs.standard]}
        />
      </div>
      <p>
        Layer output, max |Δ| K-first vs standard: float64{' '}
        <strong data-testid="heads-diff-f64">
          {formatNumber(f64.maxDiff.option2VsStandard, 3)}
        </strong>
        , float32{' '}
        <strong data-testid="heads-diff-f32">
          {formatNumber(f32.maxDiff.option2VsStandard, 3)}
        </strong>
        ; V-first vs standard: float64 {formatNumber(f64.maxDiff.option1VsStandard, 3)}, float32{' '}
        {formatNumber(f32.maxDiff.option1VsStandard, 3)}.
      </p>

      <h2>What it costs</h2>
      <p>
        Weighting whole key rows makes each head’s weighted sum {D / DK}× (that is, h×) wider. Per
        token per layer, attention does <Tex>{'4nd'}</Tex> OPs in standard attention and{' '}
        <Tex>{'2nd(h+1)'}</Tex> in the K-first order — but reads only <Tex>{'nd'}</Tex> cached
        values instead of <Tex>{'2nd'}</Tex> (paper §2, Table 2). Slide h for a layer with d ={' '}
        {formatCount(REAL.d)} at n = {formatCount(REAL.n)}:
      </p>
      <LessonCheckpoint
        id="intensity"
        question={
          <>A model with h = 32 heads: what is the K-first order’s MHA intensity (OPs per value)?</>
        }
        choices={[...new Set([2, 4, at32, 2 * at32])].map((v) => ({
          label: formatNumber(v),
          correct: v === at32,
        }))}
        explanation={
          <p>
            2h + 2 = {slimPeakIntensity(32)}: 2nd(h+1) OPs over nd values read. Standard attention
            stays at 2, whatever h is.
          </p>
        }
      />
      <PowerOfTwoSlider
        label="heads h"
        range={H_EXPONENTS}
        exponent={hExponent}
        onChange={setHExp}
        text={(x) => `h = ${x}`}
      />
      <table className="diff-table" aria-label="MHA cost per token per layer">
        <ColumnHeads columns={['', 'OPs', 'values read', 'intensity (OPs/value)']} />
        <tbody>
          <tr>
            <th scope="row">standard</th>
            <td data-testid="mha-ops-standard">{formatCount(table.vanilla.mha.ops)}</td>
            <td>{formatCount(table.vanilla.mha.reads)}</td>
            <td data-testid="mha-int-standard">{formatNumber(table.vanilla.mha.intensity)}</td>
          </tr>
          <tr>
            <th scope="row">slim, K-first order</th>
            <td data-testid="mha-ops-option2">{formatCount(table.option2.mha.ops)}</td>
            <td>{formatCount(table.option2.mha.reads)}</td>
            <td data-testid="mha-int-option2">{formatNumber(table.option2.mha.intensity)}</td>
          </tr>
        </tbody>
      </table>
      <p>
        With 1-byte values, intensity is OPs per byte. A chip is busy computing only above its ridge
        point; below it, decode waits for memory. At h = {h}, the K-first order stays memory bound
        on{' '}
        <strong data-testid="bound-chips">
          {boundChips.length} of {PAPER_CHIPS.length}
        </strong>{' '}
        chips of paper Table 3 (
        {PAPER_CHIPS.map((c) => `${c.name} ${formatCount(ridgePoint(c, 'int8'))}`).join(', ')}{' '}
        OPs/byte), so halving the bytes read still speeds decoding up.
      </p>
    </>
  );
}
