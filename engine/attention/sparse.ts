/**
 * Attention sparsity (paper Appendix D): skip the value rows whose softmax probability is
 * below a threshold. Host-side helpers on values read back from any backend (they are not a
 * Backend op, so they run the same after CpuBackend or WebGL); they compute the sparse and the
 * dense weighted sum in float64 and report the skipped rows, the sparsity S, the work factor
 * 1/(1 − S) and the output error. Two orders:
 * - sparseWeightedSum: standard attention, Σ_{s_j ≥ τ} s_j v_j per head;
 * - sparseKFirstSum: slim option 2, (Σ_{s_j ≥ τ} s_j r_j) W per head, where r_j are K rows and
 *   W = W_KV (paper §2), or E rows and W = W_V (cross option 2, paper §4). The same rows are
 *   skipped as in the standard order, so both give the same output.
 * With GQA (paper Appendix G) g query heads share each value row, which can then be skipped only
 * when all g scores are below the threshold: sharedRowSkips counts that on real probabilities,
 * sharedRowSparsity gives S^g, the count if heads skipped independently (Appendix D).
 * DecoderModel.probeAttention (engine/models) reads the probabilities and rows of a real model.
 */
import { EngineInputError } from '../tensor';

/** A row-major matrix read back from a tensor (any numeric array). */
export interface SparseMatrix {
  rows: number;
  cols: number;
  data: ArrayLike<number>;
}

export interface SparseOptions {
  heads: number;
  /** Rows with probability < threshold are skipped; 0 skips none. In [0, 1]. */
  threshold: number;
}

export interface SparseResult {
  /** The sparse output [m, heads·d_v], float64. */
  output: Float64Array;
  /** The dense output (no row skipped) by the same order, [m, heads·d_v]. */
  dense: Float64Array;
  /** Queries m. */
  queries: number;
  /** (head, query, row) terms skipped, of heads·m·n. */
  skipped: number;
  total: number;
  /** skipped per head (summed over queries). */
  skippedPerHead: number[];
  /** S = skipped / total. */
  sparsity: number;
  /** 1/(1 − S): how much less weighted-sum work (Infinity when every row is skipped). */
  workFactor: number;
  /** max |output − dense|. */
  maxAbsError: number;
  /** maxAbsError / max |dense| (0 when the dense output is all zeros). */
  relativeError: number;
}

function check(m: SparseMatrix, name: string, rows: number | null, cols: number | null): void {
  const ok =
    m &&
    Number.isInteger(m.rows) &&
    Number.isInteger(m.cols) &&
    m.rows >= 1 &&
    m.cols >= 1 &&
    m.data?.length === m.rows * m.cols &&
    (rows === null || m.rows === rows) &&
    (cols === null || m.cols === cols);
  if (!ok) {
    const want = `${rows ?? 'rows'}×${cols ?? 'cols'}`;
    const got = m ? `${m.rows}×${m.cols} with ${m.data?.length} values` : 'nothing';
    throw new EngineInputError(`sparse attention: ${name} must be ${want}, got ${got}`);
  }
}

function checkOptions(probs: SparseMatrix, options: SparseOptions): number {
  const { heads, threshold } = options;
  if (!Number.isInteger(heads) || heads < 1) {
    throw new EngineInputError(`sparse attention: heads must be a positive integer, got ${heads}`);
  }
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new EngineInputError(
      `sparse attention: the threshold must be a probability in [0, 1], got ${threshold}`,
    );
  }
  check(probs, 'the probabilities', null, null);
  if (probs.rows % heads !== 0) {
    throw new EngineInputError(
      `sparse attention: the probabilities have ${probs.rows} rows, not a multiple of ${heads} heads`,
    );
  }
  return probs.rows / heads;
}

function finish(
  output: Float64Array,
  dense: Float64Array,
  queries: number,
  skippedPerHead: number[],
  total: number,
): SparseResult {
  const skipped = skippedPerHead.reduce((a, b) => a + b, 0);
  let maxAbsError = 0;
  let scale = 0;
  for (let i = 0; i < output.length; i++) {
    maxAbsError = Math.max(maxAbsError, Math.abs(output[i] - dense[i]));
    scale = Math.max(scale, Math.abs(dense[i]));
  }
  const sparsity = skipped / total;
  return {
    output,
    dense,
    queries,
    skipped,
    total,
    skippedPerHead,
    sparsity,
    workFactor: sparsityWorkFactor(sparsity),
    maxAbsError,
    relativeError: scale === 0 ? 0 : maxAbsError / scale,
  };
}

/**
 * 1/(1 − S): how many times less weighted-sum work when a share S of the rows is skipped
 * (paper Appendix D: S = 0.8 → 5x); Infinity at S = 1.
 */
export function sparsityWorkFactor(sparsity: number): number {
  if (!(sparsity >= 0 && sparsity <= 1))
    throw new EngineInputError(`sparse attention: S must be in [0, 1], got ${sparsity}`);
  return sparsity === 1 ? Infinity : 1 / (1 - sparsity);
}

/** Head `head`'s rows of probabilities [heads·m, n] (as Backend.attnProbs lays them out): [m, n]. */
export function headRows(
  probs: SparseMatrix,
  heads: number,
  head: number,
): SparseMatrix & { data: Float64Array } {
  const m = checkOptions(probs, { heads, threshold: 0 });
  checkHead(heads, head);
  const n = probs.cols;
  return {
    rows: m,
    cols: n,
    data: Float64Array.from({ length: m * n }, (_, i) => probs.data[head * m * n + i]),
  };
}

/** Head `head`'s column block of a [rows, heads·w] matrix (V, W_KV, a bias row): [rows, w]. */
export function headColumns(
  matrix: SparseMatrix,
  heads: number,
  head: number,
): SparseMatrix & { data: Float64Array } {
  check(matrix, 'the matrix', null, null);
  checkHead(heads, head);
  if (matrix.cols % heads !== 0)
    throw new EngineInputError(
      `sparse attention: the matrix has ${matrix.cols} columns, not a multiple of ${heads} heads`,
    );
  const w = matrix.cols / heads;
  const data = new Float64Array(matrix.rows * w);
  for (let r = 0; r < matrix.rows; r++)
    for (let c = 0; c < w; c++) data[r * w + c] = matrix.data[r * matrix.cols + head * w + c];
  return { rows: matrix.rows, cols: w, data };
}

function checkHead(heads: number, head: number): void {
  if (!Number.isInteger(heads) || heads < 1)
    throw new EngineInputError(`sparse attention: heads must be a positive integer, got ${heads}`);
  if (!Number.isInteger(head) || head < 0 || head >= heads)
    throw new EngineInputError(`sparse attention: head ${head} is outside [0, ${heads})`);
}

/**
 * Standard order: probs [heads·m, n] (head i's rows at [i·m, (i+1)·m), as Backend.attnProbs
 * returns them), values [n, heads·d_v] → Σ_j s_ij v_j per head, skipping s_ij < threshold.
 */
export function sparseWeightedSum(
  probs: SparseMatrix,
  values: SparseMatrix,
  options: SparseOptions,
): SparseResult {
  const m = checkOptions(probs, options);
  const { heads, threshold } = options;
  const n = probs.cols;
  check(values, 'the values', n, null);
  if (values.cols % heads !== 0) {
    throw new EngineInputError(
      `sparse attention: the values have ${values.cols} columns, not a multiple of ${heads} heads`,
    );
  }
  const dv = values.cols / heads;
  const width = values.cols;
  const output = new Float64Array(m * width);
  const dense = new Float64Array(m * width);
  const skippedPerHead = new Array<number>(heads).fill(0);
  const p = probs.data;
  const v = values.data;
  for (let h = 0; h < heads; h++) {
    for (let q = 0; q < m; q++) {
      const row = (h * m + q) * n;
      const out = q * width + h * dv;
      for (let j = 0; j < n; j++) {
        const s = p[row + j];
        const keep = s >= threshold;
        if (!keep) skippedPerHead[h]++;
        for (let c = 0; c < dv; c++) {
          const term = s * v[j * width + h * dv + c];
          dense[out + c] += term;
          if (keep) output[out + c] += term;
        }
      }
    }
  }
  return finish(output, dense, m, skippedPerHead, heads * m * n);
}

/**
 * Slim option 2 order (k-first): probs [heads·m, n], cached rows [n, c] (K, or E for cross
 * option 2), w [c, heads·d_v] (W_KV, or W_V) → u_i = Σ_{s_ij ≥ threshold} s_ij r_j, then
 * u_i W_i per head. valueBias (length heads·d_v, b_V when the values are r W + b_V) adds
 * (Σ kept s_ij)·b_V, so skipped rows drop their bias share exactly as in the standard order.
 */
export function sparseKFirstSum(
  probs: SparseMatrix,
  cached: SparseMatrix,
  w: SparseMatrix,
  options: SparseOptions & { valueBias?: ArrayLike<number> },
): SparseResult {
  const m = checkOptions(probs, options);
  const { heads, threshold, valueBias } = options;
  const n = probs.cols;
  check(cached, 'the cached rows', n, null);
  const c = cached.cols;
  check(w, 'the value matrix', c, null);
  if (w.cols % heads !== 0) {
    throw new EngineInputError(
      `sparse attention: the value matrix has ${w.cols} columns, not a multiple of ${heads} heads`,
    );
  }
  if (valueBias !== undefined && valueBias.length !== w.cols) {
    throw new EngineInputError(
      `sparse attention: the value bias must have ${w.cols} values, got ${valueBias.length}`,
    );
  }
  const dv = w.cols / heads;
  const width = w.cols;
  const output = new Float64Array(m * width);
  const dense = new Float64Array(m * width);
  const skippedPerHead = new Array<number>(heads).fill(0);
  const uSparse = new Float64Array(c);
  const uDense = new Float64Array(c);
  const p = probs.data;
  const r = cached.data;
  for (let h = 0; h < heads; h++) {
    for (let q = 0; q < m; q++) {
      uSparse.fill(0);
      uDense.fill(0);
      let keptMass = 0;
      let denseMass = 0;
      const row = (h * m + q) * n;
      for (let j = 0; j < n; j++) {
        const s = p[row + j];
        const keep = s >= threshold;
        denseMass += s;
        if (keep) keptMass += s;
        else skippedPerHead[h]++;
        for (let k = 0; k < c; k++) {
          const term = s * r[j * c + k];
          uDense[k] += term;
          if (keep) uSparse[k] += term;
        }
      }
      const out = q * width + h * dv;
      for (let col = 0; col < dv; col++) {
        let ys = 0;
        let yd = 0;
        for (let k = 0; k < c; k++) {
          const wk = w.data[k * width + h * dv + col];
          ys += uSparse[k] * wk;
          yd += uDense[k] * wk;
        }
        const b = valueBias ? valueBias[h * dv + col] : 0;
        output[out + col] = ys + keptMass * b;
        dense[out + col] = yd + denseMass * b;
      }
    }
  }
  return finish(output, dense, m, skippedPerHead, heads * m * n);
}

export interface SharedRowOptions extends SparseOptions {
  /**
   * g: query heads that share one value row (GQA, paper Appendix G): heads [k·g, (k+1)·g) read
   * the rows of key/value head k, as transformers' repeat_kv pairs them. 1 is plain MHA.
   */
  group: number;
}

export interface SharedRowResult {
  group: number;
  /** Key/value heads: heads / g. */
  kvHeads: number;
  queries: number;
  /** S of the single heads: skipped (head, query, row) terms over heads·m·n. */
  headSparsity: number;
  /** (kv head, query, row) value rows that all g heads of the group skip. */
  skipped: number;
  /** kvHeads·m·n. */
  total: number;
  /** S_g = skipped / total: the share of shared value rows that need not be read. */
  sparsity: number;
  /** 1/(1 − S_g) (Infinity when every row is skipped). */
  workFactor: number;
  /** S^g: what S_g would be if the g heads skipped rows independently (paper Appendix D). */
  independent: number;
}

/**
 * S^g: the chance that all g heads sharing a value row skip it, when each skips with
 * probability S independently (paper Appendix D: S = 0.8, g = 4 → 0.41).
 */
export function sharedRowSparsity(sparsity: number, group: number): number {
  if (!(sparsity >= 0 && sparsity <= 1))
    throw new EngineInputError(`sparse attention: S must be in [0, 1], got ${sparsity}`);
  if (!Number.isInteger(group) || group < 1)
    throw new EngineInputError(
      `sparse attention: the group size g must be a positive integer, got ${group}`,
    );
  return sparsity ** group;
}

/**
 * Sparsity when g query heads share each value row (GQA): a row of key/value head k can be
 * skipped for a query only if every head of the group scores it below the threshold. probs is
 * [heads·m, n] as Backend.attnProbs returns it; heads must be a multiple of g.
 */
export function sharedRowSkips(probs: SparseMatrix, options: SharedRowOptions): SharedRowResult {
  const m = checkOptions(probs, options);
  const { heads, threshold, group } = options;
  if (!Number.isInteger(group) || group < 1 || heads % group !== 0)
    throw new EngineInputError(
      `sparse attention: the group size g must divide the ${heads} heads, got ${group}`,
    );
  const n = probs.cols;
  const p = probs.data;
  const kvHeads = heads / group;
  let headSkips = 0;
  for (let i = 0; i < p.length; i++) if (p[i] < threshold) headSkips++;
  let skipped = 0;
  for (let k = 0; k < kvHeads; k++)
    for (let q = 0; q < m; q++)
      for (let j = 0; j < n; j++) {
        let all = true;
        for (let h = k * group; h < (k + 1) * group && all; h++)
          all = p[(h * m + q) * n + j] < threshold;
        if (all) skipped++;
      }
  const total = kvHeads * m * n;
  const headSparsity = headSkips / (heads * m * n);
  return {
    group,
    kvHeads,
    queries: m,
    headSparsity,
    skipped,
    total,
    sparsity: skipped / total,
    workFactor: sparsityWorkFactor(skipped / total),
    independent: sharedRowSparsity(headSparsity, group),
  };
}
