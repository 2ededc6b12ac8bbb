import { useMemo, useState } from 'react';
import { WholeStepGap } from './WholeStepGap';
import { Link } from 'react-router-dom';
import * as Plot from '@observablehq/plot';
import { plotStyle, seriesColors, tickFormat } from '../../components/charts/marks';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { numberCodec } from '../../components/useUrlState';
import { Slider, clampStep } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import {
  option2CoreBelowFrom,
  requireChip,
  requireModel,
  slimPeakIntensity,
  type Chip,
} from '../../roofline';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { ChipSelect } from './ChipSelect';
import {
  BYTES,
  HEAD_DIM,
  PAPER_CHIPS,
  SCENARIOS,
  chipById,
  chipCodec,
  coreSpeedup,
  explorerLink,
  ratio,
  ridge,
  scenarioSpeedup,
} from './speedups';

/** Head slider for the K-first order's attention core: head width d_k = HEAD_DIM, d = HEAD_DIM·h. */
const H_RANGE = { min: 1, max: 128, start: 32 };
const H64 = 64;
const M4 = requireChip('apple-m4-max');

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
          `h = ${p.h} on ${chip.name}: the K-first order’s attention core is ${ratio(p.speedup)} as fast as standard’s.`,
        tip: { lineWidth: 14 },
      }),
    ],
  };
}

export function Option2Heads() {
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
      <h2>
        The K-first order (paper §2, option 2) at h = 64: compute bound on one chip of Table 3
      </h2>
      <p>
        The K-first order weights whole key rows, so each head’s weighted sum is <Tex>{'h'}</Tex>{' '}
        times wider than standard’s: <Tex>{'2nd(h+1)'}</Tex> OPs for <Tex>{'nd'}</Tex> values read,{' '}
        <Tex>{'2h+2'}</Tex> OPs per value (paper §2). At h = {H64} that is {i64}. Paper Table 3
        lists six chips.
      </p>
      <LessonCheckpoint
        id="h64-chip"
        onRevealed={setChipRevealed}
        question={
          <>
            At h = {H64} and 1 byte per value, on which chip of paper Table 3 is the K-first order’s
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
        <table
          className="diff-table"
          aria-label="K-first order at h = 64 on the chips of paper Table 3"
        >
          <thead>
            <tr>
              <th scope="col">chip</th>
              <th scope="col">ridge (OPs/byte)</th>
              <th scope="col">paper Table 3</th>
              <th scope="col">2h + 2 = {i64} is</th>
            </tr>
          </thead>
          <tbody>
            {paperRows.map((r) => (
              <tr key={r.chip.id}>
                <th scope="row">{r.chip.name}</th>
                <td>{formatNumber(ridge(r.chip), 3)}</td>
                <td>{r.chip.paperTable3?.opsPerByte}</td>
                <td data-testid={`h64-bound-${r.chip.id}`}>{r.bound} bound</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="small">The six chips’ ridges appear once the question is answered.</p>
      )}
      <LessonCheckpoint
        id="h64-speedup"
        onRevealed={setSpeedRevealed}
        question={
          <>
            Take the chip of the last answer, where the K-first order’s core at h = {H64} is compute
            bound. Against standard attention’s core, it is…
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
            its time is the bytes, 2nd/B. The K-first order’s time is its OPs, 2nd(h+1)/P. The ratio
            is 2R/(2h + 2) = 2 · {formatNumber(ridge(M4), 3)} / {i64}. Compute bound means the gain
            shrinks below 2×; slim becomes slower only when 2h + 2 exceeds 2R, that is h {'>'} R −
            1.
          </p>
        }
      />
      {speedRevealed ? (
        <>
          <table
            className="diff-table"
            aria-label="core speedup of the K-first order at h = 64, per chip"
          >
            <thead>
              <tr>
                <th scope="col">chip</th>
                <th scope="col">core speedup at h = {H64}</th>
              </tr>
            </thead>
            <tbody>
              {paperRows.map((r) => (
                <tr key={r.chip.id}>
                  <th scope="row">{r.chip.name}</th>
                  <td data-testid={`h64-speedup-${r.chip.id}`}>{ratio(r.speedup)}</td>
                </tr>
              ))}
            </tbody>
          </table>
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
              <dt>K-first core, OPs per byte</dt>
              <dd data-testid="h-intensity">{slimPeakIntensity(h)}</dd>
            </div>
            <div>
              <dt>ridge of {chip.name}</dt>
              <dd data-testid="h-ridge">{formatNumber(ridge(chip), 3)}</dd>
            </div>
            <div>
              <dt>K-first core is</dt>
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
            ariaLabel={`K-first attention-core speedup against heads on ${chip.name}`}
            options={chart}
            markerX={h}
          />
          <p data-testid="h-thresholds">
            On {chip.name}:{' '}
            {below2 === undefined
              ? `the K-first order’s core stays memory bound, at the full 2×, up to h = ${H_RANGE.max}.`
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
          <WholeStepGap core={m4.speedup} />
        </>
      ) : (
        <p className="small">The h slider, for any chip, appears once the question is answered.</p>
      )}
    </>
  );
}
