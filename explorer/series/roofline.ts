/** View 3: each chip's roof and where decode work sits on the chosen chip's roofline. */
import {
  attainableOpsPerSecond,
  bytesPerStoredValue,
  computeDtype,
  slimPlan,
} from '../../roofline';
import type { Chip, StorageFormat } from '../../roofline';
import {
  chipRidge,
  intensitySchemes,
  intensitySchemeLabels,
  layerIntensity,
  table2Shape,
} from './intensity';
import type { Setup } from './setup';
import { decodeWork, xCacheOpsPerValue } from './speedup';

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
  const cb = bytesPerStoredValue[setup.cacheFormat];
  const out: OperatingPoint[] = [];
  if (model.d % model.heads === 0) {
    const approx = table2Shape(model).exact
      ? ''
      : ` ${model.name} is not square MHA: this is paper Table 2's 2h + 2 for a K-cache, ` +
        `applied with its d and h.`;
    for (const scheme of intensitySchemes) {
      const { mha } = layerIntensity(model, scheme, contextLength, batch, setup);
      out.push(
        point(
          `mha-${scheme}`,
          `attention, ${intensitySchemeLabels[scheme]}`,
          mha,
          `Attention core only (scores and weighted sum), ${intensitySchemeLabels[scheme]}, ` +
            `counting OPs per byte of cache read (no weights), every sequence reads its own cache`,
          scheme === 'v-first'
            ? " The V-first order's V = K·W_KV is counted with the projections (paper Table 2); that part turns compute bound as n grows (view 2)."
            : scheme === 'k-first'
              ? approx
              : '',
        ),
      );
    }
  }
  // A non-square model's X-cache (paper §3): every head scores and weights the cached d-wide
  // inputs, 4·h·n·d OPs over the n·d values read, 4h OPs per cached value.
  if (slimPlan(model, contextLength, batch).candidates.some((c) => c.scheme === 'x-cache')) {
    const perValue = xCacheOpsPerValue(model);
    out.push(
      point(
        'mha-x-cache',
        'attention, X-cache (paper §3)',
        perValue / cb,
        `Attention core only with the X-cache (paper §3): each of the ${model.heads} heads scores ` +
          `and weights the cached d-wide inputs, 4h = ${perValue.toLocaleString('en-US')} OPs per ` +
          `cached value read, counting cache reads only (the per-token x·W_Q,i·W_K,iᵀ and ` +
          `·W_V,i, 4de OPs whatever n is, count with the projections)`,
      ),
    );
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
        `One decode step of the whole model with ${scheme} attention, counting every weight ` +
          `and cache byte it reads`,
      ),
    );
  }
  return out;
}

function fmt(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(3)));
}
