import { useEffect, useMemo, useState } from 'react';
import * as Plot from '@observablehq/plot';
import {
  UNIT_ROUNDOFF,
  roundingErrorEstimate,
  type LayerPrecision,
  type StorageFormat,
} from '../../engine';
import { paperPrecisionStudy } from '../../roofline';
import { ColumnHeads } from '../../components/ColumnHeads';
import { numberCodec } from '../../components/useUrlState';
import { MatrixView } from '../../components/MatrixView';
import { Slider } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { contextChart, seriesColors, seriesLines } from '../../components/charts/marks';
import { formatNumber } from '../../components/format';
import { LayerReportTable, formatRebuildError as err } from '../../components/LayerReportTable';
import { DEFAULT_MODELS, defaultModelsBase } from '../../components/defaultModels';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { SIGMA_EXPONENTS, TOY_WV, toySweep, type ToyPrecision } from './toy';
import type { MeasureProgress, ModelPrecision } from './measure';
import { startPrecisionWorker } from './client';
import { PathDiffTable } from '../common/PathDiffTable';
import { invertWk, nearSingular } from '../common/inversion';
import { SENTENCE_IDS, compareVariants, type PathOutputs } from '../common/toyRuns';
import { tokenText } from '../common/toyData';
import { useToyWeights } from '../common/useToyWeights';
import './precision.css';

const PAPER = 'https://arxiv.org/abs/2503.05840';
/** The default slider position: σ₂ = 0.1, cond(W_K) = 10. */
const DEFAULT_EXPONENT = -1;
/** The first checkpoint asks about float16 at cond(W_K) = 10⁴, the second about 10⁶. */
const ASK_F16_EXPONENT = -4;
const ASK_DIRECTION_EXPONENT = -6;
const FORMATS: readonly StorageFormat[] = ['float64', 'float32', 'float16', 'bfloat16'];

/** Three significant digits. */
const fmt = (x: number): string => formatNumber(x, 3);

/** The slider's nearest quarter decade (a hand-edited link may lie between, or outside). */
function sweepIndex(exponent: number): number {
  const i = Math.round(-exponent * 4);
  return Math.min(SIGMA_EXPONENTS.length - 1, Math.max(0, Number.isFinite(i) ? i : 4));
}

const F32 = 'float32, measured';
const F16 = 'float16, measured';
const F32_RULE = 'cond × u, float32';
const F16_RULE = 'cond × u, float16';
const FLOOR = 1e-9;
const CEILING = 10;

/** Powers of ten from lo to hi (one tick per decade). */
const decades = (lo: number, hi: number) =>
  Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));

/**
 * Error against cond(W_K), log-log: the measured float32 (and, once revealed, float16) error of
 * V rebuilt from K, the rule of thumb cond × u dashed, the slider's W_K as dots.
 */
function errorChart(sweep: readonly ToyPrecision[], index: number, withF16: boolean) {
  type Point = { cond: number; err: number; label: string };
  const measured = (f: 'f32KtoV' | 'f16KtoV', label: string): Point[] =>
    sweep
      .filter((p) => Number.isFinite(p.row[f]))
      .map((p) => ({ cond: p.row.condK, err: Math.max(p.row[f], FLOOR), label }));
  const rule = (format: StorageFormat, label: string): Point[] =>
    sweep.map((p) => ({
      cond: p.row.condK,
      err: Math.min(roundingErrorEstimate(p.row.condK, format), CEILING),
      label,
    }));
  const f32 = measured('f32KtoV', F32);
  const f16 = withF16 ? measured('f16KtoV', F16) : [];
  const here = sweep[index].row;
  const dots = [
    { cond: here.condK, err: Math.max(here.f32KtoV, FLOOR), label: F32 },
    ...(withF16 && Number.isFinite(here.f16KtoV)
      ? [{ cond: here.condK, err: Math.max(here.f16KtoV, FLOOR), label: F16 }]
      : []),
  ];
  const domain = withF16 ? [F32, F16, F32_RULE, F16_RULE] : [F32, F32_RULE];
  const range = withF16
    ? [seriesColors.slim, seriesColors['v-first'], seriesColors.slim, seriesColors['v-first']]
    : [seriesColors.slim, seriesColors.slim];
  const chart = contextChart({
    height: 280,
    xLabel: 'cond(W_K) →',
    y: { type: 'log', label: '↑ relative error of V', domain: [FLOOR, CEILING] },
    yUnit: 'count',
    color: { legend: true, domain, range },
  });
  const tip = (d: Point) =>
    `${d.label}: relative error ${fmt(d.err)} at cond(W_K) = ${fmt(d.cond)}.`;
  return {
    ...chart,
    marginRight: 24,
    // A tick every second decade: five labels fit a phone's width.
    x: { ...chart.x, grid: true, ticks: decades(0, 8).filter((_, i) => i % 2 === 0) },
    y: { ...chart.y, ticks: decades(-9, 1) },
    marks: [
      ...[rule('float32', F32_RULE), ...(withF16 ? [rule('float16', F16_RULE)] : [])].map((r) =>
        Plot.line(r, { x: 'cond', y: 'err', stroke: 'label', strokeDasharray: '4 4' }),
      ),
      ...seriesLines([...f32, ...f16], { x: 'cond', y: 'err', tip }),
      Plot.dot(dots, { x: 'cond', y: 'err', r: 5, fill: 'label', stroke: 'currentColor' }),
    ],
  };
}

export function PrecisionLesson() {
  const [exponent, setExponent] = useLessonState('sigma', numberCodec, DEFAULT_EXPONENT);
  const sweep = toySweep();
  const index = sweepIndex(exponent);
  const toy = sweep[index];
  const { row } = toy;
  const [f16Revealed, setF16Revealed] = useState(false);
  const [directionRevealed, setDirectionRevealed] = useState(false);
  const chart = useMemo(() => errorChart(sweep, index, f16Revealed), [sweep, index, f16Revealed]);

  const askF16 = sweep[sweepIndex(ASK_F16_EXPONENT)].row;
  const f16Answer = askF16.f16KtoV;
  // Three orders of magnitude; the right one is the nearest to the measured error.
  const f16Choices = [
    { label: 'About 10⁻⁷, as small as float32 gets', value: 1e-7 },
    { label: 'About 5·10⁻⁴, float16’s own rounding', value: UNIT_ROUNDOFF.float16 },
    { label: 'Around 1: most of V is lost', value: 1 },
  ];
  const nearest = f16Choices.reduce((best, c) =>
    Math.abs(Math.log10(c.value / f16Answer)) < Math.abs(Math.log10(best.value / f16Answer))
      ? c
      : best,
  );
  const askDirection = sweep[sweepIndex(ASK_DIRECTION_EXPONENT)].row;
  const vCacheWins = askDirection.f32VtoK < askDirection.f32KtoV;

  return (
    <>
      <p>
        Slim attention caches only K and rebuilds <Tex>{'V = K\\,W_{KV}'}</Tex> with{' '}
        <Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex> (lesson “Invert W_K”). In exact arithmetic that is the
        same V. A computer keeps every number with a fixed count of binary digits, and{' '}
        <a href={PAPER}>the paper’s Appendix A</a> names the catch: <Tex>{'W_K'}</Tex> can be
        invertible and still <em>badly conditioned</em>, and then the small rounding of each stored
        number grows into a large error in V. This lesson measures how large, on a 2×2 matrix you
        control and on every layer of the two models that ship with the app.
      </p>

      <h2>Rounding: the unit roundoff u</h2>
      <p>
        A number format keeps a fixed number of significant binary digits (bits). Storing a number
        rounds it to the nearest value the format has, which changes it by at most a fraction{' '}
        <Tex>{'u'}</Tex> of its size, the <em>unit roundoff</em>:{' '}
        <Tex>{'u = 2^{-\\text{bits}}'}</Tex>.
      </p>
      <table className="diff-table" aria-label="unit roundoff per number format">
        <ColumnHeads columns={['format', 'significant bits', 'u']} />
        <tbody>
          {FORMATS.map((f) => (
            <tr key={f}>
              <th scope="row">{f}</th>
              <td>{Math.round(-Math.log2(UNIT_ROUNDOFF[f]))}</td>
              <td data-testid={`u-${f}`}>{fmt(UNIT_ROUNDOFF[f])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Weights and caches of a model run in float32, float16 or bfloat16; float64 is what the
        conversion uses offline.
      </p>

      <h2>The condition number</h2>
      <p>
        Every matrix stretches some directions more than others. Its <em>singular values</em>{' '}
        <Tex>{'\\sigma_1 \\ge \\sigma_2 \\ge \\dots'}</Tex> are those stretch factors, and its
        condition number is the ratio of the largest to the smallest:{' '}
        <Tex>{'\\operatorname{cond}(W_K) = \\sigma_{\\max} / \\sigma_{\\min}'}</Tex>. Undoing{' '}
        <Tex>{'W_K'}</Tex> (multiplying by <Tex>{'W_K^{-1}'}</Tex>) shrinks the stretched directions
        and blows the squashed one up by <Tex>{'1/\\sigma_{\\min}'}</Tex>: a relative error already
        in K can come out up to <Tex>{'\\operatorname{cond}(W_K)'}</Tex> times larger in V.
      </p>

      <h2>A 2×2 W_K you can break</h2>
      <p>
        Here <Tex>{'W_K = U \\operatorname{diag}(1, \\sigma_2)\\, V^\\top'}</Tex> with two fixed
        rotations U and V, so its singular values are 1 and <Tex>{'\\sigma_2'}</Tex> and{' '}
        <Tex>{'\\operatorname{cond}(W_K) = 1/\\sigma_2'}</Tex>. Take the two inputs (1, 0) and (0,
        1): their keys are the rows of <Tex>{'W_K'}</Tex>, their values the rows of{' '}
        <Tex>{'W_V'}</Tex>, and slim attention rebuilds those values as <Tex>{'W_K W_{KV}'}</Tex>.
        The engine forms <Tex>{'W_{KV}'}</Tex> in float64, stores <Tex>{'W_K'}</Tex> and{' '}
        <Tex>{'W_{KV}'}</Tex> in the model’s format, multiplies them with float32 sums, and reports
        the relative error: the largest wrong entry over the largest entry of <Tex>{'W_V'}</Tex>.
      </p>
      <Slider
        label={
          <>
            <Tex>{'\\sigma_2'}</Tex>, the smaller singular value of <Tex>{'W_K'}</Tex>
          </>
        }
        min={SIGMA_EXPONENTS[SIGMA_EXPONENTS.length - 1]}
        max={0}
        step={0.25}
        value={toy.exponent}
        onChange={setExponent}
        valueText={`σ₂ = ${fmt(toy.sigma)}`}
      />
      <div className="matrix-row">
        <MatrixView label="toy W_K" caption={<Tex>{'W_K'}</Tex>} value={toy.wK} />
        <MatrixView label="toy W_V" caption={<Tex>{'W_V'}</Tex>} value={TOY_WV} />
        <MatrixView
          label="toy W_KV"
          caption={<Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex>}
          value={toy.wKV}
        />
      </div>
      <p aria-live="polite">
        cond(W_K) = <strong data-testid="toy-cond">{fmt(row.condK)}</strong>. V rebuilt in float32:
        relative error <strong data-testid="toy-f32">{err(row.f32KtoV)}</strong>; cond × u for
        float32 ={' '}
        <strong data-testid="toy-f32-rule">
          {fmt(roundingErrorEstimate(row.condK, 'float32'))}
        </strong>
        . Slide <Tex>{'\\sigma_2'}</Tex> down and watch the entries of <Tex>{'W_{KV}'}</Tex> grow
        like <Tex>{'1/\\sigma_2'}</Tex>, and the error with them.
      </p>

      <LessonCheckpoint
        id="fp16-error"
        onRevealed={() => setF16Revealed(true)}
        question={
          <>
            Now store the same weights in float16 (<Tex>{'u = 2^{-11}'}</Tex>, about 5·10⁻⁴). At
            cond(W_K) = 10⁴, roughly how large is the relative error of the rebuilt V?
          </>
        }
        choices={f16Choices.map((c) => ({ label: c.label, correct: c === nearest }))}
        explanation={
          <p>
            The engine measures <strong data-testid="ask-f16">{err(askF16.f16KtoV)}</strong> at
            cond(W_K) = {fmt(askF16.condK)}. The rule of thumb: the error is about{' '}
            <Tex>{'\\operatorname{cond}(W_K)\\cdot u'}</Tex> ={' '}
            {fmt(roundingErrorEstimate(askF16.condK, 'float16'))} here. A model stored in float16
            cannot use this <Tex>{'W_{KV}'}</Tex> at all.
          </p>
        }
      />
      {f16Revealed ? (
        <p aria-live="polite">
          float16 at the slider’s <Tex>{'W_K'}</Tex>: relative error{' '}
          <strong data-testid="toy-f16">{err(row.f16KtoV)}</strong>; cond × u for float16 ={' '}
          <strong data-testid="toy-f16-rule">
            {fmt(roundingErrorEstimate(row.condK, 'float16'))}
          </strong>
          .
        </p>
      ) : (
        <p className="small">The float16 error appears here once the prediction is revealed.</p>
      )}
      <PlotFigure
        ariaLabel="Relative error of V rebuilt from K against cond(W_K)"
        options={chart}
      />
      <p className="small">
        The rule of thumb, <Tex>{'\\text{error} \\approx \\operatorname{cond}(W_K)\\cdot u'}</Tex>{' '}
        (dashed), gives the size, not the exact value: the measured error (solid) wanders below it
        and is sometimes exactly 0 when every rounding happens to cancel (drawn at 10⁻⁹). Past 1
        nothing of V is left.
        {f16Revealed &&
          ' The float16 line stops where W_KV’s entries pass 65,504, the largest number float16 can hold: no float16 model can even store that W_KV.'}
      </p>

      <h2>The other direction: cache V, rebuild K</h2>
      <p>
        Nothing forces the choice of K. <a href={PAPER}>Appendix C</a> notes the mirror image for a
        model without RoPE: cache V and rebuild <Tex>{'K = V\\,W_{VK}'}</Tex> with{' '}
        <Tex>{'W_{VK} = W_V^{-1} W_K'}</Tex>. The same argument applies with the roles swapped: its
        error is about <Tex>{'\\operatorname{cond}(W_V)\\cdot u'}</Tex>. In the toy,{' '}
        <Tex>{'W_V'}</Tex> never moves: cond(W_V) ={' '}
        <strong data-testid="toy-condv">{fmt(row.condV)}</strong>.
      </p>
      <LessonCheckpoint
        id="better-direction"
        onRevealed={() => setDirectionRevealed(true)}
        question={
          <>
            At cond(W_K) = 10⁶ (<Tex>{'\\sigma_2'}</Tex> = 10⁻⁶), which rebuild is more accurate in
            float32?
          </>
        }
        choices={[
          { label: 'V from K (the K-cache)', correct: !vCacheWins },
          { label: 'K from V (the V-cache)', correct: vCacheWins },
          { label: 'Both the same: the cache holds the same number of values', correct: false },
        ]}
        explanation={
          <p>
            V from K errs by <strong data-testid="ask-ktov">{err(askDirection.f32KtoV)}</strong>, K
            from V by <strong data-testid="ask-vtok">{err(askDirection.f32VtoK)}</strong>: each
            direction inherits the condition number of the matrix it inverts, and here{' '}
            <Tex>{'W_V'}</Tex> is the well-conditioned one. Both caches are the same size, so
            nothing is lost by caching V instead.
          </p>
        }
      />
      {directionRevealed && (
        <>
          <table className="diff-table" aria-label="toy rebuild errors per direction">
            <ColumnHeads columns={['rebuild', 'inverts', 'cond', 'float32', 'float16']} />
            <tbody>
              <tr>
                <th scope="row">V from K (K-cache)</th>
                <td>W_K</td>
                <td>{fmt(row.condK)}</td>
                <td data-testid="toy-dir-f32-k">{err(row.f32KtoV)}</td>
                <td data-testid="toy-dir-f16-k">{err(row.f16KtoV)}</td>
              </tr>
              <tr>
                <th scope="row">K from V (V-cache)</th>
                <td>W_V</td>
                <td>{fmt(row.condV)}</td>
                <td data-testid="toy-dir-f32-v">{err(row.f32VtoK)}</td>
                <td data-testid="toy-dir-f16-v">{err(row.f16VtoK)}</td>
              </tr>
            </tbody>
          </table>
          <p>
            For this <Tex>{'W_K'}</Tex> the engine picks the{' '}
            <strong data-testid="toy-direction">
              {row.direction === 'v-cache' ? 'V-cache' : 'K-cache'}
            </strong>
            : it measures both float32 errors and keeps the smaller. A real model does this per
            layer, since each layer has its own <Tex>{'W_K'}</Tex> and <Tex>{'W_V'}</Tex>; a model
            with RoPE can only cache K (lesson “RoPE”).
          </p>
        </>
      )}

      <WholeLayer exponent={toy.exponent} />
      <RealLayers />
      <WhisperScale />
    </>
  );
}

/**
 * The same σ₂ on the toy head of the earlier lessons: row 4 of W_K slides toward row 2 by σ₂
 * (lesson 2's near-singular W_K), and the engine's attention layers run standard and both slim
 * orders in float64 and float32.
 */
function WholeLayer({ exponent }: { exponent: number }) {
  const { weights } = useToyWeights();
  const sigma = 10 ** exponent;
  const run = useMemo(():
    { cond: number; f64: PathOutputs; f32: PathOutputs } | { error: string } => {
    const wK = nearSingular(weights.wK, sigma);
    const inv = invertWk(wK, weights.wV);
    if (!inv.wKV) return { error: inv.error ?? 'W_K has no inverse.' };
    const w = { ...weights, wK };
    return {
      cond: inv.cond,
      f64: compareVariants(w, SENTENCE_IDS, {}, 'float64'),
      f32: compareVariants(w, SENTENCE_IDS, {}, 'float32'),
    };
  }, [weights, sigma]);
  return (
    <>
      <h2>In a whole attention layer</h2>
      <p>
        The same slider acts on the 4×4 toy head of the earlier lessons: row 4 of its{' '}
        <Tex>{'W_K'}</Tex> slides toward row 2,{' '}
        <Tex>{'\\text{row}_4 = \\text{row}_2 + \\sigma_2\\,(\\text{row}_4 - \\text{row}_2)'}</Tex>,
        as in lesson “Invert W_K”. The engine’s attention layers then run standard attention and
        both slim orders on “{SENTENCE_IDS.map(tokenText).join(' ')}”, and compare the last token’s
        output.
      </p>
      {'error' in run ? (
        <div className="notice-error" role="alert">
          <p>{run.error}</p>
        </div>
      ) : (
        <>
          <p aria-live="polite">
            cond(W_K) of the toy head: <strong data-testid="layer-cond">{fmt(run.cond)}</strong>.
          </p>
          <PathDiffTable
            ariaLabel="slim versus standard with the near-singular W_K"
            heading="max |Δ| of the output"
            testId="precision"
            f64={run.f64}
            f32={run.f32}
          />
          <p className="small">
            In float64 slim attention still equals standard attention; in float32 the difference
            grows with cond(W_K), as the 2×2 matrix predicted.
          </p>
        </>
      )}
    </>
  );
}

type Measure =
  | { state: 'running'; progress?: MeasureProgress }
  | { state: 'done'; models: ModelPrecision[] }
  | { state: 'error'; message: string };

/** The default models' layers, measured in the lesson's worker when the lesson opens. */
function RealLayers() {
  const [measure, setMeasure] = useState<Measure>({ state: 'running' });
  useEffect(() => {
    const worker = startPrecisionWorker();
    let live = true;
    worker
      .measure(defaultModelsBase(), (progress) => {
        if (live) setMeasure({ state: 'running', progress });
      })
      .then(
        (models) => live && setMeasure({ state: 'done', models }),
        (error: unknown) =>
          live &&
          setMeasure({
            state: 'error',
            message: error instanceof Error ? error.message : String(error),
          }),
      )
      .finally(() => worker.terminate());
    return () => {
      live = false;
      worker.terminate();
    };
  }, []);

  return (
    <>
      <h2>Real layers: the app’s two models</h2>
      <p>
        The same measurement on every layer of the two small models that ship with the app, run by
        the engine in a background worker: cond of both matrices, the float32 and float16 error of
        each direction, and the direction the engine chooses (the Playground’s per-layer check
        computes the same table).
      </p>
      <div className="precision-real" aria-busy={measure.state === 'running'}>
        {measure.state === 'running' && (
          <div role="status" data-testid="precision-progress">
            <progress
              max={measure.progress?.total ?? 1}
              value={measure.progress?.done ?? 0}
              aria-label="Measuring the layers"
            />{' '}
            {measure.progress
              ? `${measure.progress.done} / ${measure.progress.total} layers measured (${measure.progress.model})`
              : 'Loading the models…'}
          </div>
        )}
        {measure.state === 'error' && (
          <div className="notice-error" role="alert">
            <p>The layers could not be measured: {measure.message}</p>
          </div>
        )}
        {measure.state === 'done' && measure.models.map((m) => <ModelReport key={m.model} m={m} />)}
      </div>
    </>
  );
}

function ModelReport({ m }: { m: ModelPrecision }) {
  const rows: readonly LayerPrecision[] = m.rows;
  const maxCond = Math.max(...rows.map((r) => r.condK));
  const vCache = rows.filter((r) => r.direction === 'v-cache').length;
  const worst16 = Math.max(...rows.map((r) => r.f16KtoV ?? Infinity));
  return (
    <div data-testid={`real-${m.model}`}>
      <h3>
        {m.model}{' '}
        <span className="small">
          ({DEFAULT_MODELS[m.model]}; d = {m.d}, {rows.length} layers)
        </span>
      </h3>
      <LayerReportTable
        rows={rows}
        label={`${m.model} per-layer precision`}
        testId={`precision-report-${m.model}`}
      />
      <p>
        Largest cond(W_K): <strong data-testid={`${m.model}-max-cond`}>{fmt(maxCond)}</strong>;
        worst float16 error of V from K:{' '}
        <strong data-testid={`${m.model}-worst-f16`}>{err(worst16)}</strong>. The engine picks the
        V-cache in <strong data-testid={`${m.model}-v-layers`}>{vCache}</strong> of {rows.length}{' '}
        layers
        {m.rope
          ? ': this model uses RoPE, so every layer keeps the K-cache even where K from V would be more accurate.'
          : '.'}
      </p>
    </div>
  );
}

/** The published figures (Appendix A and the later study), with cond × u beside them. */
function WhisperScale() {
  const p = paperPrecisionStudy;
  const conds = [
    { what: 'median cond(W_K)', value: p.crossCondK.median, id: 'median' },
    { what: 'largest cond(W_K)', value: p.crossCondK.max, id: 'max' },
    { what: 'largest cond(W_V)', value: p.crossCondVMax, id: 'condv' },
  ];
  return (
    <>
      <h2>For scale: Whisper-large-v3</h2>
      <p>
        Large trained models can be far worse conditioned than these small ones. A later study by
        the authors’ collaborators, following <a href={PAPER}>Appendix A</a>, measured the
        cross-attention layers of {p.model}. Beside each published figure, the rule of thumb cond ×
        u: the size of error that condition number allows (measured errors are often smaller, but
        past 1 nothing is left).
      </p>
      <table className="diff-table" aria-label="published conditioning figures">
        <ColumnHeads
          columns={['cross-attention', 'published', 'cond × u, float32', 'cond × u, float16']}
        />
        <tbody>
          {conds.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.what}</th>
              <td data-testid={`paper-${c.id}`}>{c.value}</td>
              <td data-testid={`paper-${c.id}-f32`}>
                {fmt(roundingErrorEstimate(Number(c.value), 'float32'))}
              </td>
              <td data-testid={`paper-${c.id}-f16`}>
                {fmt(roundingErrorEstimate(Number(c.value), 'float16'))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="precision-notes">
        <li>
          Rebuilding V from K in every layer gave a relative logit error of{' '}
          <strong data-testid="paper-logit-k">{p.logitErrorFloat32.vFromK}</strong> even in float32;
          caching V and rebuilding K instead gave{' '}
          <strong data-testid="paper-logit-v">{p.logitErrorFloat32.vCache}</strong>.
        </li>
        <li>
          The better direction changes from layer to layer: the V-cache won in{' '}
          {p.vCacheBetter.map((b, i) => (
            <span key={b.model} data-testid={`paper-better-${b.model}`}>
              {i > 0 && ', and in '}
              {b.better} of {b.layers} layers of {b.model}
            </span>
          ))}
          .
        </li>
        <li>
          {p.lowPrecision.float16} {p.lowPrecision.bfloat16}
        </li>
        <li>
          {p.advice} With u = 2⁻⁵³ even cond = {p.crossCondK.max} costs only{' '}
          <strong data-testid="paper-max-f64">
            {fmt(roundingErrorEstimate(Number(p.crossCondK.max), 'float64'))}
          </strong>{' '}
          while forming <Tex>{'W_{KV}'}</Tex>; the error comes from running it in a shorter format.
        </li>
      </ul>
      <p>
        So before converting a model, measure: cond(W_K) and cond(W_V) per layer, the error of each
        direction in the format the model will run in, and keep the better direction per layer, or
        keep that layer standard. The engine forms every <Tex>{'W_{KV}'}</Tex> in float64, and the
        Playground’s per-layer check does this measurement for any checkpoint.
      </p>
    </>
  );
}
