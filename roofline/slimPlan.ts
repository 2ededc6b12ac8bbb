import { encoderDecoderCache, encoderDecoderParams } from './encoderDecoder';
import { assertPositiveInteger, assertPositiveNumber, RooflineInputError } from './errors';
import {
  DEFAULT_BYTES_PER_VALUE,
  decodeSpeedup,
  kCacheValues,
  keyWidth,
  kvCacheWidth,
  paramBytes,
  standardCacheValues,
  xCacheValues,
} from './memory';
import type { CacheScheme } from './schemes';
import type { Model, StandardSlim } from './types';

/**
 * Which slim scheme "slim" means for a model: among the schemes that work for it (the same list
 * `applicability` judges, paper §1, §3, §4, Appendices C, D, G), the one with the smallest total memory
 * (stored weights + batch·cache). One choice, used by the memory report, the explorer and the
 * decode-step work, so the three agree.
 */

/**
 * A K-cache is "wide" when its W_KV is e×e rather than d×d: non-square MHA (paper §3, option 1)
 * or an encoder–decoder's self and cross K-caches (paper §4, option 1).
 */
function wideKCache(model: Model): boolean {
  return isEncoderDecoder(model) || keyWidth(model) !== model.d;
}

/**
 * Short name of the scheme `scheme` for `model`, for labels (the CLI prints these verbatim).
 * 'kv' as the slim choice means no slim scheme beats the standard cache (Appendix C, d_cache ≤ d).
 */
export function schemeLabel(model: Model, scheme: CacheScheme): string {
  switch (scheme) {
    case 'k-cache':
      if (isEncoderDecoder(model)) return 'self and cross K-caches (paper §4, option 1)';
      return wideKCache(model) ? 'K-cache, e×e W_KV (paper §3, option 1)' : 'K-cache';
    case 'e-cache':
      return 'self K-cache + E-cache (paper §4, option 2)';
    case 'x-cache':
      return 'X-cache (paper §3, option 2)';
    case 'd-wide-cache':
      return 'd-wide cache';
    case 'v-cache':
      return 'V-cache';
    case 'kv':
      return 'no gain (standard cache)';
  }
}

export interface SlimCandidate {
  /** What is cached ('kv' for the standard scheme). */
  scheme: CacheScheme;
  /** Cached values per sequence (what must be stored). */
  cacheValues: number;
  /**
   * Cached values read per token per sequence: equals cacheValues except for option 2, whose
   * E-cache (p·d, shared by all decoder layers) the paper keeps in on-chip SRAM (paper §4).
   */
  cacheReadValues: number;
  /** Weights stored (values): the model's params plus any larger W_KV. */
  storedParams: number;
  /** Weights read per decode step (values, shared by the batch). */
  readParams: number;
}

export interface SlimPlan {
  standard: SlimCandidate;
  slim: SlimCandidate;
  /** Every scheme that works for the model, in applicability's order. */
  candidates: SlimCandidate[];
}

function isEncoderDecoder(model: Model): boolean {
  return model.architecture === 'encoder-decoder';
}

/**
 * Weights read per decode step by the standard scheme. Decoders read all params. Encoder–
 * decoders read only the decoder side (paper §4 "params" rows: the encoder ran once in the prompt
 * phase, cross W_K and W_V ran once in the cross phase); without vocab and d_ffn the paper §4 formula
 * cannot be evaluated and all params are counted (an upper bound).
 */
function standardReadParams(model: Model): number {
  if (!isEncoderDecoder(model) || model.vocab === undefined || model.ffnDim === undefined)
    return model.params;
  return encoderDecoderParams(model).baseline;
}

/**
 * Encoder–decoder contexts count p encoder rows plus the decoder tokens (paper §4). Exactly p is
 * valid: the encoder has run and no decoder token exists yet (paper Table 1's Flan-T5-XXL row, 512
 * encoder rows).
 */
function checkEncoderContext(model: Model, contextLength: number): void {
  const p = model.encoderLength;
  if (isEncoderDecoder(model) && p !== undefined && contextLength < p) {
    throw new RooflineInputError(
      `${model.name} is an encoder–decoder: the context counts its ${p} encoder rows plus the ` +
        `decoder tokens, so it must be at least ${p}, got ${contextLength}`,
    );
  }
}

/** The standard scheme and every slim scheme that works for `model` at `contextLength`. */
export function slimPlanCandidates(model: Model, contextLength: number): SlimPlan['candidates'] {
  assertPositiveInteger(contextLength, 'contextLength');
  checkEncoderContext(model, contextLength);
  const d = model.d;
  const e = keyWidth(model);
  const l = model.layers;
  const rope = model.positional === 'rope';
  const isMha = model.kvHeads === model.heads;
  const encDec = isEncoderDecoder(model);
  const baseRead = standardReadParams(model);
  const out: SlimCandidate[] = [];
  const add = (
    scheme: CacheScheme,
    cache: number,
    stored: number,
    read: number,
    cacheRead = cache,
  ) =>
    out.push({
      scheme,
      cacheValues: cache,
      cacheReadValues: cacheRead,
      storedParams: stored,
      readParams: read,
    });

  if (isMha && e >= d) {
    // W_KV replaces W_V: e×e instead of d×e, per cache-holding attention (0 when square).
    const wkvGrowth = e * e - d * e;
    const attentions = encDec ? 2 : 1;
    const kCache = kCacheValues(model, contextLength);
    if (encDec) {
      const known = model.vocab !== undefined && model.ffnDim !== undefined;
      const params = known ? encoderDecoderParams(model) : undefined;
      // Option 1 reads the cross W_KV per token (paper §4), plus the larger self W_KV when e > d.
      add(
        'k-cache',
        kCache,
        model.params + attentions * l * wkvGrowth,
        params ? params.option1 + l * wkvGrowth : model.params + attentions * l * wkvGrowth,
      );
      if (!rope && model.encoderLength !== undefined && params) {
        const p = model.encoderLength;
        const c = encoderDecoderCache(model, {
          encoderLength: p,
          decoderLength: contextLength - p,
        });
        // Option 2 reads the cross W_K and W_V per token (paper §4); the self-attention keeps a K-cache.
        add(
          'e-cache',
          c.option2 + c.eCache,
          model.params + l * wkvGrowth,
          params.option2 + l * wkvGrowth,
          c.option2,
        );
      }
      if (e > d && !rope) {
        // paper §3 option 2 for both attentions: d-wide rows; the cross W_K and W_V are read per token
        // to score against and project the cached inputs, as in paper §4 option 2.
        add(
          'x-cache',
          xCacheValues(model, contextLength),
          model.params,
          params ? params.option2 : model.params,
        );
      }
    } else {
      add('k-cache', kCache, model.params + l * wkvGrowth, model.params + l * wkvGrowth);
      // The d-wide cache needs no extra weights: without RoPE via the paper §3 scores shortcut, with
      // RoPE by rebuilding K (then rotating it) and V from X each step (more compute).
      if (e > d)
        add(
          rope ? 'd-wide-cache' : 'x-cache',
          xCacheValues(model, contextLength),
          model.params,
          model.params,
        );
    }
  } else {
    // GQA, MQA or MHA narrower than d (paper Appendices C, D, G): a d-wide cache, when it is smaller (c > 1).
    if (kvCacheWidth(model) > d)
      add('d-wide-cache', xCacheValues(model, contextLength), model.params, baseRead);
  }
  return out;
}

function total(c: SlimCandidate, batch: number): number {
  return c.storedParams + batch * c.cacheValues;
}

/**
 * The standard scheme and the slim scheme with the smallest stored total at this batch (ties:
 * the earlier, simpler scheme). With no working scheme slim is 'kv', equal to standard.
 */
export function slimPlan(model: Model, contextLength: number, batch = 1): SlimPlan {
  assertPositiveInteger(batch, 'batch');
  const candidates = slimPlanCandidates(model, contextLength);
  const cache = standardCacheValues(model, contextLength);
  const standard: SlimCandidate = {
    scheme: 'kv',
    cacheValues: cache,
    cacheReadValues: cache,
    storedParams: model.params,
    readParams: standardReadParams(model),
  };
  let slim = standard;
  for (const c of candidates) if (total(c, batch) < total(slim, batch)) slim = c;
  return { standard, slim, candidates };
}

// ---------------------------------------------------------------- the memory report

export interface MemoryOptions {
  /** Cached positions per layer (for encoder–decoders: encoder p + decoder tokens, > p). */
  contextLength: number;
  /** Sequences decoded together, each with its own cache; params are shared. Default 1. */
  batch?: number;
  /** Bytes per stored value, for cache and params alike (1 = int8 as in paper §1; 2 = fp16). Default 2. */
  bytesPerValue?: number;
}

/** The `slim memory` report; its JSON shape is the CLI contract. */
export interface MemoryReport {
  model: string;
  contextLength: number;
  batch: number;
  bytesPerValue: number;
  /** The scheme "slim" stands for here (see `slimPlan`). */
  slimScheme: CacheScheme;
  kvCacheValues: StandardSlim;
  kvCacheBytes: StandardSlim;
  /** Stored weights (capacity), standard scheme. */
  paramBytes: number;
  /** Memory to hold: stored weights (slim: with any larger W_KV) + batch·cache. */
  totalBytes: StandardSlim;
  /**
   * Bytes read per decode step: weights read (encoder–decoders: decoder side only, paper §4) +
   * batch·cache read (option 2's E-cache sits in SRAM, paper §4).
   */
  readBytes: StandardSlim;
  /**
   * totalBytes.standard / totalBytes.slim: the CLI contract's decode speedup (paper §1, where
   * a decoder reads everything it stores per token, so stored = read).
   */
  decodeSpeedup: number;
  /**
   * readBytes.standard / readBytes.slim: speedup of a memory-bound decode step counted from the
   * bytes actually read (differs from decodeSpeedup for encoder–decoders, paper §4; equals
   * `slim whisper`'s speedup for the same option).
   */
  readSpeedup: number;
}

/**
 * Memory of one decode setup, standard vs slim (paper §1, §4). totalBytes is what must be
 * stored and decodeSpeedup its ratio (the CLI contract); readBytes counts what one decode step
 * reads (encoder–decoders: decoder-side weights only), and readSpeedup its ratio, which matches
 * `slim whisper`.
 */
export function memoryReport(model: Model, options: MemoryOptions): MemoryReport {
  const batch = options.batch ?? 1;
  const bytesPerValue = options.bytesPerValue ?? DEFAULT_BYTES_PER_VALUE;
  assertPositiveNumber(bytesPerValue, 'bytesPerValue');
  const { contextLength } = options;
  const plan = slimPlan(model, contextLength, batch);
  const { standard, slim } = plan;
  const kvCacheValues = {
    standard: standard.cacheValues * batch,
    slim: slim.cacheValues * batch,
  };
  const kvCacheBytes = {
    standard: kvCacheValues.standard * bytesPerValue,
    slim: kvCacheValues.slim * bytesPerValue,
  };
  const totalBytes = {
    standard: paramBytes(model, bytesPerValue) + kvCacheBytes.standard,
    slim: slim.storedParams * bytesPerValue + kvCacheBytes.slim,
  };
  const readBytes = {
    standard: (standard.readParams + batch * standard.cacheReadValues) * bytesPerValue,
    slim: (slim.readParams + batch * slim.cacheReadValues) * bytesPerValue,
  };
  return {
    model: model.id,
    contextLength,
    batch,
    bytesPerValue,
    slimScheme: slim.scheme,
    kvCacheValues,
    kvCacheBytes,
    paramBytes: paramBytes(model, bytesPerValue),
    totalBytes,
    readBytes,
    decodeSpeedup: decodeSpeedup(totalBytes.standard, totalBytes.slim),
    readSpeedup: decodeSpeedup(readBytes.standard, readBytes.slim),
  };
}
