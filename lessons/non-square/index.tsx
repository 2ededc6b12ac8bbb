import { useMemo, useState } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { enumCodec, matrixCodec, type UrlCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { DiffTable, type DiffRow } from '../common/PathDiffTable';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import {
  applicability,
  keyWidth,
  kvCacheWidth,
  models,
  paperTable4,
  projectionRatio,
  requireModel,
  slimExtraParams,
  standardCacheValues,
  units,
  xCacheOps,
  xCacheValues,
  type Model,
} from '../../roofline';
import {
  NS_D,
  NS_DEFAULT_WEIGHTS,
  NS_E,
  NS_HEADS,
  NS_HEAD_DIM,
  NS_INPUTS,
  NS_QUERY_BIAS,
  NS_SHAPE,
  NS_TOKEN_LABELS,
  NS_WO,
  rankOneWk,
  rightInverseDetail,
  runNonSquare,
  type NonSquareRuns,
  type NonSquareWeights,
  type RightInverseDetail,
} from './toy';
import { TOY_MAX_ABS, TOY_MIN_ABS } from '../common/useToyWeights';
import { RestoreDefaultsButton, ToyMatrixEditor, sameMatrix } from '../common/WeightsPanel';
import type { Mat } from '../common/toyData';

const PAPER = 'https://arxiv.org/abs/2503.05840';
/** A float64 result counts as exact when it is this close (round-off of small numbers). */
const MATCH = 1e-9;
/** The model the checkpoint and the cost table are about (paper §3's 32x). */
const FOCUS_ID = 't5-11b';

/** A d × e projection in the URL: 2 × 4 numbers within the toy's range, else the default. */
const projectionCodec: UrlCodec<Mat> = {
  parse(s) {
    const m = matrixCodec.parse(s);
    if (!m || m.length !== NS_D || m.some((r) => r.length !== NS_E)) return undefined;
    if (m.flat().some((x) => Math.abs(x) > TOY_MAX_ABS || (x !== 0 && Math.abs(x) < TOY_MIN_ABS)))
      return undefined;
    return m;
  },
  serialize: (m) => matrixCodec.serialize(m),
};

const NAMES: readonly (keyof NonSquareWeights)[] = ['wQ', 'wK', 'wV'];
const TEX: Record<keyof NonSquareWeights, string> = { wQ: 'W_Q', wK: 'W_K', wV: 'W_V' };
const KEYS: Record<keyof NonSquareWeights, string> = { wQ: 'nsq', wK: 'nsk', wV: 'nsv' };

/**
 * float64 results of the right inverse: an entry below ROUND_OFF times its matrix's largest is
 * round-off of an exact 0 (the right inverse goes through a QR factorization) and is shown as 0,
 * as the note under the matrices says.
 */
const ROUND_OFF = 1e-12;
function cleanCells(m: Mat): (x: number) => string {
  const scale = m.reduce((a, row) => row.reduce((b, x) => Math.max(b, Math.abs(x)), a), 0);
  return (x) => formatNumber(Math.abs(x) <= ROUND_OFF * scale ? 0 : x);
}

function positions(m: Model): string {
  switch (m.positional) {
    case 'rope':
      return 'RoPE';
    case 'relative':
      return 'relative position biases';
    case 'alibi':
      return 'ALiBi';
    default:
      return 'added to the inputs';
  }
}

function useNonSquareWeights() {
  const [wQ, setQ] = useLessonState(KEYS.wQ, projectionCodec, NS_DEFAULT_WEIGHTS.wQ);
  const [wK, setK] = useLessonState(KEYS.wK, projectionCodec, NS_DEFAULT_WEIGHTS.wK);
  const [wV, setV] = useLessonState(KEYS.wV, projectionCodec, NS_DEFAULT_WEIGHTS.wV);
  const weights = useMemo(() => ({ wQ, wK, wV }), [wQ, wK, wV]);
  const setters = { wQ: setQ, wK: setK, wV: setV };
  return { weights, set: (name: keyof NonSquareWeights, m: Mat) => setters[name](m) };
}

export function NonSquareLesson() {
  const table4 = useMemo(() => paperTable4(models), []);
  const focus = requireModel(FOCUS_ID);
  const r = projectionRatio(focus);
  const factor = standardCacheValues(focus, 1) / xCacheValues(focus, 1);
  const [factorRevealed, setFactorRevealed] = useState(false);
  return (
    <>
      <p>
        So far every projection was square: a token’s input row <Tex>{'x'}</Tex> has{' '}
        <Tex>{'d'}</Tex> numbers (the model width), and <Tex>{'W_Q'}</Tex>, <Tex>{'W_K'}</Tex>,{' '}
        <Tex>{'W_V'}</Tex> turned it into a query, key and value of the same width. Each of the{' '}
        <Tex>{'h'}</Tex> heads takes its own <Tex>{'d_k'}</Tex> columns of them (the head width),
        and together the heads are <Tex>{'e = h \\cdot d_k'}</Tex> wide. Most models choose{' '}
        <Tex>{'e = d'}</Tex>. Some make the heads wider than the model: <Tex>{'e > d'}</Tex>, and
        then <Tex>{'W_K'}</Tex> is a wide <Tex>{'d \\times e'}</Tex> matrix with no inverse.{' '}
        <a href={PAPER}>The paper’s §3</a> names the ratio <Tex>{'r = e/d'}</Tex> and gives two ways
        to keep slim attention.
      </p>
      <div className="equation-row">
        <Tex block>{'e = h\\,d_k,\\qquad r = \\frac{e}{d},'}</Tex>
        <Tex block>{'W_Q,\\ W_K,\\ W_V:\\ d \\times e'}</Tex>
      </div>

      <h2>Models with e &gt; d</h2>
      <p>
        The paper’s Table 4, regenerated from the shapes in the app’s model catalog (the paper
        prints <Tex>{'r'}</Tex> rounded; it is shown beside the computed value).
      </p>
      <table className="diff-table" aria-label="models with non-square projections">
        <ColumnHeads
          columns={[
            'model',
            'd',
            <>
              d<sub>k</sub>
            </>,
            'h',
            <>
              e = h·d<sub>k</sub>
            </>,
            'r = e/d',
            'paper’s r',
            'positions',
          ]}
        />
        <tbody>
          {table4.map((row) => (
            <tr key={row.model.id} data-testid={`table4-${row.model.id}`}>
              <th scope="row">{row.model.name}</th>
              <td>{formatCount(row.d.computed)}</td>
              <td>{formatCount(row.dk.computed)}</td>
              <td>{formatCount(row.h.computed)}</td>
              <td>{formatCount(row.e.computed)}</td>
              <td>{formatNumber(row.r.computed, 3)}</td>
              <td>{row.r.printed}</td>
              <td>{positions(row.model)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Option 1: a right inverse</h2>
      <p>
        <Tex>{'K = XW_K'}</Tex> maps <Tex>{'d'}</Tex> numbers to <Tex>{'e > d'}</Tex>, so no inverse
        undoes it in both directions. One direction is enough: the <em>right inverse</em>{' '}
        <Tex>{'W_K^{+}'}</Tex> (<Tex>{'e \\times d'}</Tex>) satisfies{' '}
        <Tex>{'W_K W_K^{+} = I_d'}</Tex>, so <Tex>{'K W_K^{+} = X W_K W_K^{+} = X'}</Tex> and the
        values follow from the keys as before:
      </p>
      <div className="equation-row">
        <Tex block>{'W_K^{+} = W_K^\\top (W_K W_K^\\top)^{-1},'}</Tex>
        <Tex block>{'V = XW_V = K\\,W_K^{+} W_V = K\\,W_{KV},'}</Tex>
        <Tex block>{'W_{KV} = W_K^{+} W_V:\\ e \\times e'}</Tex>
      </div>
      <p>
        Only <Tex>{'K'}</Tex> is cached, so the cache halves as with square weights, and RoPE works
        as in lesson 6. The price is weights: <Tex>{'W_{KV}'}</Tex> is <Tex>{'e \\times e'}</Tex>{' '}
        where <Tex>{'W_V'}</Tex> was <Tex>{'d \\times e'}</Tex>, <Tex>{'r'}</Tex> times as many
        numbers. Added over every attention that holds a cache (T5 has self- and cross-attention in
        each decoder layer), from the cost model:
      </p>
      <table className="diff-table" aria-label="option 1 extra weights">
        <ColumnHeads
          columns={[
            'model',
            <>
              W<sub>KV</sub> / W<sub>V</sub> = r
            </>,
            'extra weights',
            'model weights',
          ]}
        />
        <tbody>
          {table4.map(({ model }) => (
            <tr key={model.id} data-testid={`extra-${model.id}`}>
              <th scope="row">{model.name}</th>
              <td>{formatNumber(projectionRatio(model), 3)}</td>
              <td>{units.scaled(slimExtraParams(model))}</td>
              <td>{units.scaled(model.params)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        For {focus.name}, with <Tex>{`r = ${formatNumber(r, 3)}`}</Tex>, option 1 multiplies the
        stored weights by{' '}
        <strong data-testid="option1-weight-growth">
          {formatNumber((focus.params + slimExtraParams(focus)) / focus.params, 3)}
        </strong>{' '}
        to halve the cache. The second way avoids the inverse altogether.
      </p>

      <h2>Option 2: cache X instead</h2>
      <p>
        Every key and value is made from a <Tex>{'d'}</Tex>-wide input row, so a layer can cache the
        inputs <Tex>{'X'}</Tex> themselves (the <em>X-cache</em>) and never form <Tex>{'K'}</Tex> or{' '}
        <Tex>{'V'}</Tex>. With <Tex>{'W_{K,i}'}</Tex> the <Tex>{'d_k'}</Tex> columns of head{' '}
        <Tex>{'i'}</Tex>, its keys are <Tex>{'K_i = XW_{K,i}'}</Tex>, and regrouping the products
        moves the work onto the new token:
      </p>
      <div className="equation-row">
        <Tex block>
          {
            'q_i K_i^\\top = (x\\,W_{Q,i})(X W_{K,i})^\\top = (x\\,W_{Q,i} W_{K,i}^\\top)\\,X^\\top,'
          }
        </Tex>
        <Tex block>{'s_i V_i = s_i X W_{V,i} = (s_i X)\\,W_{V,i}'}</Tex>
      </div>
      <p>
        Here <Tex>{'s_i'}</Tex> is head <Tex>{'i'}</Tex>’s row of softmax weights. The query is
        turned back into a <Tex>{'d'}</Tex>-wide row once per token and head, then compared with the
        cached rows directly.
      </p>
      <LessonCheckpoint
        id="x-cache-factor"
        onRevealed={() => setFactorRevealed(true)}
        question={
          <>
            {focus.name} has <Tex>{`d = ${focus.d}`}</Tex> and <Tex>{`e = ${keyWidth(focus)}`}</Tex>
            . How many times smaller is its X-cache than its KV-cache?
          </>
        }
        choices={[2, r, 2 * r, focus.heads].map((f) => ({
          label: `${formatNumber(f, 3)}x`,
          correct: f === factor,
        }))}
        explanation={
          <p>
            The KV-cache holds a key and a value row per token, <Tex>{'2e'}</Tex> numbers; the
            X-cache holds the input row, <Tex>{'d'}</Tex> numbers: <Tex>{'2e/d = 2r'}</Tex>,{' '}
            {formatNumber(factor, 3)}x for {focus.name} (paper §3).
          </p>
        }
      />
      {factorRevealed ? (
        <table className="diff-table" aria-label="cache per token and layer">
          <ColumnHeads
            columns={[
              'model',
              'KV-cache (2e)',
              'option 1: K (e)',
              'option 2: X (d)',
              'KV / X = 2r',
              'X-cache usable',
            ]}
          />
          <tbody>
            {table4.map(({ model }) => {
              const works = applicability(model).options.find((o) => o.id === 'x-cache')?.works;
              return (
                <tr key={model.id} data-testid={`cache-${model.id}`}>
                  <th scope="row">{model.name}</th>
                  <td>{formatCount(kvCacheWidth(model))}</td>
                  <td>{formatCount(keyWidth(model))}</td>
                  <td>{formatCount(model.d)}</td>
                  <td>
                    {formatNumber(standardCacheValues(model, 1) / xCacheValues(model, 1), 3)}x
                  </td>
                  <td>{works ? 'yes' : `no (${positions(model)})`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="small">The cache sizes appear once the prediction above is answered.</p>
      )}
      <p>
        Numbers are values per token and layer. CodeGemma cannot use the X-cache: with RoPE the keys
        are rotated by their positions between <Tex>{'W_K'}</Tex> and the dot product, so{' '}
        <Tex>{'W_{K,i}^\\top X^\\top'}</Tex> is no longer one fixed matrix per head (lesson 6).
        Position schemes that add to the scores instead (T5’s relative biases, ALiBi) are fine. A
        query bias folds in,{' '}
        <Tex>{'\\big((x\\,W_{Q,i} + b_{Q,i})\\,W_{K,i}^\\top\\big)X^\\top'}</Tex>; a key bias
        cancels in softmax and a value bias joins the output bias (lesson 7).
      </p>
      <XCacheCost model={focus} />

      <NonSquareToy />
    </>
  );
}

/** OPs per token and layer of the X-cache against standard, for one model at its context. */
function XCacheCost({ model }: { model: Model }) {
  const n = model.contextLength;
  if (n === undefined) return null;
  const ops = xCacheOps({ d: model.d, heads: model.heads, headDim: model.headDim, n });
  const perValue = (o: number, reads: number) => formatNumber(o / reads, 3);
  return (
    <>
      <h2>What the X-cache costs</h2>
      <p>
        Per token and layer of {model.name}, with <Tex>{`n = ${formatCount(n)}`}</Tex> tokens
        cached, from the cost model (an OP is one multiply or one add):
      </p>
      <table className="diff-table" aria-label="X-cache operations">
        <ColumnHeads columns={['OPs per token', 'standard', 'X-cache']} />
        <tbody>
          <tr>
            <th scope="row">the new token’s projections</th>
            <td data-testid="ops-std-proj">{formatCount(ops.standardProjections)}</td>
            <td data-testid="ops-x-proj">{formatCount(ops.projections)}</td>
          </tr>
          <tr>
            <th scope="row">scores and weighted sums over the n cached rows</th>
            <td data-testid="ops-std-core">{formatCount(ops.standardCore)}</td>
            <td data-testid="ops-x-core">{formatCount(ops.core)}</td>
          </tr>
          <tr>
            <th scope="row">cached values read</th>
            <td data-testid="reads-std">{formatCount(ops.standardCoreReads)}</td>
            <td data-testid="reads-x">{formatCount(ops.coreReads)}</td>
          </tr>
          <tr>
            <th scope="row">OPs per cached value read</th>
            <td>{perValue(ops.standardCore, ops.standardCoreReads)}</td>
            <td data-testid="ops-x-intensity">{perValue(ops.core, ops.coreReads)}</td>
          </tr>
        </tbody>
      </table>
      <p>
        The X-cache’s projections, <Tex>{'\\cdot W_{K,i}^\\top'}</Tex> and{' '}
        <Tex>{'\\cdot W_{V,i}'}</Tex> for every head, cost <Tex>{'4de'}</Tex> OPs per token,
        whatever <Tex>{'n'}</Tex> is: the same as the <Tex>{'xW_K'}</Tex> and <Tex>{'xW_V'}</Tex>{' '}
        that standard attention computes and the X-cache no longer needs. The part that grows with{' '}
        <Tex>{'n'}</Tex> does run over <Tex>{'d'}</Tex>
        -wide rows instead of <Tex>{'d_k'}</Tex>-wide ones, so it needs{' '}
        {formatNumber(ops.core / ops.standardCore, 3)}x the OPs, but it reads{' '}
        {formatNumber(ops.standardCoreReads / ops.coreReads, 3)}x fewer values, shared by all{' '}
        {model.heads} heads. While decoding is limited by memory reads (lesson 1), fewer reads win;
        on a chip whose arithmetic runs out first, the extra OPs can cost more than the reads save.
      </p>
    </>
  );
}

function NonSquareToy() {
  const { weights, set } = useNonSquareWeights();
  const edited = NAMES.filter((n) => !sameMatrix(weights[n], NS_DEFAULT_WEIGHTS[n]));
  const inversion = useMemo(() => rightInverseDetail(weights), [weights]);
  const [bias, setBias] = useLessonState('nsbq', enumCodec(['on', 'off'] as const), 'off');
  const queryBias = bias === 'on';
  const f64 = useMemo(() => runNonSquare(weights, 'float64', queryBias), [weights, queryBias]);
  const f32 = useMemo(() => runNonSquare(weights, 'float32', queryBias), [weights, queryBias]);
  const [projectorRevealed, setProjectorRevealed] = useState(false);
  const outputRows = (
    [
      ['standard', f64.runs.standard],
      ['option 1', f64.runs.option1],
      ['X-cache', f64.runs.xCache],
    ] as const
  ).flatMap(([name, run]) => (run ? [{ name, row: run.row }] : []));
  const rankOne = rankOneWk(weights.wK);
  const alreadyRankOne = sameMatrix(rankOne, weights.wK);

  return (
    <>
      <h2>
        A toy with d = {NS_D}, e = {NS_E}
      </h2>
      <p>
        One layer with <Tex>{`d = ${NS_D}`}</Tex> and <Tex>{`h = ${NS_HEADS}`}</Tex> heads of width{' '}
        <Tex>{`d_k = ${NS_HEAD_DIM}`}</Tex>, so <Tex>{`e = ${NS_E}`}</Tex> and{' '}
        <Tex>{`r = ${formatNumber(projectionRatio(NS_SHAPE))}`}</Tex>. Four input rows{' '}
        <Tex>{'x_1 \\dots x_4'}</Tex>; every number below is computed by the engine as you edit the{' '}
        <Tex>{'2 \\times 4'}</Tex> projections.
      </p>
      <div className="matrix-row">
        {NAMES.map((name) => (
          <ToyMatrixEditor
            key={name}
            tex={TEX[name]}
            value={weights[name]}
            defaults={NS_DEFAULT_WEIGHTS[name]}
            onChange={(m) => set(name, m)}
          />
        ))}
        <MatrixView label="W_O" caption={<Tex>{'W_O\\ (e \\times d)'}</Tex>} value={NS_WO} />
        <MatrixView
          label="inputs X"
          caption={<Tex>{'X'}</Tex>}
          value={NS_INPUTS}
          rowLabels={NS_TOKEN_LABELS}
        />
      </div>
      <p>
        <RestoreDefaultsButton edited={edited} defaults={NS_DEFAULT_WEIGHTS} set={set} />
      </p>

      <h2>The right inverse, computed</h2>
      {inversion.ok ? (
        <RightInverseView
          detail={inversion.detail}
          revealed={projectorRevealed}
          onRevealed={() => setProjectorRevealed(true)}
        />
      ) : (
        <div className="notice-error" role="alert" data-testid="rank-refusal">
          <p>
            The engine refuses option 1 for this <Tex>{'W_K'}</Tex>: {inversion.error}
          </p>
          {inversion.deficiency && (
            <p
              data-testid="rank-z"
              data-z={inversion.deficiency.z.values.join(',')}
              data-gap={inversion.deficiency.valueGap.values.join(',')}
            >
              Its rank is {inversion.deficiency.rank}, less than <Tex>{`d = ${NS_D}`}</Tex>: with{' '}
              <Tex>{`z = (${inversion.deficiency.z.text.join(',\\ ')})`}</Tex>,{' '}
              <Tex>{'z\\,W_K = 0'}</Tex>, so the inputs <Tex>{'x'}</Tex> and <Tex>{'x + z'}</Tex>{' '}
              get the same key, while their values differ by{' '}
              <Tex>{`z\\,W_V = (${inversion.deficiency.valueGap.text.join(',\\ ')})`}</Tex>. No
              function of <Tex>{'K'}</Tex> can give <Tex>{'V'}</Tex>. The X-cache below does not
              invert anything and still works.
            </p>
          )}
        </div>
      )}

      <h2>Three layers, one output</h2>
      <p>
        The engine’s standard layer (K and V cached), slim option 1 (K cached,{' '}
        <Tex>{'V = K\\,W_{KV}'}</Tex> with the right inverse) and the X-cache, each given{' '}
        <Tex>{'x_1 \\dots x_3'}</Tex> as a prompt and then decoding <Tex>{'x_4'}</Tex>:
      </p>
      <p>
        <label>
          <input
            type="checkbox"
            checked={queryBias}
            onChange={(e) => setBias(e.target.checked ? 'on' : 'off')}
          />{' '}
          add a query bias <Tex>{`b_Q = (${NS_QUERY_BIAS.join(', ')})`}</Tex>
        </label>{' '}
        (the X-cache folds it into its scores,{' '}
        <Tex>{'\\big((x\\,W_{Q,i} + b_{Q,i})\\,W_{K,i}^\\top\\big)X^\\top'}</Tex>)
      </p>
      <DiffTable
        ariaLabel="non-square slim versus standard"
        heading="max |Δ| of the output"
        testId="ns"
        f64={f64}
        f32={f32}
        rows={DIFF_ROWS}
      />
      <MatrixView
        label="layer outputs"
        caption={<>Output for {NS_TOKEN_LABELS[NS_INPUTS.length - 1]} (float64)</>}
        value={outputRows.map((o) => o.row)}
        rowLabels={outputRows.map((o) => o.name)}
      />
      <CacheTable runs={f32} />

      <h2>When W_K has rank below d</h2>
      <p>
        The right inverse needs <Tex>{'W_K W_K^\\top'}</Tex> to be invertible, that is{' '}
        <Tex>{'W_K'}</Tex>’s {NS_D} rows must be independent (rank <Tex>{'d'}</Tex>). Make the
        second row twice the first and watch option 1 be refused while the X-cache carries on.
      </p>
      <p>
        <button
          type="button"
          className="secondary"
          disabled={alreadyRankOne}
          onClick={() => set('wK', rankOne)}
        >
          Make W_K rank 1
        </button>{' '}
        <RestoreDefaultsButton
          edited={sameMatrix(weights.wK, NS_DEFAULT_WEIGHTS.wK) ? [] : (['wK'] as const)}
          defaults={NS_DEFAULT_WEIGHTS}
          set={set}
        >
          Restore W_K
        </RestoreDefaultsButton>
      </p>
      {!inversion.ok && (
        <p data-testid="rank-status">
          Option 1 is refused now (the engine’s message is under “The right inverse, computed”
          above), and the X-cache still gives the standard output: max |Δ|{' '}
          {formatNumber(f64.maxDiff.xCacheVsStandard, 3)} in float64,{' '}
          {formatNumber(f32.maxDiff.xCacheVsStandard, 3)} in float32.
        </p>
      )}
    </>
  );
}

const DIFF_ROWS: readonly DiffRow<NonSquareRuns>[] = [
  {
    name: 'option 1 (right inverse) vs standard',
    key: 'o1',
    pick: (r) => r.maxDiff.option1VsStandard,
  },
  { name: 'X-cache vs standard', key: 'x', pick: (r) => r.maxDiff.xCacheVsStandard },
];

function RightInverseView({
  detail,
  revealed,
  onRevealed,
}: {
  detail: RightInverseDetail;
  revealed: boolean;
  onRevealed: () => void;
}) {
  const isIdentity = detail.projectorVsIdentity <= MATCH;
  const keepsK = detail.KBackError <= MATCH;
  // A unit row the projection moves (one exists: W_K⁺W_K has rank d < e, so it is not I_e).
  const moved = detail.projector.findIndex((row, i) =>
    row.some((x, j) => Math.abs(x - (i === j ? 1 : 0)) > MATCH),
  );
  const unit = Array.from({ length: NS_E }, (_, j) => (j === moved ? 1 : 0));
  return (
    <>
      <div className="matrix-row">
        <MatrixView
          label="right inverse"
          caption={<Tex>{'W_K^{+}\\ (e \\times d)'}</Tex>}
          value={detail.wKPlus}
          renderCell={cleanCells(detail.wKPlus)}
        />
        <MatrixView
          label="W_K times its right inverse"
          caption={<Tex>{'W_K W_K^{+} = I_d'}</Tex>}
          value={detail.wKwKPlus}
          renderCell={cleanCells(detail.wKwKPlus)}
        />
      </div>
      <p className="small">
        Entries below {formatNumber(ROUND_OFF, 1)} times the largest entry of their matrix are
        float64 round-off of an exact 0 (the engine computes the right inverse through a QR
        factorization) and are shown as 0.
      </p>
      <LessonCheckpoint
        id="right-inverse-product"
        onRevealed={onRevealed}
        question={
          <>
            <Tex>{'W_K W_K^{+}'}</Tex> is the <Tex>{`${NS_D} \\times ${NS_D}`}</Tex> identity. What
            is the product the other way round, <Tex>{'W_K^{+} W_K'}</Tex> (
            <Tex>{`${NS_E} \\times ${NS_E}`}</Tex>)?
          </>
        }
        choices={[
          { label: 'The 4 × 4 identity', correct: isIdentity },
          {
            label: 'Not the identity, but it leaves every row of K = XW_K unchanged',
            correct: !isIdentity && keepsK,
          },
          {
            label: 'Not the identity, and it changes the rows of K, so V from K is approximate',
            correct: !isIdentity && !keepsK,
          },
        ]}
        explanation={
          <p>
            A product of a <Tex>{`${NS_E} \\times ${NS_D}`}</Tex> and a{' '}
            <Tex>{`${NS_D} \\times ${NS_E}`}</Tex> matrix has rank at most {NS_D}, so it cannot be
            the identity of size {NS_E}. It is a projection onto the row space of <Tex>{'W_K'}</Tex>
            : it keeps the combinations of <Tex>{'W_K'}</Tex>’s rows and removes everything else.
            Every key <Tex>{'k = xW_K'}</Tex> is such a combination, so{' '}
            <Tex>{'K\\,W_K^{+} W_K = X W_K W_K^{+} W_K = X W_K = K'}</Tex>, and{' '}
            <Tex>{'K\\,W_{KV}'}</Tex> is exactly <Tex>{'V'}</Tex>.
          </p>
        }
      />
      {revealed ? (
        <>
          <div className="matrix-row">
            <MatrixView
              label="projection"
              caption={<Tex>{'W_K^{+} W_K'}</Tex>}
              value={detail.projector}
              renderCell={cleanCells(detail.projector)}
            />
            <MatrixView
              label="K"
              caption={<Tex>{'K = XW_K'}</Tex>}
              value={detail.K}
              rowLabels={NS_TOKEN_LABELS}
            />
            <MatrixView
              label="K projected"
              caption={<Tex>{'K\\,W_K^{+} W_K'}</Tex>}
              value={detail.KBack}
              renderCell={cleanCells(detail.KBack)}
              rowLabels={NS_TOKEN_LABELS}
            />
          </div>
          <p>
            max |Δ| of <Tex>{'W_K^{+} W_K'}</Tex> against <Tex>{'I_4'}</Tex>:{' '}
            <strong data-testid="projector-vs-identity">
              {formatNumber(detail.projectorVsIdentity, 3)}
            </strong>
            ; of <Tex>{'K\\,W_K^{+} W_K'}</Tex> against <Tex>{'K'}</Tex>:{' '}
            <strong data-testid="k-back-error">{formatNumber(detail.KBackError, 3)}</strong>{' '}
            (float64).
            {moved >= 0 && (
              <>
                {' '}
                A row that <Tex>{'W_K'}</Tex> could not have made does change:{' '}
                <Tex>{`(${unit.join(', ')})\\,W_K^{+} W_K`}</Tex> is row {moved + 1} of the
                projection, ({detail.projector[moved].map(cleanCells(detail.projector)).join(', ')}
                ).
              </>
            )}
          </p>
          <div className="matrix-row">
            <MatrixView
              label="W_KV"
              caption={<Tex>{'W_{KV} = W_K^{+} W_V\\ (e \\times e)'}</Tex>}
              value={detail.wKV}
              renderCell={cleanCells(detail.wKV)}
            />
            <MatrixView
              label="V"
              caption={<Tex>{'V = XW_V'}</Tex>}
              value={detail.V}
              rowLabels={NS_TOKEN_LABELS}
            />
            <MatrixView
              label="V from K"
              caption={<Tex>{'K\\,W_{KV}'}</Tex>}
              value={detail.VFromK}
              renderCell={cleanCells(detail.VFromK)}
              rowLabels={NS_TOKEN_LABELS}
            />
          </div>
          <p>
            max |Δ| of <Tex>{'K\\,W_{KV}'}</Tex> against <Tex>{'V'}</Tex>:{' '}
            <strong data-testid="v-from-k-error">{formatNumber(detail.VFromKError, 3)}</strong>{' '}
            (float64). <Tex>{'W_{KV}'}</Tex> has {NS_E}·{NS_E} entries where <Tex>{'W_V'}</Tex> has{' '}
            {NS_D}·{NS_E}.
          </p>
        </>
      ) : (
        <p className="small">
          <Tex>{'W_K^{+} W_K'}</Tex>, <Tex>{'W_{KV}'}</Tex> and <Tex>{'V'}</Tex> from{' '}
          <Tex>{'K'}</Tex> appear once the prediction above is answered.
        </p>
      )}
    </>
  );
}

/** Values and bytes per token each layer cached (engine, float32), beside the cost model's. */
function CacheTable({ runs }: { runs: NonSquareRuns }) {
  const n = NS_INPUTS.length;
  const rows = [
    { name: 'standard: K and V', run: runs.runs.standard, model: kvCacheWidth(NS_SHAPE) },
    { name: 'option 1: K', run: runs.runs.option1, model: keyWidth(NS_SHAPE) },
    { name: 'X-cache: X', run: runs.runs.xCache, model: xCacheValues(NS_SHAPE, 1) },
  ];
  return (
    <>
      <p>
        What each layer holds after the {n} tokens, per token (the engine’s cache statistics on the
        float32 backend, beside the cost model’s formula):
      </p>
      <table className="diff-table" aria-label="toy cache per token">
        <ColumnHeads columns={['cache', 'values per token', 'bytes per token', 'cost model']} />
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.name} data-testid={`toy-cache-${i}`}>
              <th scope="row">{r.name}</th>
              <td>{r.run ? formatCount(r.run.cache.values / n) : '—'}</td>
              <td>{r.run ? formatCount(r.run.cache.bytes / n) : '—'}</td>
              <td>{formatCount(r.model)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
