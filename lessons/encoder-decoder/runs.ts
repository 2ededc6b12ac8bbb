/**
 * The toy encoder–decoder of lesson 9 (paper §4), run on the engine's cross-attention layers
 * (createCrossAttention): an encoder output E of p = 3 rows of width d = 4, and a decoder of two
 * layers, each a cross-attention (one head) with a residual, fed three decoder tokens one step
 * at a time. The baseline caches every layer's cross K and V, option 1 only the cross K
 * (V = K·W_KV), option 2 only E, once, in one ECache both layers read.
 */
import {
  ECache,
  createCrossAttention,
  type AttentionWeights,
  type Backend,
  type CrossAttentionConfig,
  type CrossAttentionLayer,
  type DType,
} from '../../engine';
import { D, PROMPT_IDS, embed, type Mat, type ToyWeights } from '../common/toyData';
import { attentionWeights, hostRows, product, toyBackend } from '../common/toyEngine';

/** Encoder rows p of the toy (audio frames, for Whisper). */
export const ENCODER_ROWS = 3;
/** Decoder layers of the toy, all reading the same E. */
export const DECODER_LAYERS = 2;
/** The decoder's input tokens, "I am a", one decode step each. */
export const DECODER_IDS: readonly number[] = PROMPT_IDS;

/** A default encoder output: small integers, every row different, so attention has a choice. */
export const DEFAULT_E: Readonly<Mat> = [
  [1, 0, -1, 1],
  [0, 1, 1, 0],
  [-1, 1, 0, 1],
];

/** The five ways the toy runs its cross-attention: the baseline and each option in both orders. */
export type CrossVariant = 'baseline' | 'option1V' | 'option1K' | 'option2V' | 'option2K';
export const CROSS_VARIANTS: readonly CrossVariant[] = [
  'baseline',
  'option1V',
  'option1K',
  'option2V',
  'option2K',
];

/** The engine configuration of one layer of a variant; option 2 layers share `eCache`. */
function crossConfig(variant: CrossVariant, eCache: ECache, layer: number): CrossAttentionConfig {
  const label = `toy decoder layer ${layer + 1} cross`;
  switch (variant) {
    case 'baseline':
      return { scheme: 'kv', label };
    case 'option1V':
      return { scheme: 'k-cache', decodeOrder: 'v-first', label };
    case 'option1K':
      return { scheme: 'k-cache', decodeOrder: 'k-first', label };
    case 'option2V':
      return { scheme: 'e-cache', decodeOrder: 'v-first', eCache, label };
    case 'option2K':
      return { scheme: 'e-cache', decodeOrder: 'k-first', eCache, label };
  }
}

const transpose = (m: Mat): Mat => m[0].map((_, j) => m.map((r) => r[j]));

/**
 * The toy's per-layer weights: layer 1 uses the toy weights, layer 2 their transposes (so the two
 * layers differ, and det W_K is the same for both: both invert, or neither).
 */
export function layerWeights(w: ToyWeights): ToyWeights[] {
  return [
    w,
    { wQ: transpose(w.wQ), wK: transpose(w.wK), wV: transpose(w.wV), wO: transpose(w.wO) },
  ];
}

/** One cache a variant keeps after the cross phase, as the engine reports it. */
export interface CrossCacheEntry {
  /** Who holds it, e.g. 'layer 1 cross K' or 'E (shared)'. */
  name: string;
  rows: number;
  cols: number;
  values: number;
  bytes: number;
}

export interface CrossRun {
  /** The decoder's hidden rows after both layers, one per decoder token. */
  outputs: Mat;
  caches: CrossCacheEntry[];
  values: number;
  bytes: number;
}

/**
 * Runs the toy decoder with one variant: the cross phase hands E to every layer
 * (setEncoderOutput), then each decoder token x goes through x + cross₁(x), then + cross₂(·).
 */
export function runCross(w: ToyWeights, e: Mat, variant: CrossVariant, dtype: DType): CrossRun {
  const backend: Backend = toyBackend(dtype);
  const eCache = new ECache(backend, D);
  const weights: AttentionWeights[] = layerWeights(w).map((lw) => attentionWeights(lw, 1));
  const layers: CrossAttentionLayer[] = [];
  try {
    weights.forEach((lw, i) =>
      layers.push(createCrossAttention(backend, lw, crossConfig(variant, eCache, i))),
    );
    const outputs = backend.scope(() => {
      const enc = backend.fromArray(e.flat(), [e.length, D]);
      for (const layer of layers) layer.setEncoderOutput(enc);
      const rows: Mat = [];
      for (const x0 of embed(DECODER_IDS)) {
        let x = backend.fromArray(x0, [1, D]);
        for (const layer of layers) x = backend.add(x, layer.attend(x));
        rows.push(...hostRows(x));
      }
      return rows;
    });
    const caches: CrossCacheEntry[] = layers.flatMap((layer, i) =>
      layer.cacheStats().caches.map((c) => ({ ...c, name: `layer ${i + 1} ${c.name}` })),
    );
    if (eCache.length > 0) caches.push({ ...eCache.stats(), name: 'E (shared)' });
    return {
      outputs,
      caches,
      values: caches.reduce((s, c) => s + c.values, 0),
      bytes: caches.reduce((s, c) => s + c.bytes, 0),
    };
  } finally {
    for (const layer of layers) layer.dispose();
    eCache.dispose();
  }
}

export interface CrossComparison {
  dtype: DType;
  /** Each variant's run; option 1's are null when a W_K has no usable inverse (`refusal`). */
  runs: Record<CrossVariant, CrossRun | null>;
  /** max |Δ| of every decoder output against the baseline's, per slim variant (null: not run). */
  maxDiff: Record<Exclude<CrossVariant, 'baseline'>, number | null>;
  /** Why option 1 did not run (the engine's message), if it did not. */
  refusal?: string;
}

/**
 * All five variants on one dtype, compared with the baseline on the same dtype. Option 1 needs
 * W_KV, so it is skipped (with the engine's reason) when a layer's W_K cannot be inverted;
 * option 2 never inverts anything and always runs.
 */
export function compareCross(w: ToyWeights, e: Mat, dtype: DType): CrossComparison {
  const refusal = option1Refusal(w);
  const runs = Object.fromEntries(
    CROSS_VARIANTS.map((v) => [
      v,
      refusal !== undefined && v.startsWith('option1') ? null : runCross(w, e, v, dtype),
    ]),
  ) as Record<CrossVariant, CrossRun | null>;
  const base = (runs.baseline as CrossRun).outputs;
  const diff = (v: CrossVariant) =>
    runs[v]?.outputs.reduce(
      (m, row, i) => row.reduce((mm, x, j) => Math.max(mm, Math.abs(x - base[i][j])), m),
      0,
    ) ?? null;
  return {
    dtype,
    runs,
    maxDiff: {
      option1V: diff('option1V'),
      option1K: diff('option1K'),
      option2V: diff('option2V'),
      option2K: diff('option2K'),
    },
    refusal,
  };
}

/** What the baseline's cross phase computes from E: each layer's K = E·W_K and V = E·W_V. */
export function crossProjections(w: ToyWeights, e: Mat): { k: Mat; v: Mat }[] {
  const enc = toRowsOf(e);
  return layerWeights(w).map((lw) => ({ k: product(enc, lw.wK), v: product(enc, lw.wV) }));
}

const toRowsOf = (m: Readonly<Mat>): Mat => m.map((r) => [...r]);

/** The engine's refusal when a layer's W_K cannot be inverted for option 1, else undefined. */
export function option1Refusal(w: ToyWeights): string | undefined {
  const backend = toyBackend('float64');
  for (const [i, lw] of layerWeights(w).entries()) {
    try {
      createCrossAttention(backend, attentionWeights(lw, 1), {
        scheme: 'k-cache',
        label: `toy decoder layer ${i + 1} cross`,
      }).dispose();
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  return undefined;
}
