/**
 * Lesson 2's inversion of the toy W_K (paper §1; conditioning, Appendix A): det, cond, W_K⁻¹ and
 * W_KV = W_K⁻¹·W_V in float64 through engine/linalg and engine/slim, and a sweep that pushes
 * W_K toward singular and measures the float32 V-from-K error.
 */
import {
  MatrixRangeError,
  SingularMatrixError,
  computeWkv,
  conditionNumber,
  det,
  fromRows,
  inverse,
  matmul64,
  toRows,
} from '../../engine';
import { D, EMBEDDINGS, embed, type Mat } from './toyData';
import { hostRows, toyBackend } from './toyEngine';

export interface Inversion {
  det: number;
  cond: number;
  /** Present when W_K has a usable float64 inverse. */
  wKInv?: Mat;
  wKV?: Mat;
  /** max |W_K·W_KV − W_V| in float64: the check a reader can do by hand. */
  checkError?: number;
  /** Why there is no inverse (the engine's message), when there is none. */
  error?: string;
}

/** det, cond, W_K⁻¹ and W_KV = W_K⁻¹·W_V via engine/linalg and engine/slim, in float64 (paper §1, Appendix A). */
export function invertWk(wK: Mat, wV: Mat): Inversion {
  const k = fromRows(wK);
  const v = fromRows(wV);
  const d = det(k);
  const cond = conditionNumber(k);
  try {
    const { wKV } = computeWkv(k, v, { label: 'W_K' });
    const inv = inverse(k, { label: 'W_K' });
    const back = toRows(matmul64(k, wKV));
    let checkError = 0;
    back.forEach((row, i) =>
      row.forEach((x, j) => (checkError = Math.max(checkError, Math.abs(x - wV[i][j])))),
    );
    return { det: d, cond, wKInv: toRows(inv), wKV: toRows(wKV), checkError };
  } catch (e) {
    if (e instanceof SingularMatrixError || e instanceof MatrixRangeError)
      return { det: d, cond, error: e.message };
    throw e;
  }
}

/**
 * W_K pushed toward singular: row `target` slides onto row `source`, row_t(ε) = row_s + ε·(row_t −
 * row_s). det is linear in one row, so det(W_K(ε)) = ε·det(W_K), and cond grows like 1/ε.
 */
export function nearSingular(wK: Mat, epsilon: number, target = 3, source = 1): Mat {
  return wK.map((row, i) =>
    i === target ? row.map((x, j) => wK[source][j] + epsilon * (x - wK[source][j])) : [...row],
  );
}

export interface ConditioningPoint {
  epsilon: number;
  cond: number;
  /**
   * max |V̂ − V| / max |V| where V = X·W_V in float64 and V̂ = K·W_KV computed on the float32
   * backend from a float32 K-cache, with W_KV from float64 (paper Appendix A). The cache's rounding
   * error (≈ eps32 ≈ 6e-8 relative) is amplified by up to cond(W_K).
   */
  float32Error: number;
}

/** Every vocabulary embedding as one X: a small but varied set of rows to cache. */
const ALL_TOKENS = EMBEDDINGS.map((_, i) => i);

/** cond(W_K(ε)) and the float32 V-from-K reconstruction error for each ε. */
export function conditioningSweep(
  wK: Mat,
  wV: Mat,
  epsilons: readonly number[],
): ConditioningPoint[] {
  const b = toyBackend('float32');
  const X = embed(ALL_TOKENS);
  const vRef = toRows(matmul64(fromRows(X), fromRows(wV)));
  const scale = Math.max(...vRef.flat().map(Math.abs));
  return epsilons.map((epsilon) => {
    const wKe = nearSingular(wK, epsilon);
    const m = fromRows(wKe);
    const { wKV, condK } = computeWkv(m, fromRows(wV), { label: `W_K(ε = ${epsilon})` });
    const vHat = b.scope(() => {
      const kCache = b.matmul(
        b.fromArray(X.flat(), [X.length, D]),
        b.fromArray(wKe.flat(), [D, D]),
      );
      return hostRows(b.matmul(kCache, b.fromArray(wKV.data, [D, D])));
    });
    let worst = 0;
    vHat.forEach((row, i) =>
      row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - vRef[i][j])))),
    );
    return { epsilon, cond: condK, float32Error: scale === 0 ? worst : worst / scale };
  });
}
