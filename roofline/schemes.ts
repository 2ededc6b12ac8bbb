/**
 * The project's one vocabulary for what attention keeps between decode steps and in which order
 * slim decode multiplies. Engine, cost model, explorer, lessons and CLI all use these names.
 * Paper: https://arxiv.org/abs/2503.05840.
 */

/**
 * What is cached per layer (or, for the E-cache, per model):
 * - 'kv': the standard KV-cache, K and V (the baseline);
 * - 'k-cache': slim attention, only K; V = K·W_KV (paper §1). With e > d, W_KV is e×e (paper §3);
 *   in an encoder–decoder, self and cross K-caches (paper §4, option 1);
 * - 'v-cache': only V; K = V·W_VK (Appendix C). No RoPE;
 * - 'x-cache': the d-wide layer inputs X; scores via (x·W_Q,i·W_K,iᵀ)·Xᵀ (paper §3). No RoPE;
 * - 'd-wide-cache': a d-wide cache from which K (then rotated) and V are rebuilt (Appendix C);
 * - 'e-cache': encoder–decoder, self K-caches plus one encoder output E shared by every
 *   cross-attention layer (paper §4, option 2).
 */
export type CacheScheme = 'kv' | 'k-cache' | 'v-cache' | 'x-cache' | 'd-wide-cache' | 'e-cache';

/** How the explorer names each cache scheme (the standard cache by paper Table 2's name). */
export const cacheSchemeLabels: Readonly<Record<CacheScheme, string>> = {
  kv: 'vanilla (K and V cached)',
  'k-cache': 'K-cache (slim)',
  'v-cache': 'V-cache (slim, K = V·W_VK)',
  'x-cache': 'X-cache',
  'd-wide-cache': 'd-wide cache',
  'e-cache': 'self K-cache + E-cache',
};

/**
 * The two orders of slim decode with a K-cache (paper §2):
 * - 'v-first': V = K·W_KV first, then softmax(·)·V (the paper's option 1; 2·n·d·d_k + 2·n·d_k
 *   OPs per head);
 * - 'k-first': (softmax(·)·K)·W_KV (the paper's option 2; 2·n·d + 2·d·d_k OPs per head, all
 *   heads in one product).
 */
export type DecodeOrder = 'v-first' | 'k-first';

/**
 * How the explorer names the two orders of slim decode: by what is multiplied first, with paper
 * §2's option number in brackets (§3 and §4 number their own, different options).
 */
export const decodeOrderLabels: Readonly<Record<DecodeOrder, string>> = {
  'v-first': 'slim, V-first: V = K·W_KV (paper §2, option 1)',
  'k-first': 'slim, K-first: (softmax·K)·W_KV (paper §2, option 2)',
};
