import { useMemo, useState } from 'react';
import { enumCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { DiffTable, type DiffRow } from '../common/PathDiffTable';
import { TitleText } from '../common/TitleText';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
import { projectionRatio } from '../../roofline';
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
} from './toy';
import { RestoreDefaultsButton, ToyMatrixEditor, sameMatrix } from '../common/WeightsPanel';
import { RightInverseView } from './RightInverseView';
import { ToyCacheTable } from './ToyCacheTable';
import { useNonSquareWeights } from './useNonSquareWeights';

const NAMES: readonly (keyof NonSquareWeights)[] = ['wQ', 'wK', 'wV'];
const TEX: Record<keyof NonSquareWeights, string> = { wQ: 'W_Q', wK: 'W_K', wV: 'W_V' };

/** The d = 2, e = 4 toy: its weights, its right inverse, three layers and a rank-1 W_K. */
export function NonSquareToy() {
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
      ['right inverse', f64.runs.option1],
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
          onRevealed={setProjectorRevealed}
        />
      ) : (
        <div className="notice-error" role="alert" data-testid="rank-refusal">
          <p>
            The engine refuses the right inverse for this <Tex>{'W_K'}</Tex>:{' '}
            <TitleText text={inversion.error} />
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
        The engine’s standard layer (K and V cached), slim with the right inverse (K cached,{' '}
        <Tex>{'V = K\\,W_{KV}'}</Tex>) and the X-cache, each given <Tex>{'x_1 \\dots x_3'}</Tex> as
        a prompt and then decoding <Tex>{'x_4'}</Tex>:
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
      <ToyCacheTable runs={f32} />

      <h2>
        When <Tex>{'W_K'}</Tex> has rank below d
      </h2>
      <p>
        The right inverse needs <Tex>{'W_K W_K^\\top'}</Tex> to be invertible, that is{' '}
        <Tex>{'W_K'}</Tex>’s {NS_D} rows must be independent (rank <Tex>{'d'}</Tex>). Make the
        second row twice the first and watch the right inverse be refused while the X-cache carries
        on.
      </p>
      <p>
        <button
          type="button"
          className="secondary"
          disabled={alreadyRankOne}
          onClick={() => set('wK', rankOne)}
        >
          <TitleText text="Make W_K rank 1" named />
        </button>{' '}
        <RestoreDefaultsButton
          edited={sameMatrix(weights.wK, NS_DEFAULT_WEIGHTS.wK) ? [] : (['wK'] as const)}
          defaults={NS_DEFAULT_WEIGHTS}
          set={set}
        >
          <TitleText text="Restore W_K" named />
        </RestoreDefaultsButton>
      </p>
      {!inversion.ok && (
        <p data-testid="rank-status">
          The right inverse is refused now (the engine’s message is under “The right inverse,
          computed” above), and the X-cache still gives the standard output: max |Δ|{' '}
          {formatNumber(f64.maxDiff.xCacheVsStandard, 3)} in float64,{' '}
          {formatNumber(f32.maxDiff.xCacheVsStandard, 3)} in float32.
        </p>
      )}
    </>
  );
}

const DIFF_ROWS: readonly DiffRow<NonSquareRuns>[] = [
  {
    name: 'right inverse vs standard',
    key: 'o1',
    pick: (r) => r.maxDiff.option1VsStandard,
  },
  { name: 'X-cache vs standard', key: 'x', pick: (r) => r.maxDiff.xCacheVsStandard },
];
