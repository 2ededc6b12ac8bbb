/**
 * Offline slim conversion in float64 (paper §1, §3, Appendices A and C): W_KV = W_K⁻¹ W_V for the
 * K-cache, W_VK = W_V⁻¹ W_K for the V-cache, and a per-layer conditioning report that picks
 * the better direction and measures what float32 inference would do to it.
 */
import { EngineInputError } from '../tensor';
import {
  MAX_CONDITION,
  MatrixRangeError,
  SingularMatrixError,
  assertMatrix,
  conditionNumber,
  matmul64,
  maxAbs,
  vecMat,
  leftDivide,
  type LinalgOptions,
  type Matrix64,
} from '../linalg/index';
import { fromFloat16Bits, toFloat16Bits } from '../io/halfFloat';

export interface WkvResult {
  /** W_KV = W_K⁻¹ W_V (d×d for MHA; e×e for a wide d×e W_K, paper §3). */
  wKV: Matrix64;
  /** 2-norm condition number of W_K. */
  condK: number;
  /** max |W_K·W_KV − W_V| / max |W_V|, measured in float64. */
  reconstructionError: number;
}

export interface WvkResult {
  /** W_VK = W_V⁻¹ W_K, so K = V·W_VK (paper Appendices C, D, G, V-cache only). */
  wVK: Matrix64;
  /** 2-norm condition number of W_V. */
  condV: number;
  /** max |W_V·W_VK − W_K| / max |W_K|, measured in float64. */
  reconstructionError: number;
}

export type CacheDirection = 'k-cache' | 'v-cache';

export interface LayerInput {
  label: string;
  wK: Matrix64;
  wV: Matrix64;
}

export interface LayerConditioning {
  label: string;
  condK: number;
  condV: number;
  /** The direction with the smaller condition number (paper Appendix A). */
  recommended: CacheDirection;
  /** float32 reconstruction error of the recommended direction (see float32ReconstructionError). */
  float32RelError: number;
  /** float32 error of the K-cache direction; null when W_K has no usable inverse. */
  float32RelErrorK: number | null;
  /** float32 error of the V-cache direction; null when W_V has no usable inverse. */
  float32RelErrorV: number | null;
}

function checkPair(first: Matrix64, second: Matrix64, names: [string, string], label?: string) {
  const where = label ? ` (${label})` : '';
  assertMatrix(first, `${names[0]}${where}`);
  assertMatrix(second, `${names[1]}${where}`);
  if (first.rows !== second.rows) {
    throw new EngineInputError(
      `${names[0]} is ${first.rows}×${first.cols} but ${names[1]} is ${second.rows}×${second.cols}` +
        `${where}; both map the d-wide input X, so they need the same number of rows`,
    );
  }
  if (first.cols < first.rows) {
    throw new EngineInputError(
      `${names[0]}${where} is ${first.rows}×${first.cols}: narrower than its input width, so it ` +
        'cannot be inverted (needs a square or wide projection, paper §3)',
    );
  }
}

function fmt(cond: number): string {
  return Number.isFinite(cond) ? cond.toExponential(2) : '∞';
}

function relativeError(product: Matrix64, target: Matrix64): number {
  let m = 0;
  for (let i = 0; i < target.data.length; i++)
    m = Math.max(m, Math.abs(product.data[i] - target.data[i]));
  const scale = maxAbs(target);
  // An all-zero target is reproduced exactly by any finite W_KV; report 0 rather than 0/0.
  return scale === 0 ? m : m / scale;
}

const V_CACHE_CONSEQUENCE =
  'W_V has no usable inverse here, so K cannot be recomputed from V (V-cache direction, ' +
  'paper Appendices C, D, G, Appendix A).';

/**
 * leftDivide with the errors told in the conversion's own words: which matrix has no usable
 * inverse (consequence) and which product does not fit float64 (product, e.g. "W_KV = W_K⁻¹·W_V").
 */
function divide(
  left: Matrix64,
  right: Matrix64,
  options: LinalgOptions,
  names: { product: string; inverted: string; other: string },
  consequence?: string,
): Matrix64 {
  try {
    return leftDivide(left, right, options);
  } catch (e) {
    if (e instanceof SingularMatrixError && consequence !== undefined) {
      throw new SingularMatrixError(e.conditionNumber, options, consequence);
    }
    if (e instanceof MatrixRangeError) {
      const where = options.label ? ` (${options.label})` : '';
      throw new MatrixRangeError(
        `${names.product}${where}`,
        e.log10Magnitude,
        options,
        `${names.other} is too large relative to ${names.inverted}: scale ${names.inverted} up or ` +
          `${names.other} down.`,
      );
    }
    throw e;
  }
}

const WKV_NAMES = { product: 'W_KV = W_K⁻¹·W_V', inverted: 'W_K', other: 'W_V' };
const WVK_NAMES = { product: 'W_VK = W_V⁻¹·W_K', inverted: 'W_V', other: 'W_K' };

/**
 * W_KV = W_K⁻¹·W_V in float64 (paper §1), or W_K⁺·W_V with the right inverse when W_K is wide
 * (d×e, e > d; paper §3). The one function that forms W_KV: the attention layers, computeWkv
 * and the conditioning report all call it. Conditioning is screened as linalg's leftDivide
 * screens it (options.maxCondition; Infinity skips the screen for a caller that measured it).
 * Throws SingularMatrixError (W_K not invertible) or MatrixRangeError (W_KV beyond float64).
 */
export function formWkv(wK: Matrix64, wV: Matrix64, options: LinalgOptions = {}): Matrix64 {
  checkPair(wK, wV, ['W_K', 'W_V'], options.label);
  return divide(wK, wV, options, WKV_NAMES);
}

/**
 * W_VK = W_V⁻¹·W_K (Appendix C, V-cache only), so K = V·W_VK. Same argument order as formWkv
 * (the layer's W_K, then W_V); it is W_V that gets inverted, and its errors say so.
 */
export function formWvk(wK: Matrix64, wV: Matrix64, options: LinalgOptions = {}): Matrix64 {
  checkPair(wV, wK, ['W_V', 'W_K'], options.label);
  return divide(wV, wK, options, WVK_NAMES, V_CACHE_CONSEQUENCE);
}

/**
 * The constant row slim attention adds to K·W_KV (Appendix F): V = (K − b_K)·W_KV + b_V =
 * K·W_KV + (b_V − b_K·W_KV). Returns b_V − b_K·W_KV in float64, or undefined when the layer has
 * neither b_K nor b_V. The K-cache layers fold it into the output bias; the probe and the
 * lessons add it to K·W_KV.
 */
export function slimValueBias(
  bK: Float64Array | undefined,
  bV: Float64Array | undefined,
  wKV: Matrix64,
): Float64Array | undefined {
  let out = bV ? Float64Array.from(bV) : undefined;
  if (bK) {
    const shift = vecMat(bK, wKV);
    out ??= new Float64Array(wKV.cols);
    for (let j = 0; j < out.length; j++) out[j] -= shift[j];
  }
  return out;
}

/** cond(left) by SVD, refused past maxCondition, then the product through `form`. */
function convert(
  left: Matrix64,
  right: Matrix64,
  form: (options: LinalgOptions) => Matrix64,
  options: LinalgOptions,
  consequence?: string,
): { result: Matrix64; cond: number; reconstructionError: number } {
  const cond = conditionNumber(left, options);
  const max = options.maxCondition ?? MAX_CONDITION;
  if (!(cond <= max)) throw new SingularMatrixError(cond, options, consequence);
  // cond(left) was just measured by SVD; skip the cheaper screen inside leftDivide.
  const result = form({ ...options, maxCondition: Infinity });
  return { result, cond, reconstructionError: relativeError(matmul64(left, result), right) };
}

/**
 * W_KV = W_K⁻¹ W_V in float64 (paper §1), or W_K⁺ W_V with the right inverse when W_K is
 * wide (d×e, e > d; paper §3 option 1). Throws SingularMatrixError (naming options.label)
 * when cond(W_K) exceeds options.maxCondition (default MAX_CONDITION = 1e12).
 */
export function computeWkv(wK: Matrix64, wV: Matrix64, options: LinalgOptions = {}): WkvResult {
  checkPair(wK, wV, ['W_K', 'W_V'], options.label);
  const r = convert(wK, wV, (o) => formWkv(wK, wV, o), options);
  return { wKV: r.result, condK: r.cond, reconstructionError: r.reconstructionError };
}

/**
 * The V-cache direction (paper Appendices C, D, G): W_VK = W_V⁻¹ W_K, so K = V·W_VK. Same argument order
 * as computeWkv (the layer's W_K, then W_V); it is W_V that gets inverted here.
 */
export function computeWvk(wK: Matrix64, wV: Matrix64, options: LinalgOptions = {}): WvkResult {
  checkPair(wV, wK, ['W_V', 'W_K'], options.label);
  const r = convert(wV, wK, (o) => formWvk(wK, wV, o), options, V_CACHE_CONSEQUENCE);
  return { wVK: r.result, condV: r.cond, reconstructionError: r.reconstructionError };
}

/** A number format a slim model may store its weights or cache in (rounding to nearest even). */
export type StorageFormat = 'float64' | 'float32' | 'float16' | 'bfloat16';

/**
 * Unit roundoff u of each format: storing x rounds it to x·(1 + δ) with |δ| ≤ u (half the gap
 * between 1 and the next number): 2^-53 for float64 (53 significand bits), 2^-24 for float32
 * (24), 2^-11 for float16 (11), 2^-8 for bfloat16 (8).
 */
export const UNIT_ROUNDOFF: Readonly<Record<StorageFormat, number>> = {
  float64: 2 ** -53,
  float32: 2 ** -24,
  float16: 2 ** -11,
  bfloat16: 2 ** -8,
};

/**
 * The rule of thumb for rebuilding V from K (paper Appendix A): the rounding of the stored
 * numbers, u, amplified by up to cond(W_K), so a relative error of about cond·u. It is an
 * estimate of the size, not a bound on every entry; past 1 nothing of V is left.
 */
export function roundingErrorEstimate(cond: number, format: StorageFormat): number {
  return cond * UNIT_ROUNDOFF[format];
}

/**
 * What float32 inference does to a float64 conversion: W_K and W_KV are stored as float32 and
 * multiplied with every product and sum rounded to float32 (Math.fround), as a float32 kernel
 * would. Returns max |fl32(W_K·W_KV) − (W_K·W_KV)₆₄| / max |W_V|. The float32 product errs by
 * about ‖W_K‖·‖W_KV‖·eps32 ≲ cond(W_K)·‖W_V‖·eps32, so this grows with cond(W_K) (paper Appendix A).
 */
export function float32ReconstructionError(
  wK: Matrix64,
  wV: Matrix64,
  options: LinalgOptions = {},
): number {
  const { wKV } = computeWkv(wK, wV, options);
  return float32ProductError(wK, wKV, wV, options.label);
}

/**
 * The same for a float16 model: W_K and W_KV stored as float16 (round to nearest even), products
 * and sums in float32, as half-precision kernels accumulate. Returns
 * max |fl16(W_K)·fl16(W_KV) − (W_K·W_KV)₆₄| / max |W_V|; Infinity when an entry of W_K or W_KV
 * is beyond float16's range (±65504), where a float16 model cannot store the conversion.
 * For the V-cache direction pass the layer's W_V, then W_K (W_VK = W_V⁻¹·W_K).
 */
export function float16ReconstructionError(
  wK: Matrix64,
  wV: Matrix64,
  options: LinalgOptions = {},
): number {
  const { wKV } = computeWkv(wK, wV, options);
  const half = (m: Matrix64) => Float32Array.from(m.data, (x) => fromFloat16Bits(toFloat16Bits(x)));
  const a16 = half(wK);
  const b16 = half(wKV);
  if (!a16.every(Number.isFinite) || !b16.every(Number.isFinite)) return Infinity;
  const worst = roundedProductError(wK.rows, wK.cols, wKV.cols, a16, b16, matmul64(wK, wKV));
  if (!Number.isFinite(worst)) return Infinity;
  const scale = maxAbs(wV);
  return scale === 0 ? worst : worst / scale;
}

/** max |a·b − exact| with a, b as given and every product and sum rounded to float32. */
function roundedProductError(
  n: number,
  inner: number,
  m: number,
  a32: Float32Array,
  b32: Float32Array,
  exact: Matrix64,
): number {
  const row32 = new Float64Array(m);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    row32.fill(0);
    for (let k = 0; k < inner; k++) {
      const f = a32[i * inner + k];
      const bRow = k * m;
      for (let j = 0; j < m; j++) row32[j] = Math.fround(row32[j] + Math.fround(f * b32[bRow + j]));
    }
    for (let j = 0; j < m; j++) worst = Math.max(worst, Math.abs(row32[j] - exact.data[i * m + j]));
  }
  return worst;
}

function float32ProductError(a: Matrix64, b: Matrix64, target: Matrix64, label?: string): number {
  const n = a.rows;
  const inner = a.cols;
  const m = b.cols;
  const worst = roundedProductError(
    n,
    inner,
    m,
    Float32Array.from(a.data),
    Float32Array.from(b.data),
    matmul64(a, b),
  );
  if (!Number.isFinite(worst)) {
    // An entry beyond ±3.4e38 (stored, or a float32 partial sum) is ±Infinity in float32.
    throw new MatrixRangeError(
      `The float32 reconstruction W·W_KV${label ? ` (${label})` : ''}`,
      Infinity,
      { label },
      'A float32 model cannot store or apply this conversion; rescale W_K and W_V.',
      'float32',
    );
  }
  const scale = maxAbs(target);
  return scale === 0 ? worst : worst / scale;
}

/**
 * Per layer: cond(W_K), cond(W_V), the better cache direction (smaller condition number wins,
 * paper Appendix A) and the float32 reconstruction error of each usable direction. A direction
 * whose matrix is past options.maxCondition reports null; a layer where both are unusable
 * throws SingularMatrixError naming the layer.
 */
export function conditioningReport(
  layers: readonly LayerInput[],
  options: { maxCondition?: number; onProgress?: (done: number, total: number) => void } = {},
): LayerConditioning[] {
  const max = options.maxCondition ?? MAX_CONDITION;
  const out: LayerConditioning[] = [];
  for (const [index, layer] of layers.entries()) {
    const label = layer.label || `layer ${index}`;
    checkPair(layer.wK, layer.wV, ['W_K', 'W_V'], label);
    checkPair(layer.wV, layer.wK, ['W_V', 'W_K'], label);
    const condK = conditionNumber(layer.wK);
    const condV = conditionNumber(layer.wV);
    const unchecked: LinalgOptions = { label, maxCondition: Infinity };
    const errK =
      condK <= max
        ? float32ProductError(layer.wK, formWkv(layer.wK, layer.wV, unchecked), layer.wV, label)
        : null;
    const errV =
      condV <= max
        ? float32ProductError(layer.wV, formWvk(layer.wK, layer.wV, unchecked), layer.wK, label)
        : null;
    const recommended: CacheDirection = condK <= condV ? 'k-cache' : 'v-cache';
    const float32RelError = recommended === 'k-cache' ? errK : errV;
    if (float32RelError === null) {
      // The better-conditioned matrix is past the threshold, so both are.
      throw new SingularMatrixError(
        Math.min(condK, condV),
        { label, maxCondition: max },
        `Neither W_K (cond ${fmt(condK)}) nor W_V (cond ${fmt(condV)}) ` +
          'has a usable inverse, so this layer can cache neither K alone nor V alone ' +
          '(paper Appendices C, D, G, Appendix A).',
      );
    }
    out.push({
      label,
      condK,
      condV,
      recommended,
      float32RelError,
      float32RelErrorK: errK,
      float32RelErrorV: errV,
    });
    options.onProgress?.(index + 1, layers.length);
  }
  return out;
}
