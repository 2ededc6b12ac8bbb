/**
 * Lesson 12's toy (paper Appendix G): three small attention shapes with d = 4 and two query
 * heads, built from the toy model's weights, run on the engine's grouped-query layer
 * (createGroupedAttention) with the standard KV-cache, the K-cache (V = K·W_KV) and the d-wide
 * cache K* = X·W_K*, in float64 and float32. A scheme the engine refuses reports its message.
 */
import {
  createGroupedAttention,
  dWideKeyMatrix,
  fromRows,
  toRows,
  type DType,
  type GroupedAttentionScheme,
  type GroupedAttentionWeights,
} from '../../engine';
import { D, DEFAULT_WEIGHTS, embed, type Mat } from '../common/toyData';
import { hostRows, toyBackend } from '../common/toyEngine';
import { SENTENCE_IDS } from '../common/toyRuns';

export type GqaShapeId = 'mqa' | 'mqa-wide' | 'mha';
export const GQA_SHAPE_IDS: readonly GqaShapeId[] = ['mqa', 'mqa-wide', 'mha'];

export interface GqaShape {
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Columns of the toy W_Q taken for each query head (and rows of the toy W_O). */
  headColumns: readonly (readonly number[])[];
}

/** d = 4 throughout; two query heads. */
export const GQA_SHAPES: Readonly<Record<GqaShapeId, GqaShape>> = {
  // MQA, e = 2: d_cache = 4 = d.
  mqa: {
    heads: 2,
    kvHeads: 1,
    headDim: 2,
    headColumns: [
      [0, 1],
      [2, 3],
    ],
  },
  // MQA, e = 3: d_cache = 6 > d = 4 (the Gemma2-9B situation: e < d < 2e).
  'mqa-wide': {
    heads: 2,
    kvHeads: 1,
    headDim: 3,
    headColumns: [
      [0, 1, 2],
      [1, 2, 3],
    ],
  },
  // MHA, e = 4 = d: the toy model of the earlier lessons.
  mha: {
    heads: 2,
    kvHeads: 2,
    headDim: 2,
    headColumns: [
      [0, 1],
      [2, 3],
    ],
  },
};

export const GQA_SCHEMES: readonly GroupedAttentionScheme[] = ['kv', 'k-cache', 'd-wide-cache'];

/** Tokens run: "I am a student .", the first three as one prefill, then one decode per token. */
export const GQA_IDS = SENTENCE_IDS;
export const GQA_PROMPT = 3;

const columns = (m: Mat, cols: readonly number[]): Mat => m.map((row) => cols.map((c) => row[c]));

/** The toy W_K and W_V cut to the shape's key width e = h_kv·d_k (their first e columns). */
export function defaultKeyValue(id: GqaShapeId): { wK: Mat; wV: Mat } {
  const s = GQA_SHAPES[id];
  const first = Array.from({ length: s.kvHeads * s.headDim }, (_, j) => j);
  return { wK: columns(DEFAULT_WEIGHTS.wK, first), wV: columns(DEFAULT_WEIGHTS.wV, first) };
}

/** Whether a matrix has the shape W_K and W_V need for this toy shape (d × h_kv·d_k). */
export function fitsShape(id: GqaShapeId, m: Mat): boolean {
  const s = GQA_SHAPES[id];
  return m.length === D && m.every((row) => row.length === s.kvHeads * s.headDim);
}

/** The engine's weights for the shape: W_Q and W_O from the toy model, W_K and W_V given. */
export function gqaWeights(id: GqaShapeId, wK: Mat, wV: Mat): GroupedAttentionWeights {
  const s = GQA_SHAPES[id];
  const cols = s.headColumns.flat();
  return {
    d: D,
    heads: s.heads,
    kvHeads: s.kvHeads,
    headDim: s.headDim,
    wQ: fromRows(columns(DEFAULT_WEIGHTS.wQ, cols)),
    wK: fromRows(wK),
    wV: fromRows(wV),
    wO: fromRows(cols.map((r) => [...DEFAULT_WEIGHTS.wO[r]])),
  };
}

/** W_K* of the d-wide cache (first d columns of [W_K | W_V]), or the engine's reason why not. */
export function dWideKey(wK: Mat, wV: Mat): { matrix: Mat } | { message: string } {
  try {
    return { matrix: toRows(dWideKeyMatrix(fromRows(wK), fromRows(wV), 'toy')) };
  } catch (error) {
    return { message: error instanceof Error ? error.message : String(error) };
  }
}

export type SchemeRun =
  | { ok: true; outputs: Mat; cacheValues: number; valuesPerToken: number }
  | { ok: false; message: string };

/** One engine layer over GQA_IDS: every output row and the cache size, or the refusal. */
export function runScheme(
  weights: GroupedAttentionWeights,
  scheme: GroupedAttentionScheme,
  dtype: DType,
): SchemeRun {
  const backend = toyBackend(dtype);
  let layer;
  try {
    layer = createGroupedAttention(backend, weights, { scheme, label: 'toy' });
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  try {
    const x = embed(GQA_IDS);
    const outputs: Mat = [];
    const step = (rows: Mat, prompt: boolean) => {
      const t = backend.fromArray(rows.flat(), [rows.length, D]);
      const y = prompt ? layer.prefill(t) : layer.decode(t);
      outputs.push(...hostRows(y));
      t.dispose();
      y.dispose();
    };
    step(x.slice(0, GQA_PROMPT), true);
    for (let i = GQA_PROMPT; i < x.length; i++) step([x[i]], false);
    const cacheValues = layer.cacheStats().values;
    return { ok: true, outputs, cacheValues, valuesPerToken: cacheValues / layer.length };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    layer.dispose();
  }
}

export interface GqaComparison {
  runs: Record<GroupedAttentionScheme, SchemeRun>;
  /** max |Δ| of each working slim scheme's outputs against the standard run (same dtype). */
  maxDiff: Partial<Record<GroupedAttentionScheme, number>>;
}

const maxAbsDiff = (a: Mat, b: Mat) =>
  a.reduce((m, row, i) => row.reduce((mm, x, j) => Math.max(mm, Math.abs(x - b[i][j])), m), 0);

/** All three schemes on one dtype, and each slim scheme's max |Δ| against the standard run. */
export function compareGqa(weights: GroupedAttentionWeights, dtype: DType): GqaComparison {
  const runs = Object.fromEntries(
    GQA_SCHEMES.map((s) => [s, runScheme(weights, s, dtype)]),
  ) as Record<GroupedAttentionScheme, SchemeRun>;
  const maxDiff: Partial<Record<GroupedAttentionScheme, number>> = {};
  const standard = runs.kv;
  for (const s of GQA_SCHEMES) {
    const r = runs[s];
    if (s !== 'kv' && r.ok && standard.ok) maxDiff[s] = maxAbsDiff(r.outputs, standard.outputs);
  }
  return { runs, maxDiff };
}
