import type { CacheScheme } from './schemes';
import { encoderDecoderCache } from './encoderDecoder';
import { compressionFactor, keyWidth, kvCacheWidth, projectionRatio } from './memory';
import type { Model } from './types';

/**
 * Does slim attention pay off for a model, and by how much (paper §1, §3, §4, Appendices C, D, G)?
 * `factor` is the best context-memory reduction among the options that work for the model
 * (standard cache / slim cache); 1 means no gain.
 */

export type ApplicabilityKind =
  'mha-square' | 'mha-non-square' | 'mha-narrow' | 'encoder-decoder' | 'gqa' | 'mqa';

export interface SlimOption {
  /** What the option caches ('k-cache' also for the e×e W_KV and encoder–decoder K-caches). */
  id: CacheScheme;
  name: string;
  /** Context-memory reduction, standard / this option. */
  factor: number;
  /** False when the model's positional scheme (RoPE) rules the option out. */
  works: boolean;
  note: string;
}

export interface Applicability {
  applicable: boolean;
  factor: number;
  kind: ApplicabilityKind;
  /** One or two sentences a reader can act on. */
  reason: string;
  options: SlimOption[];
}

const fmt = (x: number) => (Math.round(x * 100) / 100).toString();

function best(options: SlimOption[]): number {
  return options.filter((o) => o.works).reduce((m, o) => Math.max(m, o.factor), 1);
}

function verdict(kind: ApplicabilityKind, reason: string, options: SlimOption[]): Applicability {
  const factor = best(options);
  return { applicable: factor > 1, factor, kind, reason, options };
}

/** The applicability verdict for one model. */
export function applicability(model: Model): Applicability {
  const d = model.d;
  const e = keyWidth(model);
  const dCache = kvCacheWidth(model);
  const c = compressionFactor(model);
  const rope = model.positional === 'rope';
  const isMha = model.kvHeads === model.heads;

  if (isMha && model.architecture === 'encoder-decoder') {
    const options: SlimOption[] = [
      {
        id: 'k-cache',
        name: 'self and cross K-caches (paper §4, option 1)',
        factor: 2,
        works: true,
        note: 'V from K in both attentions; the cross phase does half the work; RoPE ok',
      },
    ];
    const hasLengths = model.encoderLength !== undefined && model.decoderLength !== undefined;
    if (hasLengths) {
      const cache = encoderDecoderCache(model);
      options.push({
        id: 'e-cache',
        name: 'self K-cache + E-cache (paper §4, option 2)',
        factor: cache.baseline / cache.option2,
        works: !rope,
        note: rope
          ? 'recomputing cross-attention from the encoder output E needs no RoPE between projection and dot product'
          : `the cross KV-cache (${model.encoderLength} rows per layer) is replaced by one E-cache of ${model.encoderLength}·d values kept on chip; cross weights W_K and W_V are read per token`,
      });
    }
    if (e > d) {
      // The X-cache (paper §3, option 2) for the self- and cross-attention inputs: d-wide rows instead of 2e-wide.
      options.push({
        id: 'x-cache',
        name: 'X-cache of the d-wide inputs (paper §3, option 2)',
        factor: 2 * projectionRatio(model),
        works: !rope,
        note: rope
          ? 'scores via (x·W_Q,i·W_K,iᵀ)·Xᵀ need no RoPE between projection and dot product'
          : 'cache the d-wide inputs instead of K and V; scores via (x·W_Q,i·W_K,iᵀ)·Xᵀ',
      });
    }
    const eCache = options.find((o) => o.id === 'e-cache');
    const reason =
      `Encoder–decoder MHA (paper §4): K-caches (paper §4, option 1) halve self and cross caches` +
      (eCache === undefined
        ? '; the E-cache (paper §4, option 2) needs the encoder and decoder lengths, which the catalog lacks.'
        : eCache.works
          ? `; the E-cache (paper §4, option 2) replaces the cross caches, ${fmt(eCache.factor)}x smaller.`
          : '; the E-cache (paper §4, option 2) is ruled out by RoPE.') +
      (e > d
        ? ` Non-square projections (r = ${fmt(e / d)}, paper §3): the K-caches' W_KV is r times larger` +
          (rope ? '.' : `; caching the d-wide inputs gives ${fmt((2 * e) / d)}x.`)
        : '');
    return verdict('encoder-decoder', reason, options);
  }

  if (isMha && e === d) {
    return verdict(
      'mha-square',
      `MHA with square W_K (d = h·d_k = ${d}): V = K·W_KV, only K is cached, the KV-cache halves exactly (paper §1).`,
      [
        {
          id: 'k-cache',
          name: 'K-cache (slim attention)',
          factor: 2,
          works: true,
          note: 'W_KV = W_K⁻¹·W_V replaces W_V; store raw or rotated K with RoPE (paper Appendix E)',
        },
        {
          id: 'v-cache',
          name: 'V-cache only',
          factor: 2,
          works: !rope,
          note: rope
            ? 'K = V·W_VK would need un-rotated keys: not with RoPE'
            : 'K = V·W_VK (paper Appendices C, D, G)',
        },
      ],
    );
  }

  if (isMha && e > d) {
    const r = projectionRatio(model);
    const options: SlimOption[] = [
      {
        id: 'k-cache',
        name: 'K-cache with right inverse (paper §3, option 1)',
        factor: 2,
        works: true,
        note: `W_KV = W_K⁺·W_V is e×e: ${fmt(r)}x the W_V weights; RoPE ok`,
      },
      {
        id: 'x-cache',
        name: 'X-cache (paper §3, option 2)',
        factor: 2 * r,
        works: !rope,
        note: rope
          ? 'scores via (x·W_Q,i·W_K,iᵀ)·Xᵀ need no RoPE between projection and dot product'
          : 'scores via (x·W_Q,i·W_K,iᵀ)·Xᵀ, 4de OPs per token for all heads',
      },
    ];
    if (rope) {
      // paper §3's RoPE limit is the scores shortcut's only: K rebuilt from X can still be rotated.
      options.push({
        id: 'd-wide-cache',
        name: 'd-wide cache (X), K and V rebuilt',
        factor: c,
        works: true,
        note: 'K = X·W_K (then rotated) and V = X·W_V are rebuilt every step: more compute, no extra weights',
      });
    }
    return verdict(
      'mha-non-square',
      `MHA with non-square projections, e = h·d_k = ${e} > d = ${d} (r = ${fmt(r)}, paper §3): ` +
        `a K-cache with the right inverse (paper §3, option 1) halves the cache with an e×e W_KV (r times the W_V weights)` +
        (rope
          ? `; caching X and rebuilding (and rotating) K and V each step gives c = 2e/d = ${fmt(c)}x, ` +
            'at more compute; the X-cache (paper §3, option 2) and its scores shortcut are ruled out by RoPE (paper Appendices C, D, G).'
          : `; the X-cache (paper §3, option 2) caches X, ${fmt(2 * r)}x smaller.`),
      options,
    );
  }

  // GQA, MQA, or MHA narrower than d: slim needs a d-wide cache and helps only if d_cache > d.
  const kind: ApplicabilityKind = !isMha ? (model.kvHeads === 1 ? 'mqa' : 'gqa') : 'mha-narrow';
  const label = kind === 'mqa' ? 'MQA' : kind === 'gqa' ? 'GQA' : 'MHA with h·d_k < d';
  const option: SlimOption = {
    id: 'd-wide-cache',
    name: 'd-wide cache (K* = X·W_K*, d×d W_K*)',
    factor: c,
    works: c > 1,
    note:
      c > 1
        ? 'K and V are recomputed from the d-wide cache each step (more compute); RoPE applied after'
        : 'a d-wide cache is not smaller than the KV-cache',
  };
  const reason =
    c > 1
      ? `${label}: cache width d_cache = h_kv·(d_k+d_v) = ${dCache} > d = ${d}, so a d-wide cache is c = ${fmt(c)}x smaller (paper Appendices C, D, G).`
      : `${label}: cache width d_cache = h_kv·(d_k+d_v) = ${dCache} ≤ d = ${d} (c = ${fmt(c)}): the KV-cache is already narrower than d, slim attention gives no gain (paper Appendices C, D, G).`;
  return verdict(kind, reason, [option]);
}
