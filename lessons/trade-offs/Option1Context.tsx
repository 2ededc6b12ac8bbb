import { useMemo } from 'react';
import * as Plot from '@observablehq/plot';
import { contextChart, seriesColors, seriesLines, tokens } from '../../components/charts/marks';
import { ColumnHeads } from '../../components/ColumnHeads';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { numberCodec } from '../../components/useUrlState';
import { clampStep, PowerOfTwoSlider } from '../../components/Slider';
import { formatCount } from '../../components/format';
import { Tex } from '../../components/Tex';
import {
  generateComplexity,
  option1SlowerFrom,
  requireChip,
  table2Times,
  type Chip,
} from '../../roofline';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { ChipSelect } from './ChipSelect';
import {
  BYTES,
  LAYER,
  chipById,
  chipCodec,
  layerSpeedups,
  perByte,
  ratio,
  ridge,
} from './speedups';

/** The V-first order's checkpoint setup: n = 4,096 on NVIDIA H200. */
const CHECK_N = 4096;
const CHECK_CHIP = requireChip('nvidia-h200');
/** Context slider: powers of two, 16 … 128K; opens at 256 (memory bound on the default chip). */
const N_EXP = { min: 4, max: 17, start: 8 };

function option1Chart(chip: Chip): Plot.PlotOptions {
  const xs: number[] = [];
  for (let e = N_EXP.min * 4; e <= N_EXP.max * 4; e++) xs.push(Math.round(2 ** (e / 4)));
  const o1 = 'slim, V-first order';
  const o2 = 'slim, K-first order';
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

export function Option1Context() {
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
    { key: 'option1', label: 'slim, V-first order' },
    { key: 'option2', label: 'slim, K-first order' },
  ] as const;

  return (
    <>
      <h2>The V-first order (paper §2, option 1) as the context grows</h2>
      <LessonCheckpoint
        id="option1-part"
        question={
          <>
            A layer with d = {formatCount(LAYER.d)} and h = {LAYER.h} decodes in the V-first order
            at n = {formatCount(CHECK_N)} on {CHECK_CHIP.name} (ridge{' '}
            {formatCount(ridge(CHECK_CHIP))} OPs per byte, 1 byte per value). Which part of it is
            compute bound?
          </>
        }
        choices={[
          {
            label: (
              <>
                Only the projections (with <Tex>{'V = K\\,W_{KV}'}</Tex>)
              </>
            ),
            correct: projCompute && !coreCompute,
          },
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
      <table className="diff-table" aria-label="V-first order parts on the chip">
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
        ariaLabel={`Layer speedup of the V-first and K-first orders over standard on ${chip.name}`}
        options={chart}
        markerX={n}
      />
      <p aria-live="polite" data-testid="o1-slower-from">
        {slowerFrom === undefined
          ? `On ${chip.name} the V-first order stays at least as fast as standard up to ${formatCount(2 ** 20)} tokens.`
          : `On ${chip.name} the V-first order is slower than standard from n = ${formatCount(slowerFrom)} tokens on: rebuilding V costs 2n·d² OPs a step, and above the ridge every OP counts.`}{' '}
        That is why the engine, the Playground and the explorer decode in the K-first order.
      </p>
    </>
  );
}
