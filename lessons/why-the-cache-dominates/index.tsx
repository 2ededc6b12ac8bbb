import { useMemo, useState } from 'react';
import type * as Plot from '@observablehq/plot';
import { contextChart, labelledRule, seriesLines } from '../../components/charts/marks';
import { enumCodec, numberCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { BatchSlider, clampStep, PowerOfTwoSlider } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { formatBytes, formatCount, formatNumber } from '../../components/format';
import {
  chips,
  decodeStepTimes,
  generateComplexity,
  memoryReport,
  requireModel,
  standardCacheValues,
} from '../../roofline';

/** paper §1's worked example, at 1 byte per value (int8) as the paper counts it. */
const MODEL = requireModel('phi-3-mini-128k');
const BYTES_PER_VALUE = 1;
/** Context slider: powers of two from 1K to the model's 128K. */
const CTX_EXP = { min: 10, max: Math.log2(MODEL.contextLength ?? 131072) };
const BATCH_EXP = { min: 0, max: 6 };
const PAPER_CHIPS = chips.filter((c) => c.paperTable3);
const CHIP_IDS = PAPER_CHIPS.map((c) => c.id);
const chipCodec = enumCodec(CHIP_IDS);
const DEFAULT_CHIP = CHIP_IDS.includes('nvidia-h200') ? 'nvidia-h200' : CHIP_IDS[0];

/** Paper Table 2's standard column for one layer of the model at batch 1: OPs per value read. */
const DERIVE = generateComplexity({ d: MODEL.d, h: MODEL.heads, n: 1024 }).vanilla;

const tokens = (n: number) => (n >= 1024 ? `${formatCount(n / 1024)}K` : formatCount(n));
const report = (contextLength: number, batch: number) =>
  memoryReport(MODEL, { contextLength, batch, bytesPerValue: BYTES_PER_VALUE });

/**
 * Bytes against context for one batch size, from the shared chart helpers
 * (components/charts/marks.ts): the parameters as a labelled rule (they do not grow with n), the
 * two caches as series lines. The current n is PlotFigure's marker, moved without a rebuild.
 */
function memoryChart(batch: number): Plot.PlotOptions {
  const xs = Array.from(
    { length: CTX_EXP.max - CTX_EXP.min + 1 },
    (_, i) => 2 ** (CTX_EXP.min + i),
  );
  const kv = `KV-cache (batch ${batch})`;
  const slim = `slim K-cache (batch ${batch})`;
  const series = xs.flatMap((x) => {
    const m = report(x, batch);
    return [
      { contextLength: x, bytes: m.kvCacheBytes.standard, label: kv },
      { contextLength: x, bytes: m.kvCacheBytes.slim, label: slim },
    ];
  });
  const paramBytes = report(xs[0], batch).paramBytes;
  const chart = contextChart({
    height: 280,
    marginLeft: 60,
    y: { type: 'log', label: '↑ bytes' },
    yUnit: 'bytes',
    color: { legend: true, domain: [kv, slim], range: ['var(--accent-2)', 'var(--accent)'] },
  });
  return {
    ...chart,
    x: { ...chart.x, base: 2, tickFormat: tokens },
    marks: [
      ...labelledRule(paramBytes, `parameters, ${formatBytes(paramBytes)}`, {
        x: xs[0],
        stroke: 'var(--muted)',
      }),
      ...seriesLines(series, {
        y: 'bytes',
        tip: (d) =>
          `${d.label}: ${formatBytes(d.bytes)} at ${formatCount(d.contextLength)} tokens.`,
      }),
    ],
  };
}

export function CacheLesson() {
  const [ctxExp, setCtxExp] = useLessonState('ctx', numberCodec, 12);
  const [batchExp, setBatchExp] = useLessonState('batch', numberCodec, 0);
  const [chipId, setChipId] = useLessonState('chip', chipCodec, DEFAULT_CHIP);
  const e = clampStep(ctxExp, CTX_EXP.min, CTX_EXP.max);
  const b = clampStep(batchExp, BATCH_EXP.min, BATCH_EXP.max);
  const n = 2 ** e;
  const batch = 2 ** b;
  const chip = PAPER_CHIPS.find((c) => c.id === chipId) ?? PAPER_CHIPS[0];
  // The chart shows where the cache crosses the parameters, and the step times the speedup: each
  // answers a checkpoint, so each appears once its question is answered.
  const [crossoverRevealed, setCrossoverRevealed] = useState(false);
  const [speedupRevealed, setSpeedupRevealed] = useState(false);

  const r = report(n, batch);
  const times = decodeStepTimes(MODEL, chip, 'int8', {
    contextLength: n,
    batch,
    bytesPerValue: BYTES_PER_VALUE,
  });
  const cacheWins = r.kvCacheBytes.standard > r.paramBytes;

  const plotOptions = useMemo(() => memoryChart(batch), [batch]);

  // Where one sequence's cache reaches the parameters: cache values grow by 2·d·layers per token.
  const perToken = standardCacheValues(MODEL, 1, 1);
  const crossover = Math.ceil(MODEL.params / perToken);
  const crossoverChoices = [...new Set([crossover / 10, crossover, MODEL.contextLength ?? 0])];
  const full = MODEL.contextLength ?? n;
  const s1 = report(full, 1).decodeSpeedup;
  const s16 = report(full, 16).decodeSpeedup;

  return (
    <>
      <p>
        A language model writes one token at a time. To produce token <Tex>{'n'}</Tex>, every layer
        compares the new query with the keys of <em>all</em> earlier tokens and mixes their values.
        Recomputing those keys and values every step would be wasteful, so they are kept: the{' '}
        <strong>KV-cache</strong>. Its size per sequence (paper §1):
      </p>
      <Tex block>
        {'\\text{KV-cache} = 2 \\cdot d \\cdot \\text{layers} \\cdot n \\ \\text{values}'}
      </Tex>
      <p>
        Take {MODEL.name}: d = {formatCount(MODEL.d)}, {MODEL.layers} layers,{' '}
        {formatNumber(MODEL.params / 1e9, 2)}B parameters, at {BYTES_PER_VALUE} byte per value. Each
        decode step reads every parameter once, and the whole cache of every sequence in the batch.
        Grow the context and the batch:
      </p>
      <LessonCheckpoint
        id="crossover"
        onRevealed={setCrossoverRevealed}
        question={
          <>
            Predict before you touch the sliders: for one sequence (B = 1), at about what context
            length does the KV-cache become larger than all {formatNumber(MODEL.params / 1e9, 2)}B
            parameters?
          </>
        }
        choices={crossoverChoices.map((c) => ({
          label: `about ${tokens(Math.round(c))} tokens`,
          correct: c === crossover,
        }))}
        explanation={
          <p>
            Each token adds 2 · {formatCount(MODEL.d)} · {MODEL.layers} = {formatCount(perToken)}{' '}
            values. {formatCount(MODEL.params)} / {formatCount(perToken)} ≈ {formatCount(crossover)}{' '}
            tokens — about a seventh of the 128K context.
          </p>
        }
      />
      <div className="controls">
        <PowerOfTwoSlider
          label="context length n"
          range={CTX_EXP}
          exponent={e}
          onChange={setCtxExp}
          text={(x) => `${tokens(x)} tokens`}
        />
        <BatchSlider range={BATCH_EXP} exponent={b} onChange={setBatchExp} />
      </div>
      <dl className="numbers" aria-live="polite">
        <div>
          <dt>parameters</dt>
          <dd data-testid="param-bytes">{formatBytes(r.paramBytes)}</dd>
        </div>
        <div>
          <dt>KV-cache (B = {batch})</dt>
          <dd data-testid="kv-bytes" className={cacheWins ? 'bad' : undefined}>
            {formatBytes(r.kvCacheBytes.standard)}
          </dd>
        </div>
        <div>
          <dt>slim K-cache</dt>
          <dd data-testid="slim-bytes">{formatBytes(r.kvCacheBytes.slim)}</dd>
        </div>
        <div>
          <dt>read per step: standard → slim</dt>
          <dd data-testid="total-bytes">
            {formatBytes(r.totalBytes.standard)} → {formatBytes(r.totalBytes.slim)}
          </dd>
        </div>
      </dl>
      <p>
        {cacheWins
          ? `The cache is now ${formatNumber(r.kvCacheBytes.standard / r.paramBytes, 3)}× the size of the model itself.`
          : `The cache is still ${formatNumber(r.kvCacheBytes.standard / r.paramBytes, 3)}× the parameters; keep growing the context or the batch.`}
      </p>
      {crossoverRevealed ? (
        <PlotFigure
          ariaLabel="Bytes of parameters and caches against context length"
          options={plotOptions}
          markerX={n}
        />
      ) : (
        <p className="small">
          The chart of bytes against context length appears once the question above is answered.
        </p>
      )}

      <h2>Decode waits for memory</h2>
      <p>
        A decode step does about 2 OPs per value it reads. Every value it reads, a weight or a
        cached key or value, is used once for the one new token: multiplied by one number and added
        to a running sum, 2 OPs. Paper Table 2 counts it for a layer at batch 1: the projections do{' '}
        <Tex>{'8d^2'}</Tex> OPs reading <Tex>{'4d^2'}</Tex> weights, the attention core{' '}
        <Tex>{'4nd'}</Tex> OPs reading <Tex>{'2nd'}</Tex> cached values,{' '}
        <span data-testid="ops-per-value">
          {formatNumber(DERIVE.projection.intensity)} and {formatNumber(DERIVE.mha.intensity)}
        </span>{' '}
        OPs per value. That is far below what chips can compute per byte they can fetch (paper Table
        3). So the step takes roughly{' '}
        <Tex>{'\\text{time} \\approx \\text{bytes read} / \\text{bandwidth}'}</Tex>, and reading
        half the cache is almost twice as fast once the cache dominates.
      </p>
      <LessonCheckpoint
        id="batch-speedup"
        onRevealed={setSpeedupRevealed}
        question={
          <>
            At the full {tokens(full)} context with a batch of 16, memory bound: how much faster is
            a decode step with the slim cache?
          </>
        }
        choices={[s1, s16, 4]
          .sort((a, b) => a - b)
          .map((s) => ({ label: `${formatNumber(s, 3)}×`, correct: s === s16 }))}
        explanation={
          <p>
            Bytes read fall from {formatBytes(report(full, 16).totalBytes.standard)} to{' '}
            {formatBytes(report(full, 16).totalBytes.slim)}: {formatNumber(s16, 3)}×. With many
            sequences the cache dominates even more, so the gain nears the full 2×; at batch 1 it is{' '}
            {formatNumber(s1, 3)}×. It can never exceed 2×: only the cache halves.
          </p>
        }
      />
      <label className="select">
        chip{' '}
        <select value={chip.id} onChange={(ev) => setChipId(ev.target.value)}>
          {PAPER_CHIPS.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      {speedupRevealed ? (
        <p aria-live="polite">
          On {chip.name} ({formatCount(chip.memoryBandwidth / 1e9)} GB/s): one step takes{' '}
          <strong data-testid="time-standard">
            {formatNumber(times.standard.seconds * 1e3, 3)} ms
          </strong>{' '}
          standard ({times.standard.bound} bound) vs{' '}
          <strong data-testid="time-slim">{formatNumber(times.slim.seconds * 1e3, 3)} ms</strong>{' '}
          slim: <strong data-testid="speedup">{formatNumber(times.speedup, 3)}×</strong> faster.
        </p>
      ) : (
        <p className="small">
          The step times on the chosen chip appear once the question above is answered.
        </p>
      )}
      <p>
        The next lessons show how slim attention drops V from the cache without changing a single
        output value.
      </p>
    </>
  );
}
