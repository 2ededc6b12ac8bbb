/**
 * What the loader and the CLI say about grouped-query (GQA) and multi-query (MQA) checkpoints
 * (paper Appendix G): which cache slim attention runs for them, why no slim scheme helps where
 * the cost model finds no gain, and why `slim check` and `slim convert` have nothing to do.
 * The numbers come from roofline's cost model (compressionFactor, applicability).
 */
import { applicability, compressionFactor, type Model } from '../../roofline';
import { groupedSlimScheme } from '../attention';

/** Which cache the slim side of a model runs (paper §1 for MHA, Appendix G for GQA/MQA). */
export type SlimScheme = 'k-cache' | 'd-wide-cache' | 'x-cache';

const fmt = (x: number) => (Math.round(x * 100) / 100).toString();

function kindOf(m: Model): string {
  return m.kvHeads === 1 ? 'MQA' : 'GQA';
}

/** The slim scheme of a parsed model: the K-cache for MHA, else groupedSlimScheme's choice. */
export function slimSchemeOf(m: Model): SlimScheme {
  return groupedSlimScheme(m);
}

/**
 * For a model whose slim side is the X-cache (c ≤ 1): why no slim scheme makes its cache
 * smaller (the cost model's reason) and what slim mode runs instead. Undefined otherwise.
 */
export function slimNoteOf(m: Model): string | undefined {
  if (slimSchemeOf(m) !== 'x-cache') return undefined;
  const c = compressionFactor(m);
  return (
    `${applicability(m).reason} Slim mode runs the X-cache anyway (the layer input, d = ${m.d} ` +
    `values per token and layer, K and V rebuilt each step): ${fmt(1 / c)}x the KV-cache, ` +
    'with the same tokens.'
  );
}

/**
 * Why a GQA/MQA checkpoint has nothing for `slim check` or `slim convert` to do (undefined for
 * MHA): W_K is d×e with e < d, not square, so there is no W_KV = W_K⁻¹·W_V to check or store,
 * and the d-wide cache or X-cache slim mode runs is formed from the original weights.
 */
export function nothingToConvert(m: Model): string | undefined {
  if (m.kvHeads === m.heads) return undefined;
  const e = m.kvHeads * m.headDim;
  const scheme = slimSchemeOf(m);
  const cache =
    scheme === 'd-wide-cache'
      ? `the d-wide cache K* = X·W_K* (c = ${fmt(compressionFactor(m))}x smaller than the KV-cache)`
      : `the X-cache (no slim scheme is smaller for this model, c = ${fmt(compressionFactor(m))})`;
  return (
    `this is a ${kindOf(m)} model (${m.heads} query heads share ${m.kvHeads} key/value heads): ` +
    `W_K is ${m.d}×${e}, not square, so there is no W_KV = W_K⁻¹·W_V to check or store ` +
    `(paper §1 needs MHA). Its slim side, ${cache} (paper Appendix G), is computed from the ` +
    "original weights when the model runs and needs no conversion: use 'slim run --mode slim'."
  );
}
