/**
 * The toy model's link to the engine: one CPU backend per dtype, synchronous host reads through
 * the engine's documented `readSync`, and the toy weights in the engine's attention layout.
 * Every product, softmax and cache the lessons show goes through engine/, not a re-implementation.
 */
import {
  CpuBackend,
  fromRows,
  matmul64,
  readSync,
  toRows,
  type AttentionWeights,
  type DType,
  type Tensor,
} from '../../engine';
import { D, type Mat, type ToyWeights } from './toyData';

const backends: Partial<Record<DType, CpuBackend>> = {};
/** One CPU backend per dtype, shared by all lessons (they are stateless between scopes). */
export function toyBackend(dtype: DType): CpuBackend {
  return (backends[dtype] ??= new CpuBackend({ dtype }));
}

/** Host values of a toy-backend tensor as rows, synchronously (the CPU backend's readSync). */
export function hostRows(t: Tensor): Mat {
  const data = readSync(t);
  const [r, c] = t.shape.length === 1 ? [1, t.shape[0]] : [t.shape[0], t.shape[1]];
  const out: Mat = [];
  for (let i = 0; i < r; i++) out.push(Array.from(data.subarray(i * c, (i + 1) * c)));
  return out;
}

/** a·b for small host matrices, through engine/linalg (float64). */
export function product(a: Mat, b: Mat): Mat {
  return toRows(matmul64(fromRows(a), fromRows(b)));
}

/** The toy weights in the engine's layout for h heads of width d_k = d / h. */
export function attentionWeights(w: ToyWeights, heads: number): AttentionWeights {
  return {
    d: D,
    heads,
    headDim: D / heads,
    wQ: fromRows(w.wQ),
    wK: fromRows(w.wK),
    wV: fromRows(w.wV),
    wO: fromRows(w.wO),
  };
}
