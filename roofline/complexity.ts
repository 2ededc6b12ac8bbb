import type { DecodeOrder } from './schemes';
import { assertPositiveInteger, RooflineInputError } from './errors';
import type { Cost } from './types';

/**
 * Compute side of the cost model: OPs, reads and arithmetic intensity per generated token per
 * layer (paper §2, Table 2; per-head terms from Tables 8–9 and §2). An OP is one
 * multiply or one add, so a multiply-accumulate is 2 OPs; reads count values, and intensity is
 * OPs per value read (divide by bytes per value to compare with a chip's OPs/byte).
 */

export interface ComplexityInput {
  /** Model width d. */
  d: number;
  /** Heads h (square MHA: d_k = d/h). */
  h: number;
  /** Current sequence length n (tokens in the cache including the new one). */
  n: number;
  /** Sequences decoded together; weights are shared, caches are not. Default 1. */
  batch?: number;
}

/** Cost of the projections (Q, K, V/W_KV, O) and of the attention core (MHA) of one layer. */
export interface LayerCost {
  projection: Cost;
  mha: Cost;
}

/** Paper Table 2: vanilla vs slim option 1 (V = K·W_KV first) vs option 2 ((softmax·K)·W_KV). */
export interface ComplexityTable {
  vanilla: LayerCost;
  option1: LayerCost;
  option2: LayerCost;
}

/**
 * Which ComplexityTable column a decode variant is: the table's keys keep the paper's Table 2
 * names (and are the `slim complexity --json` contract); the project calls them by CacheScheme
 * and DecodeOrder (paper §2: option 1 = 'v-first', option 2 = 'k-first').
 */
export const complexityKeys: Readonly<Record<'kv' | DecodeOrder, keyof ComplexityTable>> = {
  kv: 'vanilla',
  'v-first': 'option1',
  'k-first': 'option2',
};

function cost(ops: number, reads: number): Cost {
  return { ops, reads, intensity: ops / reads };
}

function checkInput({ d, h, n, batch = 1 }: ComplexityInput): void {
  assertPositiveInteger(d, 'd');
  assertPositiveInteger(h, 'h');
  assertPositiveInteger(n, 'n');
  assertPositiveInteger(batch, 'batch');
  if (d % h !== 0) {
    throw new RooflineInputError(`d = ${d} must be a multiple of h = ${h} (square MHA, d_k = d/h)`);
  }
}

/**
 * Paper Table 2 (paper §2, Table 2), generalized to batch B: projection OPs scale with B while the
 * weights are read once (intensity 2B for vanilla), attention OPs and cache reads both scale
 * with B (vanilla attention stays at intensity 2).
 * - vanilla:  projection 8d², reads 4d²;          MHA 4nd,       reads 2nd (K and V)
 * - option 1: projection (2n+6)d² (V = K·W_KV for all n rows), reads 4d²; MHA 4nd, reads nd
 * - option 2: projection 8d² (per-head ·W_KV,i adds 2d·d_k), reads 4d²; MHA 2nd(h+1), reads nd
 */
export function generateComplexity(input: ComplexityInput): ComplexityTable {
  checkInput(input);
  const { d, h, n } = input;
  const batch = input.batch ?? 1;
  const weights = 4 * d * d;
  return {
    vanilla: {
      projection: cost(batch * 8 * d * d, weights),
      mha: cost(batch * 4 * n * d, batch * 2 * n * d),
    },
    option1: {
      projection: cost(batch * (2 * n + 6) * d * d, weights),
      mha: cost(batch * 4 * n * d, batch * n * d),
    },
    option2: {
      projection: cost(batch * 8 * d * d, weights),
      mha: cost(batch * 2 * n * d * (h + 1), batch * n * d),
    },
  };
}

/** Per-head OPs of one generated token (paper Tables 8–9; paper §2, Table 2). */
export interface HeadOps {
  /** q_i·K_i^T: 2·n·d_k. */
  scores: number;
  /** softmax(·)·V_i, vanilla and option 1: 2·n·d_k. */
  weightedSumV: number;
  /** softmax(·)·K over the whole K row, option 2: 2·n·d. */
  weightedSumK: number;
  /** Option 1: V_i = K·W_KV,i for all n rows, 2·n·d·d_k. */
  valuesFromKeys: number;
  /** Option 2: (softmax·K)·W_KV,i, 2·d·d_k. */
  projectWeightedKeys: number;
}

export function headOps(input: ComplexityInput): HeadOps {
  checkInput(input);
  const { d, h, n } = input;
  const dk = d / h;
  return {
    scores: 2 * n * dk,
    weightedSumV: 2 * n * dk,
    weightedSumK: 2 * n * d,
    valuesFromKeys: 2 * n * d * dk,
    projectWeightedKeys: 2 * d * dk,
  };
}

/**
 * The value side of one head (paper §2): vanilla 2·n·d_k; option 1 2·n·d·d_k + 2·n·d_k;
 * option 2 2·n·d + 2·d·d_k.
 */
export function valueSideOpsPerHead(input: ComplexityInput): {
  vanilla: number;
  option1: number;
  option2: number;
} {
  const ops = headOps(input);
  return {
    vanilla: ops.weightedSumV,
    option1: ops.valuesFromKeys + ops.weightedSumV,
    option2: ops.weightedSumK + ops.projectWeightedKeys,
  };
}

/** Slim's peak MHA intensity 2h+2 OPs per value (paper Table 3, option 2 of Table 2). */
export function slimPeakIntensity(h: number): number {
  assertPositiveInteger(h, 'h');
  return 2 * h + 2;
}

/** One MHA layer whose projections may be non-square (paper §3): e = h·d_k, possibly > d. */
export interface NonSquareInput {
  /** Model width d. */
  d: number;
  /** Heads h. */
  heads: number;
  /** Head width d_k (= d_v). */
  headDim: number;
  /** Tokens in the cache including the new one. */
  n: number;
}

/**
 * OPs of one generated token in one layer, the X-cache (paper §3 option 2) against the standard
 * KV-cache. An OP is one multiply or one add.
 */
export interface XCacheOps {
  /**
   * 4de, independent of n: per head, x·W_Q,i·W_K,iᵀ maps the query back to d wide (2·d_k·d) and
   * (s_i·X)·W_V,i maps the weighted inputs to the head's value width (2·d·d_k) (paper §3).
   */
  projections: number;
  /** 4de: what the standard layer spends on the new token's k = x·W_K and v = x·W_V instead. */
  standardProjections: number;
  /** 4·h·n·d: per head, scores against the n cached d-wide rows of X and their weighted sum. */
  core: number;
  /** 4·n·e: the standard core, per head q_i·K_iᵀ and s_i·V_i over d_k-wide rows. */
  standardCore: number;
  /** Values the X-cache core reads: n·d, shared by all heads. */
  coreReads: number;
  /** Values the standard core reads: the K and V rows, 2·n·e. */
  standardCoreReads: number;
}

export function xCacheOps(input: NonSquareInput): XCacheOps {
  const { d, heads: h, headDim: dk, n } = input;
  assertPositiveInteger(d, 'd');
  assertPositiveInteger(h, 'heads h');
  assertPositiveInteger(dk, 'headDim d_k');
  assertPositiveInteger(n, 'n');
  const e = h * dk;
  return {
    projections: 4 * d * e,
    standardProjections: 4 * d * e,
    core: 4 * h * n * d,
    standardCore: 4 * n * e,
    coreReads: n * d,
    standardCoreReads: 2 * n * e,
  };
}
