import { assertNonNegativeInteger, assertPositiveInteger, RooflineInputError } from './errors';
import { requireModel } from './lookup';
import { keyWidth, kvCacheWidth } from './memory';
import type { Model } from './types';

/**
 * Encoder–decoder caches and per-token reads (paper §4, paper Tables 6–7). Counts are values
 * per sequence; p = encoder length, n = decoder tokens, l = decoder layers.
 */

export interface EncoderDecoderLengths {
  /** Encoder output length p (cross-attention KV rows). Defaults to the model's. */
  encoderLength?: number;
  /** Decoder tokens n (self-attention KV rows). Defaults to the model's maximum. */
  decoderLength?: number;
}

export interface EncoderDecoderCache {
  /** Self-attention KV-cache, d_cache·n·l (2·448·d·l for Whisper). */
  selfKv: number;
  /** Cross-attention KV-cache, d_cache·p·l (2·1500·d·l for Whisper). */
  crossKv: number;
  /** Option 2's E-cache: the encoder output, p·d, shared by all decoder layers. */
  eCache: number;
  /** selfKv + crossKv. */
  baseline: number;
  /** Option 1: K-caches only, half of the baseline. */
  option1: number;
  /**
   * Option 2: self K-cache only (half the self KV-cache); the cross cache is replaced by the
   * E-cache, which the paper keeps in on-chip SRAM and lists separately (`eCache`).
   */
  option2: number;
}

function lengths(model: Model, given: EncoderDecoderLengths): { p: number; n: number } {
  if (model.architecture !== 'encoder-decoder') {
    throw new RooflineInputError(`${model.name} is not an encoder–decoder model`);
  }
  const p = given.encoderLength ?? model.encoderLength;
  const n = given.decoderLength ?? model.decoderLength;
  if (p === undefined || n === undefined) {
    throw new RooflineInputError(
      `${model.name}: encoder length p and decoder length must be given (the catalog has none)`,
    );
  }
  assertPositiveInteger(p, 'encoderLength p');
  assertNonNegativeInteger(n, 'decoderLength');
  return { p, n };
}

function requireMha(model: Model): void {
  if (model.kvHeads !== model.heads) {
    throw new RooflineInputError(`${model.name}: the paper §4 options need MHA (h_kv = h)`);
  }
}

/** Cache sizes of paper §4 (Whisper table rows "E-cache" … "option 2 cache"). */
export function encoderDecoderCache(
  model: Model,
  given: EncoderDecoderLengths = {},
): EncoderDecoderCache {
  const { p, n } = lengths(model, given);
  requireMha(model);
  const width = kvCacheWidth(model);
  const kWidth = keyWidth(model);
  const selfKv = width * n * model.layers;
  const crossKv = width * p * model.layers;
  return {
    selfKv,
    crossKv,
    eCache: p * model.d,
    baseline: selfKv + crossKv,
    option1: kWidth * (n + p) * model.layers,
    option2: kWidth * n * model.layers,
  };
}

export interface BaselineOptions<T> {
  baseline: T;
  option1: T;
  option2: T;
}

/**
 * Decoder weights read per generated token (paper §4 "params" rows), in values:
 * baseline d·vocab + l·(6·d·e + 2·d·d_ffn) — embedding/output, self-attention Q, K, V, O and
 * cross-attention Q, O (cross K and V are cached, their weights idle), a two-matrix FFN;
 * option 1 adds the cross W_KV (e × e, = d² when square); option 2 the cross W_K and W_V
 * (2·d·e). For Whisper (e = d) these are the paper's formulas with l·d² and 2·l·d².
 */
export function encoderDecoderParams(model: Model): BaselineOptions<number> {
  requireMha(model);
  if (model.vocab === undefined || model.ffnDim === undefined) {
    throw new RooflineInputError(
      `${model.name}: vocab and d_ffn are needed for the paper §4 weights`,
    );
  }
  const { d, layers: l } = model;
  const e = keyWidth(model);
  const baseline = d * model.vocab + l * (6 * d * e + 2 * d * model.ffnDim);
  return {
    baseline,
    option1: baseline + l * e * e,
    option2: baseline + 2 * l * d * e,
  };
}

/** One row of the paper §4 Whisper table; its JSON shape is the `slim whisper` contract. */
export interface EncoderDecoderRow {
  model: string;
  cache: BaselineOptions<number>;
  params: BaselineOptions<number>;
  /** Values read per token per sequence at batch B: cache + params/B. */
  reads: BaselineOptions<number>;
  /** reads.baseline / reads.optionN. */
  speedup: { option1: number; option2: number };
}

/**
 * Reads per generated token and decode speedups at batch B (paper §4): every sequence
 * reads its own cache, the weights are shared by the batch, so reads = cache + params/B
 * (B = 1: 34.2M vs 30.0M values for Whisper-tiny, 1.14x; B = 64: up to 5.8x).
 */
export function encoderDecoderRow(
  model: Model,
  batch: number,
  given: EncoderDecoderLengths = {},
): EncoderDecoderRow {
  assertPositiveInteger(batch, 'batch');
  const c = encoderDecoderCache(model, given);
  const cache = { baseline: c.baseline, option1: c.option1, option2: c.option2 };
  const params = encoderDecoderParams(model);
  const reads = {
    baseline: cache.baseline + params.baseline / batch,
    option1: cache.option1 + params.option1 / batch,
    option2: cache.option2 + params.option2 / batch,
  };
  return {
    model: model.id,
    cache,
    params,
    reads,
    speedup: { option1: reads.baseline / reads.option1, option2: reads.baseline / reads.option2 },
  };
}

/** The five Whisper sizes of paper §4, in the paper's column order. */
export const whisperModelIds = [
  'whisper-tiny',
  'whisper-base',
  'whisper-small',
  'whisper-medium',
  'whisper-large',
] as const;

/** The paper §4 Whisper table at batch B (p = 1500, 448 decoder tokens, vocab 51,865). */
export function whisperTable(batch: number): EncoderDecoderRow[] {
  return whisperModelIds.map((id) => encoderDecoderRow(requireModel(id), batch));
}
