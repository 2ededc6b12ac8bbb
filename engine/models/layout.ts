/**
 * Where a family keeps W_K and W_V of a layer (fused or separate tensors, x·W or nn.Linear
 * layout). The conditioning check reads them, the converter writes W_KV or W_VK in their place
 * (paper §1, Appendix C) and the loader undoes that for a converted checkpoint.
 */
import type { Matrix64 } from '../linalg';
import { linearRowsT, range, setLinearRowsT, type HostTensor, type WeightLookup } from './decoder';

export interface AttentionLayout {
  /** Parameter names (without the model prefix) that hold W_K and W_V of the layer. */
  tensors(layer: number): string[];
  /** W_K and W_V as float64 d×e matrices in the x·W convention (paper §1). */
  read(weights: WeightLookup, layer: number): { wK: Matrix64; wV: Matrix64 };
  /** Writes a d×e (x·W) matrix where W_K is kept, in the family's layout. */
  writeK(weights: WeightLookup, layer: number, m: Matrix64): void;
  /** Writes a d×e (x·W) matrix where W_V is kept, in the family's layout. */
  writeV(weights: WeightLookup, layer: number, m: Matrix64): void;
}

/**
 * The layout of families with separate k_proj and v_proj nn.Linear weights ([e, d], y = x·Wᵀ;
 * GPT-Neo, Llama and Qwen2): W_K and W_V are their transposes, d × e in the x·W convention.
 * `param` looks a tensor up with the family's name in its messages.
 */
export function separateKvLayout(
  names: { k: (layer: number) => string; v: (layer: number) => string },
  d: number,
  e: number,
  param: (w: WeightLookup, name: string, shape: number[]) => HostTensor,
): AttentionLayout {
  const rows = range(0, e);
  const { k, v } = names;
  return {
    tensors: (layer) => [k(layer), v(layer)],
    read: (w, layer) => ({
      wK: linearRowsT(param(w, k(layer), [e, d]), rows),
      wV: linearRowsT(param(w, v(layer), [e, d]), rows),
    }),
    writeK: (w, layer, m) => setLinearRowsT(param(w, k(layer), [e, d]), rows, m),
    writeV: (w, layer, m) => setLinearRowsT(param(w, v(layer), [e, d]), rows, m),
  };
}
