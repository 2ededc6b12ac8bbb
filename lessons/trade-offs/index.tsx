import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import * as Plot from '@observablehq/plot';
import {
  contextChart,
  plotStyle,
  seriesColors,
  seriesLines,
  tickFormat,
  tokens,
} from '../../components/charts/marks';
import { ColumnHeads } from '../../components/ColumnHeads';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { enumCodec, numberCodec } from '../../components/useUrlState';
import { Slider, clampStep, PowerOfTwoSlider } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { formatBytes, formatCount, formatNumber } from '../../components/format';
import {
  bytesPerFormat,
  chips,
  computeDtype,
  decodeStepTimes,
  decodeStepWork,
  generateComplexity,
  option1SlowerFrom,
  option2CoreBelowFrom,
  option2CoreSpeedup,
  parseHfConfig,
  requireChip,
  requireModel,
  ridgePoint,
  slimCacheValues,
  slimPeakIntensity,
  standardCacheValues,
  table2Speedups,
  table2Times,
  type Chip,
} from '../../roofline';
import mobyGpt2Config from '../../public/models/moby-gpt2/config.json';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import './trade-offs.css';

const PAPER = 'https://arxiv.org/abs/2503.05840';
/** Paper Table 3 counts 1 byte per value (int8) against the int8 peak. */
const BYTES = 1;
/** Chips with an int8 peak (paper Table 3's unit), and the six of paper Table 3. */
const INT8_CHIPS = chips.filter((c) => c.peakOpsPerSecond.int8 !== undefined);
const PAPER_CHIPS = chips.filter((c) => c.paperTable3);
const chipCodec = enumCodec(INT8_CHIPS.map((c) => c.id));
const chipById = (id: string) => INT8_CHIPS.find((c) => c.id === id) ?? INT8_CHIPS[0];
const ridge = (c: Chip) => ridgePoint(c, 'int8');

/** A 7B-class layer, as lessons 4 and 5 use (d = 4,096, h = 32). */
const LAYER = { d: 4096, h: 32 };
/** The option 1 checkpoint's setup: n = 4,096 on NVIDIA H200. */
const CHECK_N = 4096;
const CHECK_CHIP = requireChip('nvidia-h200');
/** Context slider: powers of two, 16 … 128K; opens at 256 (memory bound on the default chip). */
const N_EXP = { min: 4, max: 17, start: 8 };
/** Head slider for option 2's attention core: head width d_k = 128, d = 128·h. */
const H_RANGE = { min: 1, max: 128, start: 32 };
const HEAD_DIM = 128;
const H64 = 64;
const M4 = requireChip('apple-m4-max');

/**
 * Measured in the Playground (not computed): moby-gpt2, greedy decoding of the default prompt
 * (15 tokens), 200 tokens asked for, the tokens per second the Playground reports for each side,
 * in headless Chromium on this project's development machine (no GPU; WebGL2 there is SwiftShader,
 * a CPU rasterizer). 'this version': two runs per backend of the engine as this lesson ships,
 * on 2026-12-01; 'earlier versions': the ranges earlier engine versions gave on that machine.
 */
const MEASURED = {
  model: 'moby-gpt2',
  steps: 200,
  runs: [
    {
      when: 'this version, 2 runs',
      backend: 'cpu',
      standard: [202.6, 226.7],
      slim: [106.4, 110.0],
    },
    { when: 'this version, 2 runs', backend: 'webgl', standard: [22.9, 26.3], slim: [22.9, 26.4] },
    { when: 'earlier versions', backend: 'cpu', standard: [137, 222], slim: [45, 57] },
    { when: 'earlier versions', backend: 'webgl', standard: [28, 35], slim: [18, 33] },
  ],
} as const;
const BACKEND_NAMES = { cpu: 'CPU', webgl: 'WebGL2 (SwiftShader)' } as const;
const MOBY = parseHfConfig(JSON.stringify(mobyGpt2Config)).model;

/** Phi-3-mini-128k at its full context (paper §1's worked example) for the formats FAQ. */
const PHI3 = requireModel('phi-3-mini-128k');
const PHI3_N = PHI3.contextLength ?? 131072;
const QUANT_FORMATS = ['fp16', 'int8', 'int4'] as const;

/** Whole decode steps a server might run (read in the explorer's default format, fp8). */
const SCENARIOS = [
  { model: 'phi-3-mini-128k', chip: 'nvidia-h200', batch: 16, n: 131072 },
  { model: 'phi-3-mini-128k', chip: 'nvidia-h200', batch: 1, n: 1024 },
  { model: 'aya-23-35b', chip: 'apple-m4-max', batch: 64, n: 8192 },
  { model: 'aya-23-35b', chip: 'apple-m4-max', batch: 64, n: 1024 },
] as const;

const ratio = (x: number) => `${formatNumber(x, 3)}×`;
const perByte = (x: number) => formatNumber(x, 6);
const range = (r: readonly [number, number]) => `${r[0]}–${r[1]}`;

/** Option 1 and option 2 against vanilla for one layer at context n (paper Table 2 on `chip`). */
const layerSpeedups = (chip: Chip, n: number) =>
  table2Speedups({ ...LAYER, n }, chip, 'int8', BYTES);

/** Option 2's attention core against vanilla's at h heads of width HEAD_DIM (int8 roofline). */
const coreSpeedup = (chip: Chip, h: number) => option2CoreSpeedup(chip, 'int8', h, HEAD_DIM, BYTES);

function ChipSelect({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <label className="select">
      {label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {INT8_CHIPS.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function TradeoffsLesson() {
  return (
    <>
      <p>
        Slim attention never changes an output value; it trades memory for arithmetic. It reads half
        the cache, but it must turn keys into values on the fly, which costs operations (OPs: one
        multiply or one add). Whether that trade pays depends on what a decode step waits for. A
        chip does at most <Tex>{'P'}</Tex> OPs per second (its peak) and reads at most{' '}
        <Tex>{'B'}</Tex> bytes per second (its memory bandwidth), so a piece of work takes (paper
        Table 3):
      </p>
      <Tex block>
        {
          't = \\max\\!\\Big(\\frac{\\text{OPs}}{P},\\ \\frac{\\text{bytes}}{B}\\Big),\\qquad I = \\frac{\\text{OPs}}{\\text{bytes}},\\qquad R = \\frac{P}{B}'
        }
      </Tex>
      <p>
        <Tex>{'I'}</Tex>, the <strong>arithmetic intensity</strong>, is how many OPs the work does
        per byte it reads; <Tex>{'R'}</Tex>, the chip’s <strong>ridge point</strong>, is where the
        two terms are equal. Below the ridge the work is <strong>memory bound</strong>: reading
        fewer bytes makes it faster, and slim attention’s halved cache pays. Above it the work is{' '}
        <strong>compute bound</strong>: extra OPs cost time directly. This lesson names the cases
        where slim attention is slower, and answers the usual questions about it (
        <a href={PAPER}>the paper</a>, §2 and Table 3).
      </p>
      <WhichPart />
      <Option1Section />
      <Option2Section />
      <MeasuredSection />
      <Faq />
    </>
  );
}

// ---------------------------------------------------------------- which part each figure is

/**
 * Paper Table 2 as formulas, per part of the layer: projections (OPs, reads, intensity), then
 * the attention core (OPs, reads, intensity). Plain integers are shown as text, the rest as TeX.
 */
const TABLE2_FORMULAS: readonly { label: string; cells: readonly string[] }[] = [
  { label: 'standard', cells: ['8d^2', '4d^2', '2', '4nd', '2nd', '2'] },
  { label: 'slim, option 1', cells: ['(2n+6)\\,d^2', '4d^2', '(n+3)/2', '4nd', 'nd', '4'] },
  { label: 'slim, option 2', cells: ['8d^2', '4d^2', '2', '2nd(h+1)', 'nd', '2h+2'] },
];

function WhichPart() {
  return (
    <>
      <h2>Which part of the layer each figure is about</h2>
      <p>
        Paper Table 2 splits one layer’s decode step into two parts. The{' '}
        <strong>projections</strong> multiply the new token by the weight matrices (
        <Tex>{'W_Q, W_K, W_O'}</Tex> and <Tex>{'W_V'}</Tex> or <Tex>{'W_{KV}'}</Tex>): they read{' '}
        <Tex>{'4d^2'}</Tex> weights. The <strong>attention core</strong> scores the query against
        the <Tex>{'n'}</Tex> cached keys and forms the weighted sum: it reads the cache. Here{' '}
        <Tex>{'d'}</Tex> is the model width, <Tex>{'h'}</Tex> the number of heads and{' '}
        <Tex>{'n'}</Tex> the number of cached tokens; intensities are OPs per value read.
      </p>
      <table className="diff-table" aria-label="paper Table 2 per part">
        <ColumnHeads
          columns={[
            '',
            'projections: OPs',
            'reads',
            'intensity',
            'attention core: OPs',
            'reads',
            'intensity',
          ]}
        />
        <tbody>
          {TABLE2_FORMULAS.map(({ label, cells }) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {cells.map((tex, i) => (
                <td key={i}>{/^\d+$/.test(tex) ? tex : <Tex>{tex}</Tex>}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Option 1 rebuilds all <Tex>{'n'}</Tex> value rows, <Tex>{'V = K\\,W_{KV}'}</Tex>, at every
        step. Table 2 books that product with the projections: its OPs grow with <Tex>{'n'}</Tex>{' '}
        while the weights read stay <Tex>{'4d^2'}</Tex>, so the projections’ intensity climbs with
        the context. Option 1’s attention core stays at 4. The figures you met earlier each look at
        one part:
      </p>
      <ul>
        <li>
          <Link to="/lessons/generate">Generate</Link> counts one head’s value side. For option 1,{' '}
          <Tex>{'2nd\\,d_k + 2n\\,d_k'}</Tex>: the first term is <Tex>{'K W_{KV}'}</Tex> (a
          projection in Table 2), the second the attention core’s <Tex>{'s\\,V'}</Tex>.
        </li>
        <li>
          <Link to="/lessons/many-heads">Many heads</Link> shows the attention core of option 2,{' '}
          <Tex>{'2h+2'}</Tex> OPs per value.
        </li>
        <li>
          The <Link to="/explorer">explorer</Link>’s view 2 plots whole layers (projections plus
          core), so option 1’s line climbs; view 3’s “attention” points are the core alone, so
          option 1 sits at 4; view 4 times whole decode steps with slim in option 2’s order, as the
          engine decodes.
        </li>
      </ul>
    </>
  );
}

// ---------------------------------------------------------------- option 1

function option1Chart(chip: Chip): Plot.PlotOptions {
  const xs: number[] = [];
  for (let e = N_EXP.min * 4; e <= N_EXP.max * 4; e++) xs.push(Math.round(2 ** (e / 4)));
  const o1 = 'slim, option 1 (V = K·W_KV)';
  const o2 = 'slim, option 2 ((s·K)·W_KV)';
  const data = xs.flatMap((n) => {
    const s = layerSpeedups(chip, n);
    return [
      { contextLength: n, speedup: s.option1, label: o1 },
      { contextLength: n, speedup: s.option2, label: o2 },
    ];
  });
  const ys = data.map((p) => p.speedup);
  return {
    ...contextChart({
      height: 260,
      y: {
        type: 'log',
        label: '↑ layer speedup over standard',
        domain: [Math.min(...ys) * 0.9, 2.2],
      },
      yUnit: 'ratio',
      color: {
        legend: true,
        domain: [o1, o2],
        range: [seriesColors['v-first'], seriesColors['k-first']],
      },
    }),
    marks: [
      Plot.ruleY([1], { stroke: 'currentColor', strokeOpacity: 0.5 }),
      ...seriesLines(data, {
        y: 'speedup',
        tip: (p) =>
          `${p.label} at ${tokens(p.contextLength)} on ${chip.name}: ${ratio(p.speedup)} standard’s speed.`,
      }),
    ],
  };
}

function Option1Section() {
  const [chipId, setChipId] = useLessonState('chip', chipCodec, 'nvidia-h200');
  const [nExp, setNExp] = useLessonState('n', numberCodec, N_EXP.start);
  const e = clampStep(nExp, N_EXP.min, N_EXP.max);
  const n = 2 ** e;
  const chip = chipById(chipId);
  const check = table2Times({ ...LAYER, n: CHECK_N }, CHECK_CHIP, 'int8', BYTES).option1;
  const checkTable = generateComplexity({ ...LAYER, n: CHECK_N }).option1;
  const projCompute = check.projection.bound === 'compute';
  const coreCompute = check.mha.bound === 'compute';
  const now = layerSpeedups(chip, n);
  const table = generateComplexity({ ...LAYER, n });
  const slowerFrom = useMemo(() => option1SlowerFrom(LAYER, chip, 'int8', BYTES), [chip]);
  const chart = useMemo(() => option1Chart(chip), [chip]);
  const rows = [
    { key: 'vanilla', label: 'standard' },
    { key: 'option1', label: 'slim, option 1' },
    { key: 'option2', label: 'slim, option 2' },
  ] as const;

  return (
    <>
      <h2>Option 1 as the context grows</h2>
      <LessonCheckpoint
        id="option1-part"
        question={
          <>
            A layer with d = {formatCount(LAYER.d)} and h = {LAYER.h} decodes in option 1 at n ={' '}
            {formatCount(CHECK_N)} on {CHECK_CHIP.name} (ridge {formatCount(ridge(CHECK_CHIP))} OPs
            per byte, 1 byte per value). Which part of it is compute bound?
          </>
        }
        choices={[
          { label: 'Only the projections (with V = K·W_KV)', correct: projCompute && !coreCompute },
          { label: 'Only the attention core', correct: !projCompute && coreCompute },
          { label: 'Both', correct: projCompute && coreCompute },
          { label: 'Neither', correct: !projCompute && !coreCompute },
        ]}
        explanation={
          <p>
            The projections: (n + 3)/2 = {perByte(checkTable.projection.intensity / BYTES)} OPs per
            byte, above the ridge {formatCount(ridge(CHECK_CHIP))}. The attention core reads each
            cached value once for 4 OPs, far below it. Both figures are right at once: they are
            about different parts.
          </p>
        }
      />
      <p>
        Pick a chip and a context. The table is paper Table 2 for that layer (1 byte per value); the
        chart times the whole layer as one piece of work, against standard attention.
      </p>
      <div className="controls">
        <ChipSelect label="chip" value={chip.id} onChange={setChipId} />
        <PowerOfTwoSlider
          label="context n"
          range={N_EXP}
          exponent={e}
          onChange={setNExp}
          text={(x) => `${formatCount(x)} tokens`}
        />
      </div>
      <table className="diff-table" aria-label="option 1 parts on the chip">
        <ColumnHeads
          columns={[
            '',
            'projections: OPs/byte',
            'bound',
            'attention core: OPs/byte',
            'bound',
            'layer speedup',
          ]}
        />
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td data-testid={`o1-proj-int-${r.key}`}>
                {perByte(table[r.key].projection.intensity / BYTES)}
              </td>
              <td data-testid={`o1-proj-bound-${r.key}`}>{now.times[r.key].projection.bound}</td>
              <td data-testid={`o1-core-int-${r.key}`}>
                {perByte(table[r.key].mha.intensity / BYTES)}
              </td>
              <td data-testid={`o1-core-bound-${r.key}`}>{now.times[r.key].mha.bound}</td>
              <td data-testid={`o1-speedup-${r.key}`}>
                {ratio(now.times.vanilla.layer.seconds / now.times[r.key].layer.seconds)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <PlotFigure
        ariaLabel={`Layer speedup of option 1 and option 2 over standard on ${chip.name}`}
        options={chart}
        markerX={n}
      />
      <p aria-live="polite" data-testid="o1-slower-from">
        {slowerFrom === undefined
          ? `On ${chip.name} option 1 stays at least as fast as standard up to ${formatCount(2 ** 20)} tokens.`
          : `On ${chip.name} option 1 is slower than standard from n = ${formatCount(slowerFrom)} tokens on: rebuilding V costs 2n·d² OPs a step, and above the ridge every OP counts.`}{' '}
        That is why the engine, the Playground and the explorer decode in option 2’s order.
      </p>
    </>
  );
}

// ---------------------------------------------------------------- option 2

function hChart(chip: Chip): Plot.PlotOptions {
  const data: { h: number; speedup: number }[] = [];
  for (let h = H_RANGE.min; h <= H_RANGE.max; h++)
    data.push({ h, speedup: coreSpeedup(chip, h).speedup });
  const low = Math.min(0.5, ...data.map((p) => p.speedup)) * 0.9;
  return {
    style: plotStyle,
    height: 240,
    marginLeft: 56,
    x: { label: 'heads h →', domain: [H_RANGE.min, H_RANGE.max] },
    y: {
      label: '↑ attention-core speedup',
      grid: true,
      domain: [low, 2.2],
      tickFormat: tickFormat('ratio'),
    },
    marks: [
      Plot.ruleY([1], { stroke: 'currentColor', strokeOpacity: 0.5 }),
      Plot.line(data, {
        x: 'h',
        y: 'speedup',
        stroke: seriesColors['k-first'],
        strokeWidth: 2,
        title: (p: { h: number; speedup: number }) =>
          `h = ${p.h} on ${chip.name}: option 2’s attention core is ${ratio(p.speedup)} as fast as standard’s.`,
        tip: { lineWidth: 14 },
      }),
    ],
  };
}

function Option2Section() {
  const [chipId, setChipId] = useLessonState('hchip', chipCodec, 'nvidia-h200');
  const [hRaw, setH] = useLessonState('h', numberCodec, H_RANGE.start);
  const [chipRevealed, setChipRevealed] = useState(false);
  const [speedRevealed, setSpeedRevealed] = useState(false);
  const h = clampStep(hRaw, H_RANGE.min, H_RANGE.max);
  const chip = chipById(chipId);
  const i64 = slimPeakIntensity(H64);
  const paperRows = PAPER_CHIPS.map((c) => ({ chip: c, ...coreSpeedup(c, H64) }));
  const m4 = coreSpeedup(M4, H64);
  const m4Kind = m4.speedup < 1 ? 'slower' : m4.speedup < 2 ? 'less' : 'full';
  const now = coreSpeedup(chip, h);
  const below2 = useMemo(
    () => option2CoreBelowFrom(2, chip, 'int8', HEAD_DIM, H_RANGE.max, BYTES),
    [chip],
  );
  const below1 = useMemo(
    () => option2CoreBelowFrom(1, chip, 'int8', HEAD_DIM, H_RANGE.max, BYTES),
    [chip],
  );
  const chart = useMemo(() => hChart(chip), [chip]);
  const aya = requireModel('aya-23-35b');

  return (
    <>
      <h2>Option 2 at h = 64: compute bound on one chip of Table 3</h2>
      <p>
        Option 2 weights whole key rows, so each head’s weighted sum is <Tex>{'h'}</Tex> times wider
        than standard’s: <Tex>{'2nd(h+1)'}</Tex> OPs for <Tex>{'nd'}</Tex> values read,{' '}
        <Tex>{'2h+2'}</Tex> OPs per value (paper §2). At h = {H64} that is {i64}. Paper Table 3
        lists six chips.
      </p>
      <LessonCheckpoint
        id="h64-chip"
        onRevealed={() => setChipRevealed(true)}
        question={
          <>
            At h = {H64} and 1 byte per value, on which chip of paper Table 3 is option 2’s
            attention core compute bound?
          </>
        }
        choices={PAPER_CHIPS.map((c) => ({
          label: c.name,
          correct: paperRows.find((r) => r.chip.id === c.id)?.bound === 'compute',
        }))}
        explanation={
          <p>
            {paperRows
              .filter((r) => r.bound === 'compute')
              .map((r) => r.chip.name)
              .join(', ')}
            : its ridge is {formatNumber(ridge(M4), 3)} OPs per byte ({M4.paperTable3?.int8Tops}{' '}
            TOPS over {M4.paperTable3?.bandwidthGBps} GB/s; the paper prints{' '}
            {M4.paperTable3?.opsPerByte}), below {i64}. The other chips’ ridges are all above {i64}.
          </p>
        }
      />
      {chipRevealed ? (
        <table className="diff-table" aria-label="option 2 at h = 64 on the chips of paper Table 3">
          <thead>
            <tr>
              <th scope="col">chip</th>
              <th scope="col">ridge (OPs/byte)</th>
              <th scope="col">paper Table 3</th>
              <th scope="col">2h + 2 = {i64} is</th>
              {speedRevealed && <th scope="col">core speedup</th>}
            </tr>
          </thead>
          <tbody>
            {paperRows.map((r) => (
              <tr key={r.chip.id}>
                <th scope="row">{r.chip.name}</th>
                <td>{formatNumber(ridge(r.chip), 3)}</td>
                <td>{r.chip.paperTable3?.opsPerByte}</td>
                <td data-testid={`h64-bound-${r.chip.id}`}>{r.bound} bound</td>
                {speedRevealed && (
                  <td data-testid={`h64-speedup-${r.chip.id}`}>{ratio(r.speedup)}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="small">The six chips’ ridges appear once the question is answered.</p>
      )}
      <LessonCheckpoint
        id="h64-speedup"
        onRevealed={() => setSpeedRevealed(true)}
        question={
          <>
            Take the chip of the last answer, where option 2’s core at h = {H64} is compute bound.
            Against standard attention’s core, it is…
          </>
        }
        choices={[
          { label: 'slower (below 1×)', correct: m4Kind === 'slower' },
          { label: 'still faster, but less than 2×', correct: m4Kind === 'less' },
          { label: 'the full 2× faster', correct: m4Kind === 'full' },
        ]}
        explanation={
          <p>
            {ratio(m4.speedup)}. Standard’s core reads 2 values per 4 OPs and stays memory bound:
            its time is the bytes, 2nd/B. Option 2’s time is its OPs, 2nd(h+1)/P. The ratio is
            2R/(2h + 2) = 2 · {formatNumber(ridge(M4), 3)} / {i64}. Compute bound means the gain
            shrinks below 2×; slim becomes slower only when 2h + 2 exceeds 2R, that is h {'>'} R −
            1.
          </p>
        }
      />
      {speedRevealed ? (
        <>
          <p>
            Slide h and pick a chip. The core’s speedup depends on h and the chip only: n and d
            cancel (each head here is {HEAD_DIM} wide, d = {HEAD_DIM}·h).
          </p>
          <div className="controls">
            <ChipSelect label="chip" value={chip.id} onChange={setChipId} />
            <Slider
              label="heads h"
              min={H_RANGE.min}
              max={H_RANGE.max}
              value={h}
              onChange={setH}
              valueText={`h = ${h}`}
            />
          </div>
          <dl className="numbers" aria-live="polite">
            <div>
              <dt>option 2 core, OPs per byte</dt>
              <dd data-testid="h-intensity">{slimPeakIntensity(h)}</dd>
            </div>
            <div>
              <dt>ridge of {chip.name}</dt>
              <dd data-testid="h-ridge">{formatNumber(ridge(chip), 3)}</dd>
            </div>
            <div>
              <dt>option 2 core is</dt>
              <dd data-testid="h-bound">{now.bound} bound</dd>
            </div>
            <div>
              <dt>speedup over standard’s core</dt>
              <dd data-testid="h-speedup" className={now.speedup < 1 ? 'bad' : undefined}>
                {ratio(now.speedup)}
              </dd>
            </div>
          </dl>
          <PlotFigure
            ariaLabel={`Option 2 attention-core speedup against heads on ${chip.name}`}
            options={chart}
            markerX={h}
          />
          <p data-testid="h-thresholds">
            On {chip.name}:{' '}
            {below2 === undefined
              ? `option 2’s core stays memory bound, at the full 2×, up to h = ${H_RANGE.max}.`
              : `below 2× from h = ${below2} (compute bound), `}
            {below2 !== undefined &&
              (below1 === undefined
                ? `and never below 1× up to h = ${H_RANGE.max}.`
                : `and slower than standard from h = ${below1}.`)}
          </p>
          <p>
            A whole model adds the weights, read once per step and shared by the batch. {aya.name}{' '}
            has h = {aya.heads}; on {M4.name} at batch 64 the explorer finds slim{' '}
            {ratio(scenarioSpeedup(SCENARIOS[2]))} as fast at {formatCount(SCENARIOS[2].n)} tokens
            and {ratio(scenarioSpeedup(SCENARIOS[3]))} at {formatCount(SCENARIOS[3].n)} (
            <Link to={explorerLink(SCENARIOS[3])}>open it in the explorer</Link>, which says why in
            words).
          </p>
        </>
      ) : (
        <p className="small">The h slider, for any chip, appears once the question is answered.</p>
      )}
    </>
  );
}

// ---------------------------------------------------------------- measured

function MeasuredSection() {
  const [revealed, setRevealed] = useState(false);
  const n = MEASURED.steps;
  const std = decodeStepWork(MOBY, 'standard', { contextLength: n, bytesPerValue: 4 });
  const slim = decodeStepWork(MOBY, 'slim', { contextLength: n, bytesPerValue: 4 });
  const core = generateComplexity({ d: MOBY.d, h: MOBY.heads, n });
  const cpu = MEASURED.runs.filter((r) => r.backend === 'cpu');
  const cpuSlower = cpu.every((r) => r.standard[0] > r.slim[1]);
  const cpuFaster = cpu.every((r) => r.slim[0] > r.standard[1]);
  const [cpuNow, webglNow] = MEASURED.runs;
  // A SwiftShader step's time against its OPs: about 1/rate seconds for this many OPs.
  const webglMs = 1000 / webglNow.standard[0];
  const playground = (backend: 'webgl' | 'cpu') =>
    `/playground?model=${MEASURED.model}&backend=${backend}&steps=${MEASURED.steps}`;
  return (
    <>
      <h2>Measured in a browser without a GPU</h2>
      <p>
        The <Link to="/playground">Playground</Link> runs real weights, standard and slim side by
        side. Its default model, {MEASURED.model}, is tiny: d = {MOBY.d}, h = {MOBY.heads},{' '}
        {MOBY.layers} layers, {formatCount(MOBY.params)} parameters.
      </p>
      <LessonCheckpoint
        id="cpu-run"
        onRevealed={() => setRevealed(true)}
        question={
          <>
            The Playground generates {MEASURED.steps} tokens with {MEASURED.model} on its CPU
            backend. Which side makes more tokens per second?
          </>
        }
        choices={[
          { label: 'Standard', correct: cpuSlower },
          { label: 'Slim', correct: cpuFaster },
          { label: 'About the same', correct: !cpuSlower && !cpuFaster },
        ]}
        explanation={
          <p>
            Standard, by a wide margin: nothing in this run waits for memory, so slim’s halved cache
            saves no time and its extra arithmetic costs some. The table below has the figures.
          </p>
        }
      />
      {revealed ? (
        <table className="diff-table" aria-label="measured tokens per second">
          <ColumnHeads
            columns={['Playground backend, runs', 'standard, tokens/s', 'slim, tokens/s']}
          />
          <tbody>
            {MEASURED.runs.map((r, k) => (
              <tr key={k}>
                <th scope="row">
                  {BACKEND_NAMES[r.backend]}, {r.when}
                </th>
                <td data-testid={`measured-${k}-standard`}>{range(r.standard)}</td>
                <td data-testid={`measured-${k}-slim`}>{range(r.slim)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="small">The measured figures appear once the question is answered.</p>
      )}
      <p data-testid="measured-how">
        How these were measured: the Playground, {MEASURED.model}, greedy decoding of its default
        prompt, {MEASURED.steps} tokens, the tokens per second it reports for each side, in headless
        Chromium on this project’s development machine, which has no GPU. There WebGL2 is{' '}
        <strong>SwiftShader</strong>, a rasterizer that runs the GPU’s programs on the CPU. Your
        machine will give other figures: measure it yourself with{' '}
        <Link to={playground('webgl')}>WebGL2, {MEASURED.steps} tokens</Link> or{' '}
        <Link to={playground('cpu')}>the CPU, {MEASURED.steps} tokens</Link> (press Generate once
        the model has loaded).
      </p>
      {revealed && (
        <p data-testid="measured-why">
          Why: the whole model and both caches are a few megabytes ({formatBytes(std.bytes)} read
          per standard step in float32, {formatBytes(slim.bytes)} slim, at n = {n}), small enough to
          stay in the processor’s caches, so there is no memory wall for the halved cache to lower.
          What remains is arithmetic and fixed costs. Option 2’s attention core does{' '}
          {formatCount(core.option2.mha.ops)} OPs per layer against standard’s{' '}
          {formatCount(core.vanilla.mha.ops)} (<Tex>{'2nd(h+1)'}</Tex> against <Tex>{'4nd'}</Tex>),
          and the whole step{' '}
          <span data-testid="moby-ops-ratio">{formatNumber(slim.ops / std.ops, 3)}</span>× the OPs.
          On the CPU backend JavaScript does every one of them, and slim runs at{' '}
          {formatNumber(cpuNow.slim[0] / cpuNow.standard[1], 2)}–
          {formatNumber(cpuNow.slim[1] / cpuNow.standard[0], 2)}× standard’s speed, a bigger gap
          than the OP count alone predicts, since its extra loops have costs of their own. On
          SwiftShader a step takes about {formatNumber(webglMs, 2)} ms for about{' '}
          {formatNumber(std.ops / 1e6, 2)} million OPs, so nearly all of it is the fixed cost of
          each draw and read-back, and the two sides now run about as fast (earlier engine versions
          ran slim slower there too). The roofline models none of these fixed costs. On a chip that
          waits for memory (a large model, a long context, a big batch) the same engine code would
          gain instead.
        </p>
      )}
    </>
  );
}

// ---------------------------------------------------------------- FAQ

type Scenario = (typeof SCENARIOS)[number];

function scenarioTimes(s: Scenario) {
  const chip = requireChip(s.chip);
  return decodeStepTimes(requireModel(s.model), chip, computeDtype(chip, 'fp8').dtype, {
    contextLength: s.n,
    batch: s.batch,
    bytesPerValue: bytesPerFormat.fp8,
  });
}
function scenarioSpeedup(s: Scenario): number {
  return scenarioTimes(s).speedup;
}
function explorerLink(s: Scenario): string {
  return `/explorer?model=${s.model}&chip=${s.chip}&batch=${s.batch}&n=${s.n}`;
}

function Faq() {
  const [quantRevealed, setQuantRevealed] = useState(false);
  const quant = QUANT_FORMATS.map((f) => ({
    format: f,
    standard: standardCacheValues(PHI3, PHI3_N) * bytesPerFormat[f],
    slim: slimCacheValues(PHI3, PHI3_N) * bytesPerFormat[f],
  }));
  const base = quant[0].standard;
  const int4Slim = quant[quant.length - 1].slim;
  const best = base / int4Slim;

  return (
    <>
      <h2>FAQ</h2>
      <h3>Does it work with FlashAttention?</h3>
      <p>
        Yes; they solve different problems. FlashAttention computes the attention core in tiles held
        in on-chip memory, so the score matrix is never written out; it does not change what is
        cached. Option 2’s weighted sum <Tex>{'s\\,K'}</Tex> is the same kind of sum as{' '}
        <Tex>{'s\\,V'}</Tex>, over K rows the kernel has already loaded for the scores, followed by
        one small product with <Tex>{'W_{KV,i}'}</Tex> per head. The paper lists FlashAttention,
        PagedAttention and cache quantization as compatible with slim attention.
      </p>
      <h3>And with PagedAttention?</h3>
      <p>
        Yes. PagedAttention stores each sequence’s cache in fixed-size blocks, like pages of virtual
        memory, so a server wastes little memory on sequences of unknown length. A slim cache is a
        K-cache in the same blocks: half as many of them per sequence.
      </p>
      <h3>And with cache quantization?</h3>
      <p>
        Yes, and the savings multiply. Quantization stores each cached value in fewer bits; slim
        attention stores half as many values. {PHI3.name} at {formatCount(PHI3_N)} tokens, one
        sequence:
      </p>
      <LessonCheckpoint
        id="quant-multiply"
        onRevealed={() => setQuantRevealed(true)}
        question={
          <>
            Its fp16 KV-cache is {formatBytes(base)}. Stored as an int4 slim K-cache, how many times
            smaller is it?
          </>
        }
        choices={[2, 4, 8, 16].map((x) => ({ label: `${x}×`, correct: x === best }))}
        explanation={
          <p>
            {bytesPerFormat.fp16} bytes per value → {bytesPerFormat.int4} is{' '}
            {bytesPerFormat.fp16 / bytesPerFormat.int4}×, half the values is 2× more:{' '}
            {formatNumber(best, 3)}×, {formatBytes(int4Slim)}.
          </p>
        }
      />
      {quantRevealed && (
        <table className="diff-table" aria-label="cache bytes by format">
          <ColumnHeads
            columns={['format (bytes per value)', 'KV-cache', 'slim K-cache', 'slim vs fp16 KV']}
          />
          <tbody>
            {quant.map((q) => (
              <tr key={q.format}>
                <th scope="row">
                  {q.format} ({bytesPerFormat[q.format]})
                </th>
                <td data-testid={`quant-kv-${q.format}`}>{formatBytes(q.standard)}</td>
                <td data-testid={`quant-slim-${q.format}`}>{formatBytes(q.slim)}</td>
                <td data-testid={`quant-ratio-${q.format}`}>{ratio(base / q.slim)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        One caution: slim attention rebuilds V from the stored K through <Tex>{'W_{KV}'}</Tex>, so
        K’s rounding error reaches V amplified by how well <Tex>{'W_K'}</Tex> is conditioned
        (Appendix A). Check a quantized slim model on real outputs, as the Playground does.
      </p>
      <h3>What would a production server do?</h3>
      <p>
        Choose per deployment, from the roofline of its own model, chip, batch and context. Decode
        that waits for memory — long contexts, large batches — gains up to 2×; decode that is
        compute bound gains little or loses. A few whole decode steps (fp8 weights and cache, as the
        explorer opens):
      </p>
      <table className="diff-table" aria-label="whole decode steps">
        <ColumnHeads
          columns={['model on chip', 'batch', 'context', 'standard step', 'slim step', 'speedup']}
        />
        <tbody>
          {SCENARIOS.map((s, i) => {
            const t = scenarioTimes(s);
            return (
              <tr key={i}>
                <th scope="row">
                  <Link to={explorerLink(s)}>
                    {requireModel(s.model).name} on {requireChip(s.chip).name}
                  </Link>
                </th>
                <td>{s.batch}</td>
                <td>{formatCount(s.n)}</td>
                <td>{t.standard.bound} bound</td>
                <td>{t.slim.bound} bound</td>
                <td data-testid={`scenario-${i}`} className={t.speedup < 1 ? 'bad' : undefined}>
                  {ratio(t.speedup)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p>
        So a server would switch slim attention on where its decode is memory bound — most large
        GPUs at long context or large batch — keep option 2’s order always, and measure where its
        chip’s ridge is low or its model has many heads. The question this lesson answers: when is
        slim attention slower than standard attention, and which part of the work makes it so?
      </p>
    </>
  );
}
