import { assertPositiveInteger, assertPositiveNumber } from './errors';
import {
  encoderDecoderCache,
  encoderDecoderParams,
  type BaselineOptions,
  type EncoderDecoderLengths,
} from './encoderDecoder';
import { bytesPerFormat } from './formats';
import { keyWidth } from './memory';
import { rooflineTime, type RooflineTime, type Work } from './roofline';
import type { Chip, Dtype, Model } from './types';

/**
 * Time to first token of an encoder–decoder (paper §4): the prompt phase (the encoder over p
 * tokens), the cross phase (every decoder layer projects the encoder output E into its cross
 * K and V) and the first decode step, each timed on the roofline (paper Table 3). Baseline,
 * option 1 and option 2 share the prompt phase; option 1 computes only K in the cross phase
 * (half the work), option 2 has no cross phase at all: it keeps E and recomputes from it per
 * token.
 */

export interface FirstTokenOptions extends EncoderDecoderLengths {
  /** Sequences processed together (B). Default 1. */
  batch?: number;
  /** Bytes per value of weights, activations and caches. Default: the peak format's size. */
  bytesPerValue?: number;
  /**
   * Encoder layers. Default: the model's `layers` (Whisper's encoder has as many layers as its
   * decoder, paper §4 counts the decoder's).
   */
  encoderLayers?: number;
}

export interface FirstTokenPhases {
  /** Prompt phase: the encoder, the same for all three schemes. */
  prompt: Work;
  /** Cross phase per scheme: baseline E·W_K and E·W_V, option 1 E·W_K only, option 2 none. */
  cross: BaselineOptions<Work>;
  /** First decode step per scheme: the decoder weights plus each sequence's caches, read once. */
  firstStep: BaselineOptions<Work>;
}

export interface FirstTokenTime {
  /** max(OPs/peak, bytes/bandwidth) of the phase. */
  seconds: number;
  bound: 'compute' | 'memory' | 'none';
}

export interface FirstTokenTimes {
  phases: FirstTokenPhases;
  prompt: FirstTokenTime;
  cross: BaselineOptions<FirstTokenTime>;
  firstStep: BaselineOptions<FirstTokenTime>;
  /** prompt + cross + first step, per scheme. */
  total: BaselineOptions<number>;
  /** total.baseline / total.optionN. */
  speedup: { option1: number; option2: number };
}

type Scheme = keyof BaselineOptions<unknown>;

function mapOptions<T, U>(o: BaselineOptions<T>, f: (t: T) => U): BaselineOptions<U> {
  return { baseline: f(o.baseline), option1: f(o.option1), option2: f(o.option2) };
}

/**
 * OPs and bytes of the three phases before the first token (values scaled by bytesPerValue):
 * - prompt, per encoder layer and sequence: Q, K, V, O projections 2·p·4·d·e OPs, scores and
 *   weighted sum 4·p²·e (no causal mask: every pair), FFN 2·p·2·d·d_ffn; the encoder weights
 *   l_enc·(4·d·e + 2·d·d_ffn) are read once for the batch (activations are not counted);
 * - cross, per decoder layer and sequence: 2·p·d·e OPs for each of K = E·W_K and V = E·W_V;
 *   reads W_K (and W_V) once for the batch, E per sequence, and writes the p·e rows of each cache;
 * - first step: 2 OPs per decoder weight read per sequence, and bytes = weights + B·caches
 *   (one self row plus the cross cache, as encoderDecoderCache counts them with n = 1; the
 *   E-cache of option 2 is on-chip, as in the paper's table). Attention-core OPs of that step
 *   are left out: a decode step is memory bound (paper §2).
 */
export function firstTokenWork(model: Model, options: FirstTokenOptions = {}): FirstTokenPhases {
  const batch = options.batch ?? 1;
  const bytes = options.bytesPerValue ?? 1;
  const encoderLayers = options.encoderLayers ?? model.layers;
  assertPositiveInteger(batch, 'batch');
  assertPositiveNumber(bytes, 'bytesPerValue');
  assertPositiveInteger(encoderLayers, 'encoderLayers');
  const params = encoderDecoderParams(model);
  const firstCache = encoderDecoderCache(model, { ...options, decoderLength: 1 });
  // encoderDecoderCache has checked p (and that the model is an MHA encoder–decoder).
  const p = options.encoderLength ?? (model.encoderLength as number);
  const { d, layers: l } = model;
  const e = keyWidth(model);
  const ffn = model.ffnDim as number; // encoderDecoderParams has checked it is known

  const promptOps = 2 * p * 4 * d * e + 4 * p * p * e + 2 * p * 2 * d * ffn;
  const prompt: Work = {
    ops: batch * encoderLayers * promptOps,
    bytes: encoderLayers * (4 * d * e + 2 * d * ffn) * bytes,
  };
  // projections: 2 for the baseline (K and V), 1 for option 1 (K), 0 for option 2.
  const cross = (projections: number): Work => ({
    ops: batch * l * projections * 2 * p * d * e,
    bytes:
      projections === 0
        ? 0
        : l * (projections * d * e + batch * (p * d + projections * p * e)) * bytes,
  });
  const step = (weights: number, cache: number): Work => ({
    ops: batch * 2 * weights,
    bytes: (weights + batch * cache) * bytes,
  });
  return {
    prompt,
    cross: { baseline: cross(2), option1: cross(1), option2: cross(0) },
    firstStep: {
      baseline: step(params.baseline, firstCache.baseline),
      option1: step(params.option1, firstCache.option1),
      option2: step(params.option2, firstCache.option2),
    },
  };
}

function timeOf(work: Work, chip: Chip, dtype: Dtype): FirstTokenTime {
  if (work.ops === 0 && work.bytes === 0) return { seconds: 0, bound: 'none' };
  const t: RooflineTime = rooflineTime(work, chip, dtype);
  return { seconds: t.seconds, bound: t.bound };
}

/**
 * Time to first token per scheme on `chip` at the `dtype` peak (paper §4: option 1 halves the
 * cross phase, option 2 removes it). bytesPerValue defaults to the size of `dtype`.
 */
export function firstTokenTimes(
  model: Model,
  chip: Chip,
  dtype: Dtype,
  options: FirstTokenOptions = {},
): FirstTokenTimes {
  const phases = firstTokenWork(model, {
    ...options,
    bytesPerValue: options.bytesPerValue ?? bytesPerFormat[dtype],
  });
  const prompt = timeOf(phases.prompt, chip, dtype);
  const cross = mapOptions(phases.cross, (w) => timeOf(w, chip, dtype));
  const firstStep = mapOptions(phases.firstStep, (w) => timeOf(w, chip, dtype));
  const total = mapOptions(
    { baseline: 'baseline', option1: 'option1', option2: 'option2' } as const,
    (s: Scheme) => prompt.seconds + cross[s].seconds + firstStep[s].seconds,
  );
  return {
    phases,
    prompt,
    cross,
    firstStep,
    total,
    speedup: {
      option1: total.baseline / total.option1,
      option2: total.baseline / total.option2,
    },
  };
}
