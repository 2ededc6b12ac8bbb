/** View 3: each chip's roof and where decode work sits on the chosen chip's roofline. */
import { attainableOpsPerSecond, bytesPerStoredValue, computeDtype } from '../../roofline';
import type { Chip, StorageFormat } from '../../roofline';
import { chipRidge, intensitySchemes, intensitySchemeLabels, layerIntensity } from './intensity';
import type { Setup } from './setup';
import { decodeWork } from './speedup';

export interface RoofPoint {
  chipId: string;
  chipName: string;
  opsPerByte: number;
  opsPerSecond: number;
}

/**
 * View 3: each chip's roof min(peak, I·bandwidth) sampled at intensities from `minI` to
 * `maxI` on a log grid, plus the exact ridge point so the corner is drawn sharp.
 */
export function roofSeries(
  chips: readonly Chip[],
  weightFormat: StorageFormat,
  minI: number,
  maxI: number,
  points: number,
): RoofPoint[] {
  const out: RoofPoint[] = [];
  for (const chip of chips) {
    const { dtype } = computeDtype(chip, weightFormat);
    const ridge = chipRidge(chip, weightFormat);
    const xs: number[] = [];
    for (let i = 0; i < points; i++) xs.push(minI * (maxI / minI) ** (i / (points - 1)));
    if (ridge > minI && ridge < maxI) xs.push(ridge);
    xs.sort((a, b) => a - b);
    for (const x of xs)
      out.push({
        chipId: chip.id,
        chipName: chip.name,
        opsPerByte: x,
        opsPerSecond: attainableOpsPerSecond(chip, dtype, x),
      });
  }
  return out;
}

export interface OperatingPoint {
  id: string;
  label: string;
  opsPerByte: number;
  opsPerSecond: number;
  bound: 'memory' | 'compute';
  /** One sentence for the tooltip. */
  explanation: string;
}

/**
 * View 3: where decode work sits on the chosen chip's roofline at the current context and
 * batch: the attention core of each scheme (Table 2 MHA columns), the projections and FFN
 * (weights shared by the batch: 2 OPs per weight per sequence), and whole decode steps.
 */
export function operatingPoints(setup: Setup): OperatingPoint[] {
  const { model, chip, batch, contextLength } = setup;
  const { dtype } = computeDtype(chip, setup.weightFormat);
  const ridge = chipRidge(chip, setup.weightFormat);
  const wb = bytesPerStoredValue[setup.weightFormat];
  const point = (
    id: string,
    label: string,
    opsPerByte: number,
    what: string,
    note = '',
  ): OperatingPoint => {
    const bound = opsPerByte < ridge ? 'memory' : 'compute';
    return {
      id,
      label,
      opsPerByte,
      opsPerSecond: attainableOpsPerSecond(chip, dtype, opsPerByte),
      bound,
      explanation:
        `${what}: ${fmt(opsPerByte)} OPs/byte ${bound === 'memory' ? '<' : '≥'} ridge ` +
        `${fmt(ridge)} of ${chip.name}, so ${bound} bound.${note}`,
    };
  };
  const out: OperatingPoint[] = [];
  if (model.d % model.heads === 0) {
    for (const scheme of intensitySchemes) {
      const { mha } = layerIntensity(model, scheme, contextLength, batch, setup);
      out.push(
        point(
          `mha-${scheme}`,
          `attention, ${intensitySchemeLabels[scheme]}`,
          mha,
          `Attention core only (scores and weighted sum), ${intensitySchemeLabels[scheme]}, every sequence reads its own cache`,
          scheme === 'v-first'
            ? " The V-first order's V = K·W_KV is counted with the projections (paper Table 2); that part turns compute bound as n grows (view 2)."
            : '',
        ),
      );
    }
  }
  out.push(
    point(
      'weights',
      `projections + FFN at batch ${batch.toLocaleString('en-US')}`,
      (2 * batch) / wb,
      `Projections and FFN: the batch of ${batch.toLocaleString('en-US')} shares each weight read, 2·B OPs per weight`,
    ),
  );
  for (const scheme of ['standard', 'slim'] as const) {
    const work = decodeWork(model, scheme, contextLength, batch, setup);
    out.push(
      point(
        `step-${scheme}`,
        `whole decode step, ${scheme}`,
        work.ops / work.bytes,
        `One decode step of the whole model with ${scheme} attention`,
      ),
    );
  }
  return out;
}

function fmt(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(3)));
}
