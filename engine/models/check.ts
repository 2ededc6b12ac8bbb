/**
 * The per-layer slim check of a checkpoint (paper §1, Appendices A and C): cond(W_K), cond(W_V),
 * the float32 error of rebuilding V from K and K from V on the layer's own weights, and the
 * direction that is more accurate. Used by `slim check`, `slim run --mode slim` and `slim convert`.
 */
import { conditionNumber, SingularMatrixError, type Matrix64 } from '../linalg';
import { conditioningReport, float16ReconstructionError } from '../slim';
import type { LayerDirection } from './decoder';
import { readWeights, restoreLayer, type OpenedModel } from './load';

/** Default largest float32 relative error a slim layer may have (see LayerCheck.errKtoV). */
export const DEFAULT_SLIM_TOLERANCE = 1e-3;

export interface LayerCheck {
  layer: number;
  /** 2-norm condition number of W_K (d×d, x·W convention). */
  condK: number;
  condV: number;
  /**
   * float32 relative error of rebuilding V from K: max |fl32(W_K·W_KV) − W_K·W_KV| / max |W_V|,
   * W_KV = W_K⁻¹·W_V formed in float64, then W_K and W_KV stored as float32 and multiplied with
   * every product and sum rounded to float32. null when W_K has no usable inverse.
   */
  errKtoV: number | null;
  /** The same for K from V (W_VK = W_V⁻¹·W_K), relative to max |W_K|; null when unusable. */
  errVtoK: number | null;
  /** The more accurate direction the model can run (RoPE models: K-cache only); null if none. */
  direction: LayerDirection | null;
  /** True when direction's error is within the tolerance. */
  ok: boolean;
}

export interface CheckOptions {
  tolerance?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * One row of the per-layer precision report (the Playground's "Per-layer check" and the
 * precision lesson): checkModel's row with the float16 errors of both directions added.
 */
export interface LayerPrecision {
  layer: number;
  /** 2-norm condition numbers of W_K and W_V. */
  condK: number;
  condV: number;
  /** float32 / float16 relative error of rebuilding V from K (W_KV); null where unusable. */
  f32KtoV: number | null;
  f16KtoV: number | null;
  /** The same for K from V (W_VK = W_V⁻¹·W_K, Appendix C). */
  f32VtoK: number | null;
  f16VtoK: number | null;
  /** checkModel's choice: the more accurate direction the model can run (RoPE: K-cache). */
  direction: LayerDirection | null;
  /** True when the chosen direction's float32 error is within the tolerance. */
  ok: boolean;
}

export interface PrecisionOptions extends CheckOptions {
  /**
   * Awaited after each layer (a worker passes a macrotask, so messages such as a Stop are
   * handled between layers).
   */
  pause?: () => Promise<void>;
}

/**
 * The per-layer precision report (paper Appendices A and C): for every layer, checkModel's row
 * (cond(W_K), cond(W_V), float32 errors of both directions, the chosen direction) and the
 * float16 errors of both directions (float16ReconstructionError: W_K and W_KV, or W_V and
 * W_VK, stored as float16, products summed in float32). Reads one layer's W_K and W_V at a
 * time; onProgress counts layers.
 */
export async function precisionReport(
  opened: OpenedModel,
  options: PrecisionOptions = {},
): Promise<LayerPrecision[]> {
  const { spec } = opened;
  const tolerance = options.tolerance ?? DEFAULT_SLIM_TOLERANCE;
  const out: LayerPrecision[] = [];
  for (let layer = 0; layer < spec.layers; layer++) {
    const weights = await readWeights(opened, spec.layout.tensors(layer));
    restoreLayer(spec, weights, layer);
    const { wK, wV } = spec.layout.read(weights, layer);
    out.push(layerPrecision(layer, wK, wV, { rope: spec.rope, tolerance }));
    options.onProgress?.(layer + 1, spec.layers);
    await options.pause?.();
  }
  return out;
}

/**
 * One layer's precision row from its W_K and W_V (x·W convention, float64): checkModel's
 * measurements and choice (RoPE layers: K-cache only) with the float16 errors of the usable
 * directions added. precisionReport calls it per layer; a lesson can call it on a toy W_K.
 */
export function layerPrecision(
  layer: number,
  wK: Matrix64,
  wV: Matrix64,
  options: { rope?: boolean; tolerance?: number } = {},
): LayerPrecision {
  const c = checkLayer(
    layer,
    wK,
    wV,
    options.rope ?? false,
    options.tolerance ?? DEFAULT_SLIM_TOLERANCE,
  );
  // checkLayer measured both condition numbers; skip the screen inside computeWkv.
  const unchecked = { label: `layer ${layer}`, maxCondition: Infinity };
  return {
    layer,
    condK: c.condK,
    condV: c.condV,
    f32KtoV: c.errKtoV,
    f16KtoV: c.errKtoV === null ? null : float16ReconstructionError(wK, wV, unchecked),
    f32VtoK: c.errVtoK,
    f16VtoK: c.errVtoK === null ? null : float16ReconstructionError(wV, wK, unchecked),
    direction: c.direction,
    ok: c.ok,
  };
}

/**
 * Checks every layer, reading one layer's W_K and W_V at a time. RoPE families can only run the
 * K-cache direction (the V-cache variant needs un-rotated keys, paper Appendices C, D, G), so
 * their direction is 'k-cache' whenever it is usable; errVtoK is still reported.
 */
export async function checkModel(
  opened: OpenedModel,
  options: CheckOptions = {},
): Promise<LayerCheck[]> {
  const { spec } = opened;
  const tolerance = options.tolerance ?? DEFAULT_SLIM_TOLERANCE;
  const out: LayerCheck[] = [];
  for (let layer = 0; layer < spec.layers; layer++) {
    const weights = await readWeights(opened, spec.layout.tensors(layer));
    restoreLayer(spec, weights, layer);
    const { wK, wV } = spec.layout.read(weights, layer);
    out.push(checkLayer(layer, wK, wV, spec.rope, tolerance));
    options.onProgress?.(layer + 1, spec.layers);
  }
  return out;
}

function checkLayer(
  layer: number,
  wK: Matrix64,
  wV: Matrix64,
  rope: boolean,
  tolerance: number,
): LayerCheck {
  try {
    const [r] = conditioningReport([{ label: `layer ${layer}`, wK, wV }]);
    const errK = r.float32RelErrorK;
    const errV = rope ? null : r.float32RelErrorV;
    let direction: LayerDirection | null = null;
    if (errK !== null && (errV === null || errK <= errV)) direction = 'k-cache';
    else if (errV !== null) direction = 'v-cache';
    const err = direction === 'k-cache' ? errK : direction === 'v-cache' ? errV : null;
    return {
      layer,
      condK: r.condK,
      condV: r.condV,
      errKtoV: errK,
      errVtoK: r.float32RelErrorV,
      direction,
      ok: err !== null && err <= tolerance,
    };
  } catch (error) {
    if (!(error instanceof SingularMatrixError)) throw error;
    return {
      layer,
      condK: conditionNumber(wK),
      condV: conditionNumber(wV),
      errKtoV: null,
      errVtoK: null,
      direction: null,
      ok: false,
    };
  }
}
