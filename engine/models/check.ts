/**
 * The per-layer slim check of a checkpoint (paper §1, Appendices A and C): cond(W_K), cond(W_V),
 * the float32 (and float16) error of rebuilding V from K and K from V on the layer's own
 * weights, and the direction that is more accurate. One row type and one loop: `slim check`,
 * `slim run --mode slim` and `slim convert` read the float32 columns (checkModel), the
 * Playground's per-layer check and the precision lesson all of them (precisionReport).
 */
import {
  condition1Estimate,
  conditionNumber,
  MAX_CONDITION,
  MatrixRangeError,
  SingularMatrixError,
  type Matrix64,
} from '../linalg';
import { conditioningReport, float16ReconstructionError, roundingErrorEstimate } from '../slim';
import type { LayerDirection, WeightLookup } from './decoder';
import { readWeights, restoreLayer } from './hostModel';
import type { ModelSpec, OpenedModel } from './load';

/** Default largest float32 relative error a slim layer may have (see LayerPrecision.f32KtoV). */
export const DEFAULT_SLIM_TOLERANCE = 1e-3;

/**
 * One layer's row of the slim check (`slim check`, checkModel) and of the per-layer precision
 * report (the Playground's "Per-layer check" and the precision lesson, precisionReport).
 * `Err` is the type of an error: `number | null` in a model's report, where null marks a
 * direction whose matrix has no usable inverse (and, for float16, an error checkModel did not
 * measure); `number` in layerPrecision's row, whose layer has a usable inverse both ways.
 */
export interface LayerPrecision<Err extends number | null = number | null> {
  layer: number;
  /** 2-norm condition numbers of W_K and W_V (d×d, x·W convention). */
  condK: number;
  condV: number;
  /**
   * float32 relative error of rebuilding V from K: max |fl32(W_K·W_KV) − W_K·W_KV| / max |W_V|,
   * W_KV = W_K⁻¹·W_V formed in float64, then W_K and W_KV stored as float32 and multiplied with
   * every product and sum rounded to float32.
   */
  f32KtoV: Err;
  /**
   * The same with W_K and W_KV stored as float16 (products summed in float32,
   * float16ReconstructionError); Infinity when float16 cannot hold them.
   */
  f16KtoV: Err;
  /** The same two for K from V (W_VK = W_V⁻¹·W_K, Appendix C), relative to max |W_K|. */
  f32VtoK: Err;
  f16VtoK: Err;
  /** The more accurate direction the model can run (RoPE models: K-cache only); null if none. */
  direction: LayerDirection | null;
  /** True when the chosen direction's float32 error is within the tolerance. */
  ok: boolean;
}

export interface CheckOptions {
  tolerance?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface PrecisionOptions extends CheckOptions {
  /**
   * Awaited after each layer (a worker passes a macrotask, so messages such as a Stop are
   * handled between layers).
   */
  pause?: () => Promise<void>;
  /** Measure the float16 errors too (true by default; checkModel measures float32 only). */
  float16?: boolean;
}

/**
 * The per-layer precision report (paper §1, Appendices A and C): for every layer cond(W_K),
 * cond(W_V), the float32 (and, unless options.float16 is false, float16) errors of both
 * directions, and the chosen direction. Reads one layer's W_K and W_V at a time; onProgress
 * counts layers. RoPE families can only run the K-cache direction (the V-cache variant needs
 * un-rotated keys, paper Appendices C, D, G), so their direction is 'k-cache' whenever it is
 * usable; f32VtoK is still reported.
 */
export async function precisionReport(
  opened: OpenedModel,
  options: PrecisionOptions = {},
): Promise<LayerPrecision[]> {
  const { spec } = opened;
  const tolerance = options.tolerance ?? DEFAULT_SLIM_TOLERANCE;
  const float16 = options.float16 ?? true;
  const out: LayerPrecision[] = [];
  for (let layer = 0; layer < spec.layers; layer++) {
    const weights = await readWeights(opened, spec.layout.tensors(layer));
    restoreLayer(spec, weights, layer);
    const { wK, wV } = spec.layout.read(weights, layer);
    out.push(reportLayer(layer, wK, wV, { rope: spec.rope, tolerance, float16 }));
    options.onProgress?.(layer + 1, spec.layers);
    await options.pause?.();
  }
  return out;
}

/**
 * The check of `slim check`, `slim run --mode slim` and `slim convert`: precisionReport's rows
 * with the float32 errors only (f16KtoV and f16VtoK null).
 */
export function checkModel(
  opened: OpenedModel,
  options: CheckOptions = {},
): Promise<LayerPrecision[]> {
  return precisionReport(opened, { ...options, float16: false });
}

/**
 * One layer's row from its W_K and W_V (x·W convention, float64), for a layer whose W_K and
 * W_V both have a usable inverse (a lesson's toy W_K): precisionReport's measurements and
 * choice (RoPE layers: K-cache only), every error a number. Throws SingularMatrixError when
 * either matrix is past the threshold.
 */
export function layerPrecision(
  layer: number,
  wK: Matrix64,
  wV: Matrix64,
  options: { rope?: boolean; tolerance?: number } = {},
): LayerPrecision<number> {
  const row = reportLayer(layer, wK, wV, {
    rope: options.rope ?? false,
    tolerance: options.tolerance ?? DEFAULT_SLIM_TOLERANCE,
    float16: true,
  });
  const { f32KtoV, f16KtoV, f32VtoK, f16VtoK } = row;
  if (f32KtoV === null || f16KtoV === null || f32VtoK === null || f16VtoK === null)
    throw new SingularMatrixError(
      Math.max(row.condK, row.condV),
      { label: `layer ${layer}` },
      'layerPrecision needs a usable inverse of both W_K and W_V (precisionReport reports ' +
        'such a layer with null errors).',
    );
  return { ...row, f32KtoV, f16KtoV, f32VtoK, f16VtoK };
}

/**
 * The per-layer choice of `slim check` (and of every caller of precisionReport) from a layer's
 * two rebuild errors, null where that direction has no usable inverse: the K-cache unless the
 * V-cache errs less; a RoPE layer can only cache K (the V-cache would rebuild unrotated keys,
 * Appendices C and E), so its V-cache error is ignored. `ok` when the chosen direction's error
 * is within the tolerance. Pure: the precision lesson's decision widget calls it with the
 * estimates cond·u in place of measured errors.
 */
export function chooseDirection(
  errKtoV: number | null,
  errVtoK: number | null,
  options: { rope: boolean; tolerance: number },
): { direction: LayerDirection | null; ok: boolean } {
  const errV = options.rope ? null : errVtoK;
  let direction: LayerDirection | null = null;
  if (errKtoV !== null && (errV === null || errKtoV <= errV)) direction = 'k-cache';
  else if (errV !== null) direction = 'v-cache';
  const err = direction === 'k-cache' ? errKtoV : direction === 'v-cache' ? errV : null;
  return { direction, ok: err !== null && err <= options.tolerance };
}

/** One row: conditioningReport's float32 errors and direction, and the float16 errors if asked. */
function reportLayer(
  layer: number,
  wK: Matrix64,
  wV: Matrix64,
  options: { rope: boolean; tolerance: number; float16: boolean },
): LayerPrecision {
  const label = `layer ${layer}`;
  try {
    const [r] = conditioningReport([{ label, wK, wV }]);
    const errK = r.float32RelErrorK;
    const { direction, ok } = chooseDirection(errK, r.float32RelErrorV, options);
    // conditioningReport measured both condition numbers; skip the screen inside computeWkv.
    const unchecked = { label, maxCondition: Infinity };
    const f16 = (measured: number | null, a: Matrix64, b: Matrix64) =>
      options.float16 && measured !== null ? float16ReconstructionError(a, b, unchecked) : null;
    return {
      layer,
      condK: r.condK,
      condV: r.condV,
      f32KtoV: errK,
      f16KtoV: f16(errK, wK, wV),
      f32VtoK: r.float32RelErrorV,
      f16VtoK: f16(r.float32RelErrorV, wV, wK),
      direction,
      ok,
    };
  } catch (error) {
    // No usable inverse, or a conversion float32 cannot hold: the layer cannot be made slim.
    if (!(error instanceof SingularMatrixError || error instanceof MatrixRangeError)) throw error;
    return {
      layer,
      condK: conditionNumber(wK),
      condV: conditionNumber(wV),
      f32KtoV: null,
      f16KtoV: null,
      f32VtoK: null,
      f16VtoK: null,
      direction: null,
      ok: false,
    };
  }
}

/**
 * What the slim side of a run uses, decided by the one policy (`slim run`, and the Playground's
 * Generate): every layer in a direction whose float32 error is within the tolerance
 * (DEFAULT_SLIM_TOLERANCE, the per-layer check's), or no slim run at all.
 */
export interface SlimPlan {
  /** Per layer, the direction the slim side runs; null when it cannot run. */
  directions: LayerDirection[] | null;
  /** Why the slim side cannot run (sentences naming the layers), or null. */
  problem: string | null;
  /** Layers that run but whose estimated float32 error cond·u exceeds the tolerance. */
  warnings: string[];
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(1) : '∞');
const layerList = (layers: readonly number[]) =>
  `layer${layers.length > 1 ? 's' : ''} ${layers.join(', ')}`;

/**
 * The policy on the measured check (checkModel or precisionReport rows): the chosen direction
 * of every layer when each is within the tolerance, else no slim run and the layers named.
 */
export function planFromReport(
  rows: readonly LayerPrecision[],
  tolerance = DEFAULT_SLIM_TOLERANCE,
): SlimPlan {
  const bad = rows.filter((r) => !r.ok || r.direction === null).map((r) => r.layer);
  if (bad.length > 0)
    return {
      directions: null,
      problem:
        `${layerList(bad)} cannot be made slim within a float32 relative error of ${tolerance} ` +
        'in either direction',
      warnings: [],
    };
  return {
    directions: rows.map((r) => r.direction as LayerDirection),
    problem: null,
    warnings: [],
  };
}

/**
 * The policy where the measured check has not run (its SVDs and float32 rebuilds take seconds
 * per layer at d = 768): each layer runs `directions` (K-cache when absent) and a cheap lower
 * bound of the condition number of the matrix it inverts (condition1Estimate / d, one LU; a
 * bound, so a trained model's well-conditioned layers never warn) gives the
 * estimated float32 error cond·u (u = 2⁻²⁴, paper Appendix A). Past the tolerance: a warning with
 * cond and cond·u. A matrix with no usable inverse (past MAX_CONDITION, where the engine
 * refuses the layer): no slim run, and the direction the per-layer check would take instead —
 * the V-cache (Appendix C), or none for a RoPE model, which can only cache K.
 */
export function planFromEstimates(
  spec: ModelSpec,
  weights: WeightLookup,
  directions?: readonly LayerDirection[],
  tolerance = DEFAULT_SLIM_TOLERANCE,
): SlimPlan {
  const chosen = Array.from(
    { length: spec.layers },
    (_, i): LayerDirection => directions?.[i] ?? 'k-cache',
  );
  // A grouped-query model's d-wide or X-cache has no per-layer direction and forms no W_KV from
  // W_K (d × e, not square): its conditioning is the layer's own concern (paper Appendix G).
  if (spec.slimScheme !== 'k-cache') return { directions: chosen, problem: null, warnings: [] };
  const warnings: string[] = [];
  const problems: string[] = [];
  for (let layer = 0; layer < spec.layers; layer++) {
    const { wK, wV } = spec.layout.read(weights, layer);
    const kCache = chosen[layer] === 'k-cache';
    const [kept, other] = kCache ? ['W_K', 'W_V'] : ['W_V', 'W_K'];
    // A lower bound of the 2-norm condition number: κ₂ ≥ κ₁/d, and the estimate is ≤ κ₁.
    const d = wK.rows;
    const cond = condition1Estimate(kCache ? wK : wV) / d;
    if (cond > MAX_CONDITION) {
      // The check's own choice (chooseDirection) on the estimates cond·u in place of errors.
      const est = (c: number) => (c <= MAX_CONDITION ? roundingErrorEstimate(c, 'float32') : null);
      const condK = kCache ? cond : condition1Estimate(wK) / d;
      const condV = kCache ? condition1Estimate(wV) / d : cond;
      const { direction } = chooseDirection(est(condK), est(condV), { rope: spec.rope, tolerance });
      const better = direction === 'v-cache' ? ['V', condV] : ['K', condK];
      problems.push(
        `layer ${layer}: ${kept} has no usable inverse (cond ≥ ${fmt(cond)}), so ${other === 'W_V' ? 'V' : 'K'} ` +
          `cannot be rebuilt from ${kept === 'W_K' ? 'K' : 'V'}; ` +
          (spec.rope
            ? 'a RoPE model can only cache K (paper Appendix C), so the slim side cannot run.'
            : direction !== null && direction !== chosen[layer]
              ? `the per-layer check would choose the ${better[0]}-cache for this layer ` +
                `(cond(W_${better[0]}) ≥ ${fmt(better[1] as number)}, estimated float32 error ` +
                `${fmt(roundingErrorEstimate(better[1] as number, 'float32'))}; paper Appendix C).`
              : 'neither W_K nor W_V has a usable inverse, so this layer cannot be made slim.'),
      );
      continue;
    }
    const err = roundingErrorEstimate(cond, 'float32');
    if (err > tolerance)
      warnings.push(
        `layer ${layer}: cond(${kept}) ≥ ${fmt(cond)}, so the float32 ${kCache ? 'K' : 'V'}-cache ` +
          `may err by about cond·u ≥ ${fmt(err)} relative, above the per-layer check's ` +
          `tolerance ${tolerance}; the per-layer check measures it and picks the direction.`,
      );
  }
  return problems.length > 0
    ? { directions: null, problem: problems.join(' '), warnings }
    : { directions: chosen, problem: null, warnings };
}
