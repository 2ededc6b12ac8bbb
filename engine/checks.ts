/**
 * Argument checks shared by every backend (and by the attention layers' RoPE config): shapes,
 * ranges, head splits, RoPE options, causal offsets. Each throws EngineInputError with a message
 * that names the op, so both backends reject the same inputs with the same words. Checks take
 * shapes and numbers, never tensors: telling a backend's own tensors apart stays in the backend.
 */
import type {
  AttentionOptions,
  AttnProbsOptions,
  LinearActivation,
  NormKind,
  RopeOptions,
  RopePairing,
} from './backend';
import {
  EngineInputError,
  assertFinite,
  shapeString,
  sizeOf,
  type DType,
  type Shape,
} from './tensor';

/** A non-negative integer. */
export const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;

/**
 * 1-D or 2-D with positive integer sizes. Neither backend has empty tensors: a texture cannot
 * have zero size, and the CPU backend refuses the same shapes so that code tested on one backend
 * behaves the same on the other.
 */
export function checkShape(op: string, shape: Shape): void {
  if (
    !Array.isArray(shape) ||
    (shape.length !== 1 && shape.length !== 2) ||
    !shape.every((s) => Number.isInteger(s) && s >= 1)
  ) {
    const given = Array.isArray(shape) ? shapeString(shape) : String(shape);
    throw new EngineInputError(
      `${op}: shape must be 1-D or 2-D with positive integer sizes (the engine has no empty ` +
        `tensors), got ${given}`,
    );
  }
}

/** Largest finite float32, (2 − 2^−23)·2^127 ≈ 3.4028235e38. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * fromArray: a valid shape, as many values as it holds, all finite, and for a float32 backend
 * all within float32's range: a finite float64 beyond ±3.4e38 would be stored as ±Infinity, so
 * it is refused here, by name, rather than reported by whichever op or read() meets it next.
 */
export function checkUpload(data: ArrayLike<number>, shape: Shape, dtype: DType): void {
  checkShape('fromArray', shape);
  if (data.length !== sizeOf(shape)) {
    throw new EngineInputError(
      `fromArray: shape ${shapeString(shape)} needs ${sizeOf(shape)} values, got ${data.length}`,
    );
  }
  assertFinite(data, 'fromArray', shape);
  if (dtype !== 'float32') return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // Values just above FLOAT32_MAX still round down to it; only those that round to ±∞ fail.
    if (!Number.isFinite(Math.fround(v))) {
      const c = shape.length === 2 ? shape[1] : 0;
      const where = c ? `row ${Math.floor(i / c)}, column ${i % c}` : `index ${i}`;
      throw new EngineInputError(
        `fromArray: value ${v} at ${where} overflows float32, whose largest finite value is ` +
          `about ±3.4e+38; scale the values down before uploading them`,
      );
    }
  }
}

/** A 2-D operand; returns [rows, cols]. */
export function checkMatrix(op: string, shape: Shape): [number, number] {
  if (shape.length !== 2) {
    throw new EngineInputError(`${op}: expected a 2-D tensor, got shape ${shapeString(shape)}`);
  }
  return [shape[0], shape[1]];
}

/** A bias or gain vector of length n: shape [n] or [1, n]. */
export function checkVector(op: string, shape: Shape, n: number): void {
  const ok =
    (shape.length === 1 && shape[0] === n) ||
    (shape.length === 2 && shape[0] === 1 && shape[1] === n);
  if (!ok) {
    throw new EngineInputError(
      `${op}: expected a vector of length ${n}, got shape ${shapeString(shape)}`,
    );
  }
}

export function checkSameShape(op: string, a: Shape, b: Shape): void {
  if (a.length !== b.length || a.some((s, i) => s !== b[i])) {
    throw new EngineInputError(`${op}: shapes differ: ${shapeString(a)} and ${shapeString(b)}`);
  }
}

/** writeRows: src's rows fit into dst from rowOffset on, with the same width. */
export function checkWriteRows(dst: Shape, rowOffset: number, src: Shape): void {
  const [dr, dc] = checkMatrix('writeRows', dst);
  const [sr, sc] = checkMatrix('writeRows', src);
  if (sc !== dc || !isCount(rowOffset) || rowOffset + sr > dr) {
    throw new EngineInputError(
      `writeRows: cannot write ${shapeString(src)} at row ${rowOffset} of ${shapeString(dst)}`,
    );
  }
}

/** rowsView: between 1 and all rows of x. */
export function checkRowsView(x: Shape, rowCount: number): void {
  const [r] = checkMatrix('rowsView', x);
  if (!Number.isInteger(rowCount) || rowCount < 1 || rowCount > r) {
    throw new EngineInputError(`rowsView: cannot view ${rowCount} rows of ${shapeString(x)}`);
  }
}

/** A non-empty range [start, end) inside [0, size). */
export function checkRange(op: string, x: Shape, start: number, end: number, size: number): void {
  if (!isCount(start) || !isCount(end) || start >= end || end > size) {
    throw new EngineInputError(
      `${op}: range [${start}, ${end}) is not inside [0, ${size}) of ${shapeString(x)}`,
    );
  }
}

/** concatCols: at least one part, all with the same row count; returns [rows, total cols]. */
export function checkConcatCols(parts: readonly Shape[]): [number, number] {
  if (parts.length === 0) throw new EngineInputError('concatCols: needs at least one tensor');
  const dims = parts.map((p) => checkMatrix('concatCols', p));
  const r = dims[0][0];
  if (dims.some(([pr]) => pr !== r)) {
    throw new EngineInputError(
      `concatCols: row counts differ: ${parts.map((p) => shapeString(p)).join(', ')}`,
    );
  }
  return [r, dims.reduce((s, [, c]) => s + c, 0)];
}

/** matmul / linear: inner dimensions agree; returns {m, k, n} of the product [m,k]·[k,n]. */
export function checkMatmul(
  op: string,
  a: Shape,
  b: Shape,
  transposeB: boolean,
): { m: number; k: number; n: number } {
  const [m, ak] = checkMatrix(op, a);
  const [br, bc] = checkMatrix(op, b);
  const [k, n] = transposeB ? [bc, br] : [br, bc];
  if (ak !== k) {
    throw new EngineInputError(
      `${op}: inner dimensions differ: ${shapeString(a)} · ${shapeString(b)}${transposeB ? 'ᵀ' : ''}`,
    );
  }
  return { m, k, n };
}

const ACTIVATIONS: readonly LinearActivation[] = ['none', 'gelu', 'silu'];

export function checkActivation(op: string, activation: LinearActivation): void {
  if (!ACTIVATIONS.includes(activation)) {
    throw new EngineInputError(`${op}: unknown activation ${String(activation)}`);
  }
}

/** The shapes of a linear's prologue norm (backend.ts RowNorm), without its tensors. */
export interface RowNormShapes {
  kind: NormKind;
  gamma: Shape;
  beta?: Shape;
  eps: number;
}

/**
 * linear's prologue and epilogue: a norm over the k columns of a (layerNorm with β, rmsNorm
 * without), a gating product's weight of b's shape and bias of length n, and a residual of the
 * output's shape [m, n].
 */
export function checkLinearExtras(
  op: string,
  dims: { m: number; k: number; n: number },
  norm: RowNormShapes | undefined,
  residual: Shape | undefined,
  times?: { weight: Shape; b: Shape; bias?: Shape },
): void {
  if (times) {
    checkSameShape(`${op} times weight`, times.weight, times.b);
    if (times.bias) checkVector(`${op} times bias`, times.bias, dims.n);
  }
  if (norm) {
    const { kind } = norm;
    if (kind !== 'layerNorm' && kind !== 'rmsNorm') {
      throw new EngineInputError(`${op}: unknown norm kind ${String(kind)}`);
    }
    checkVector(`${op} norm gamma`, norm.gamma, dims.k);
    if (kind === 'layerNorm') {
      if (!norm.beta) throw new EngineInputError(`${op}: a layerNorm prologue needs beta`);
      checkVector(`${op} norm beta`, norm.beta, dims.k);
    } else if (norm.beta) {
      throw new EngineInputError(`${op}: an rmsNorm prologue has no beta`);
    }
    checkEps(`${op} norm`, norm.eps);
  }
  if (residual) checkSameShape(`${op} residual`, residual, [dims.m, dims.n]);
}

const isHeadCount = (heads: number): boolean => Number.isInteger(heads) && heads >= 1;

/** headBlockMatmul: u [heads·m, dIn], w [dIn, heads·dOut]; returns {m, dOut}. */
export function checkHeadBlock(
  op: string,
  u: Shape,
  w: Shape,
  heads: number,
): { m: number; dOut: number } {
  const [ur, uc] = checkMatrix(op, u);
  const [wr, wc] = checkMatrix(op, w);
  if (!isHeadCount(heads) || ur % heads || wc % heads || uc !== wr) {
    throw new EngineInputError(
      `${op}: u ${shapeString(u)} and w ${shapeString(w)} do not fit ${heads} heads (u [heads·m, dIn], w [dIn, heads·dOut])`,
    );
  }
  return { m: ur / heads, dOut: wc / heads };
}

/**
 * The key/value head count of a grouped-query op (backend.ts AttnProbsOptions.kvHeads): heads
 * when absent, else a positive integer that divides heads.
 */
export function checkKvHeads(op: string, heads: number, kvHeads: number | undefined): number {
  if (kvHeads === undefined) return heads;
  if (!isHeadCount(kvHeads) || !isHeadCount(heads) || heads % kvHeads !== 0) {
    throw new EngineInputError(
      `${op}: kvHeads ${kvHeads} must be a positive integer that divides heads ${heads}`,
    );
  }
  return kvHeads;
}

/** attnWeightedSum: p [heads·m, n], v [n, kvHeads·d_v]; returns {m, dv}. */
export function checkWeightedSum(
  p: Shape,
  v: Shape,
  heads: number,
  kvHeads?: number,
): { m: number; dv: number } {
  const [pr, pc] = checkMatrix('attnWeightedSum', p);
  const [vr, vc] = checkMatrix('attnWeightedSum', v);
  const hkv = isHeadCount(heads) ? checkKvHeads('attnWeightedSum', heads, kvHeads) : heads;
  if (!isHeadCount(heads) || pr % heads || vc % hkv || pc !== vr) {
    throw new EngineInputError(
      `attnWeightedSum: p ${shapeString(p)} and v ${shapeString(v)} do not fit ${heads} heads (p [heads·m, n], v [n, ${hkv === heads ? 'heads' : 'kvHeads'}·d_v])`,
    );
  }
  return { m: pr / heads, dv: vc / hkv };
}

/**
 * A causal offset (backend.ts): undefined (no mask) or an integer with which row 0 sees at
 * least one column. Returns the offset, or −1 for no mask.
 */
export function checkCausalOffset(op: string, causalOffset: number | undefined): number {
  if (causalOffset === undefined) return -1;
  if (!Number.isInteger(causalOffset)) {
    throw new EngineInputError(`${op}: causalOffset must be an integer, got ${causalOffset}`);
  }
  if (causalOffset < 0) {
    throw new EngineInputError(`${op}: row 0 sees no column with causalOffset ${causalOffset}`);
  }
  return causalOffset;
}

/** Columns row i of n may see: all, or j ≤ i + causalOffset (a checked offset, −1 = no mask). */
export function visibleColumns(op: string, i: number, n: number, causal: number): number {
  const visible = causal < 0 ? n : Math.min(n, i + causal + 1);
  if (causal >= 0 && visible <= 0) {
    throw new EngineInputError(`${op}: row ${i} sees no column with causalOffset ${causal}`);
  }
  return visible;
}

/**
 * attnProbs (and attention): q [m, heads·d_k] and k [n, kvHeads·d_k], a finite scale; returns
 * the sizes (kvHeads = heads unless the options give it).
 */
export function checkAttnProbs(
  q: Shape,
  k: Shape,
  options: AttnProbsOptions,
  op = 'attnProbs',
): { m: number; n: number; headDim: number; causal: number; kvHeads: number } {
  const [m, qc] = checkMatrix(op, q);
  const [n, kc] = checkMatrix(op, k);
  const { heads, scale } = options;
  const kvHeads = isHeadCount(heads) ? checkKvHeads(op, heads, options.kvHeads) : heads;
  if (!isHeadCount(heads) || qc % heads || kc * heads !== qc * kvHeads) {
    throw new EngineInputError(
      `${op}: q ${shapeString(q)} and k ${shapeString(k)} do not fit ${heads} heads` +
        (kvHeads === heads ? '' : ` sharing ${kvHeads} key/value heads`),
    );
  }
  checkFiniteNumber(op, 'scale', scale);
  const causal = checkCausalOffset(op, options.causalOffset);
  return { m, n, headDim: qc / heads, causal, kvHeads };
}

/**
 * attention: attnProbs's q and k, and v with one row per key whose columns split into the heads
 * ('per-head', kvHeads blocks shared by their groups) or any width ('all'); returns the sizes
 * and the output's shape.
 */
export function checkAttention(
  q: Shape,
  k: Shape,
  v: Shape,
  options: AttentionOptions,
): {
  m: number;
  n: number;
  headDim: number;
  causal: number;
  kvHeads: number;
  out: [number, number];
} {
  const sizes = checkAttnProbs(q, k, options, 'attention');
  const values = options.values ?? 'per-head';
  if (values !== 'per-head' && values !== 'all') {
    throw new EngineInputError(`attention: values must be 'per-head' or 'all', got ${values}`);
  }
  const [vr, vc] = checkMatrix('attention', v);
  const { heads } = options;
  const { kvHeads } = sizes;
  if (vr !== sizes.n || (values === 'per-head' && vc % kvHeads)) {
    throw new EngineInputError(
      `attention: v ${shapeString(v)} does not fit ${sizes.n} keys${values === 'per-head' ? ` and ${kvHeads} ${kvHeads === heads ? '' : 'key/value '}heads` : ''}`,
    );
  }
  const out: [number, number] =
    values === 'all' ? [heads * sizes.m, vc] : [sizes.m, (vc / kvHeads) * heads];
  return { ...sizes, out };
}

export function checkFiniteNumber(op: string, name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new EngineInputError(`${op}: ${name} must be finite, got ${value}`);
  }
}

export function checkEps(op: string, eps: number): void {
  if (!(eps >= 0) || !Number.isFinite(eps)) {
    throw new EngineInputError(`${op}: eps must be ≥ 0 and finite, got ${eps}`);
  }
}

/**
 * layerNorm / rmsNorm divide row i by √(spread + eps), spread being its variance (layerNorm) or
 * mean square (rmsNorm). With eps 0 a constant row (an all-zero row for rmsNorm) has nothing to
 * divide by: say so, rather than let the 0/0 pass as an overflow.
 */
export function checkNormDivisor(op: string, row: number, spread: number, eps: number): void {
  if (spread + eps > 0) return;
  const what = op === 'rmsNorm' ? 'all zeros (mean square 0)' : 'constant (variance 0)';
  throw new EngineInputError(
    `${op}: row ${row} is ${what} and eps is 0, so it cannot be normalised: it would be ` +
      'divided by zero. Pass eps > 0 (models use 1e-5 or 1e-6).',
  );
}

const isPairing = (p: unknown): p is RopePairing => p === 'half' || p === 'interleaved';
const isEvenRotary = (r: number, headDim: number): boolean =>
  Number.isInteger(r) && r >= 2 && r % 2 === 0 && r <= headDim;

/** rope on a tensor with `cols` columns (Appendix E); returns headDim and rotaryDim. */
export function checkRope(
  cols: number,
  options: RopeOptions,
): { headDim: number; rotaryDim: number } {
  const { heads, positionOffset, pairing, base } = options;
  const headDim = cols / heads;
  const rotaryDim = options.rotaryDim ?? headDim;
  if (!isHeadCount(heads) || !Number.isInteger(headDim)) {
    throw new EngineInputError(`rope: ${cols} columns do not split into ${heads} heads`);
  }
  if (!isEvenRotary(rotaryDim, headDim)) {
    throw new EngineInputError(
      `rope: rotaryDim must be even and in [2, ${headDim}], got ${rotaryDim}`,
    );
  }
  if (!isCount(positionOffset)) {
    throw new EngineInputError(
      `rope: bad positionOffset ${positionOffset}; it must be a non-negative integer`,
    );
  }
  if (!(base > 0) || !Number.isFinite(base)) {
    throw new EngineInputError(`rope: base ${base} must be a positive finite number`);
  }
  if (!isPairing(pairing)) {
    throw new EngineInputError(`rope: unknown pairing '${String(pairing)}'`);
  }
  return { headDim, rotaryDim };
}

/** A layer's RoPE config (Appendix E), checked once when the layer is built. */
export function checkRopeConfig(
  where: string,
  rope: { pairing: RopePairing; base: number; rotaryDim?: number },
  headDim: number,
): void {
  const { pairing, base, rotaryDim = headDim } = rope;
  const problem = !isPairing(pairing)
    ? `unknown pairing '${String(pairing)}' (half or interleaved)`
    : !(base > 0) || !Number.isFinite(base)
      ? `base ${base} must be a positive finite number (the RoPE θ base, rope_theta)`
      : !isEvenRotary(rotaryDim, headDim)
        ? `rotaryDim ${rotaryDim} must be even and in [2, headDim ${headDim}]`
        : undefined;
  if (problem !== undefined) throw new EngineInputError(`${where}: bad RoPE config: ${problem}`);
}

/** gather: at least one id, each a row of a table with `rows` rows. */
export function checkIds(ids: ArrayLike<number>, rows: number): void {
  if (ids.length < 1) throw new EngineInputError('gather: needs at least one id');
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= rows) {
      throw new EngineInputError(`gather: id ${id} at index ${i} is outside [0, ${rows})`);
    }
  }
}
