import { createElement, use, type ComponentType, type ReactElement } from 'react';

/**
 * A lesson body loaded on first use (its own chunk: the home page and the lessons index need
 * only the table). Renders inside a <Suspense>; once `preload()` has settled it renders at once.
 */
export type LessonComponent = (() => ReactElement) & { preload(): Promise<ComponentType> };

function lazyLesson(load: () => Promise<ComponentType>): LessonComponent {
  let loading: Promise<ComponentType> | undefined;
  /** The body once its chunk has arrived. */
  let loaded: ComponentType | undefined;
  const preload = (): Promise<ComponentType> => {
    if (!loading) {
      const promise: Promise<ComponentType> = load();
      // React's use() reads a promise marked fulfilled synchronously: no flash of the fallback
      // after the chunk has arrived.
      void promise.then((value) => {
        loaded = value;
        Object.assign(promise, { status: 'fulfilled', value });
      });
      loading = promise;
    }
    return loading;
  };
  // Once loaded, the body renders without use(): inside React's act() (every component test,
  // which preloads the lessons it renders) any use() call, even of a settled promise, ends act's
  // synchronous flush, so effects of that update would wait for an `await` that never comes.
  const Lesson = () => createElement(loaded ?? use<ComponentType>(preload()));
  return Object.assign(Lesson, { preload });
}

/**
 * The ordered lesson registry, the one lesson table: the single source for the lessons page,
 * the home page, the table of contents, prev/next links, per-lesson URLs (/lessons/:slug), each
 * lesson's body and its checkpoint ids (reader progress).
 */
export interface LessonMeta {
  /** URL segment, stable: shared links depend on it. */
  slug: string;
  title: string;
  /** One or two sentences for the table of contents and the lessons page. */
  summary: string;
  /**
   * Ids of the lesson's checkpoint questions, each placed before what it asks about; all revealed
   * = lesson done.
   */
  checkpoints: readonly string[];
  /** The lesson's body; LessonPage renders it and tells its checkpoints the slug. */
  component: LessonComponent;
}

export const lessons: readonly LessonMeta[] = [
  {
    slug: 'attention-primer',
    title: 'Attention in one picture',
    summary:
      'What queries, keys and values are, one head computed on the toy model, and why a decoder keeps a KV-cache that grows by one row per token.',
    checkpoints: ['cache-rows'],
    component: lazyLesson(() => import('./attention-primer').then((m) => m.PrimerLesson)),
  },
  {
    slug: 'why-the-cache-dominates',
    title: 'Why the cache dominates',
    summary:
      'Decoding re-reads every past key and value. Grow the context and the batch and watch the KV-cache outgrow the model.',
    checkpoints: ['crossover', 'batch-speedup'],
    component: lazyLesson(() => import('./why-the-cache-dominates').then((m) => m.CacheLesson)),
  },
  {
    slug: 'invert-wk',
    title: 'Invert W_K',
    summary:
      'K = X·W_K, so X = K·W_K⁻¹ and V = K·W_KV. Compute det, inverse and W_KV by hand, then break W_K on purpose.',
    checkpoints: ['integer-inverse', 'singular-det'],
    component: lazyLesson(() => import('./invert-wk').then((m) => m.InvertWkLesson)),
  },
  {
    slug: 'prefill',
    title: 'Prefill',
    summary:
      'Step through the prompt: every token adds a key row. The standard V-cache fills up; the slim one stays empty.',
    checkpoints: ['prefill-bytes'],
    component: lazyLesson(() => import('./prefill').then((m) => m.PrefillLesson)),
  },
  {
    slug: 'generate',
    title: 'Generate',
    summary:
      'One decode step at a time: scores, softmax, and both slim orders of multiplication against the standard result.',
    checkpoints: ['decode-growth', 'option-agree'],
    component: lazyLesson(() => import('./generate').then((m) => m.GenerateLesson)),
  },
  {
    slug: 'many-heads',
    title: 'Many heads',
    summary:
      'Two heads: W_KV splits into per-head blocks, every head needs the whole key row, and the K-first order (paper §2, option 2) becomes one product.',
    checkpoints: ['whole-row', 'intensity'],
    component: lazyLesson(() => import('./many-heads').then((m) => m.ManyHeadsLesson)),
  },
  {
    slug: 'rope',
    title: 'RoPE',
    summary:
      'Rotary positions turn q and k by their positions. W_KV needs the keys before rotation: cache raw K and rotate on read, or cache rotated K and un-rotate (Appendix E).',
    checkpoints: ['rotated-wkv', 'rope-rotations'],
    component: lazyLesson(() => import('./rope').then((m) => m.RopeLesson)),
  },
  {
    slug: 'biases',
    title: 'Biases',
    summary:
      'The V bias folds into the output bias, softmax cancels the K bias, and slim attention rebuilds V = (K − b_K)·W_KV + b_V (Appendix F).',
    checkpoints: ['kbias-softmax', 'slim-bias'],
    component: lazyLesson(() => import('./biases').then((m) => m.BiasesLesson)),
  },
  {
    slug: 'non-square',
    title: 'Non-square projections',
    summary:
      'When heads are wider than the model (e > d: T5, CodeGemma), W_K has only a right inverse and W_KV grows to e × e; or cache the d-wide inputs X, 2r times smaller (paper §3).',
    checkpoints: ['x-cache-factor', 'right-inverse-product'],
    component: lazyLesson(() => import('./non-square').then((m) => m.NonSquareLesson)),
  },
  {
    slug: 'encoder-decoder',
    title: 'Encoder–decoders',
    summary:
      'Cross-attention reads the encoder output E: cache only K (K-caches, paper §4, option 1), or only E, once for all layers (E-cache, paper §4, option 2). Whisper’s cache shrinks 8.7x (paper §4).',
    checkpoints: ['e-cache-values', 'whisper-cache', 'first-token'],
    component: lazyLesson(() => import('./encoder-decoder').then((m) => m.EncoderDecoderLesson)),
  },
  {
    slug: 'sparsity',
    title: 'Sparsity',
    summary:
      'Skip the value rows whose softmax weight is tiny, on a real attention row of moby-gpt2: rows skipped, 1/(1 − S) less work, the output error, standard and slim alike; and why GQA makes skipping rarer (Appendix D).',
    checkpoints: ['sparsity-work', 'sparsity-gqa'],
    component: lazyLesson(() => import('./sparsity').then((m) => m.SparsityLesson)),
  },
  {
    slug: 'precision',
    title: 'Precision and conditioning',
    summary:
      'Rounding grows by cond(W_K) when V is rebuilt from K: float32 and float16 measured on a 2×2 W_K and on real layers, the V-cache direction, and the Whisper figures (Appendices A and C).',
    checkpoints: ['fp16-error', 'better-direction'],
    component: lazyLesson(() => import('./precision').then((m) => m.PrecisionLesson)),
  },
  {
    slug: 'gqa',
    title: 'GQA, MQA, MLA: when slim does not help',
    summary:
      'Shared key/value heads make the cache row narrower than the token: slim attention helps only when d_cache = h_kv·(d_k + d_v) exceeds d (Appendix G). The catalog sorted by c, Gemma2-9B, and how DeepSeek’s MLA relates.',
    checkpoints: ['gqa-toy', 'gemma2-saving', 'llama3-shrink'],
    component: lazyLesson(() => import('./gqa').then((m) => m.GqaLesson)),
  },
  {
    slug: 'trade-offs',
    title: 'Trade-offs and FAQ',
    summary:
      'Slim attention trades memory for arithmetic. Where it is slower (the V-first order at long context, the K-first order with many heads on a low-ridge chip, a browser without a GPU), and how it combines with FlashAttention, PagedAttention and cache quantization.',
    checkpoints: ['option1-part', 'h64-chip', 'h64-speedup', 'cpu-run', 'quant-multiply'],
    component: lazyLesson(() => import('./trade-offs').then((m) => m.TradeoffsLesson)),
  },
];

export function findLesson(slug: string): LessonMeta | undefined {
  return lessons.find((l) => l.slug === slug);
}

export function lessonPath(slug: string): string {
  return `/lessons/${slug}`;
}

/** The lessons before and after `slug` in reading order (undefined at either end). */
export function neighbours(slug: string): { prev?: LessonMeta; next?: LessonMeta } {
  const i = lessons.findIndex((l) => l.slug === slug);
  if (i < 0) return {};
  return { prev: lessons[i - 1], next: lessons[i + 1] };
}
