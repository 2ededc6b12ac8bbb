/** Small helpers models share across backends. */
import type { Backend } from '../backend';
import type { Tensor } from '../tensor';

export type LinearActivation = 'none' | 'gelu';

/** A backend that can fuse bias and activation into a matmul (the WebGL backend does). */
interface FusedLinearBackend {
  linear(a: Tensor, b: Tensor, options: { bias?: Tensor; activation?: LinearActivation }): Tensor;
}

function hasFusedLinear(b: Backend): b is Backend & FusedLinearBackend {
  return typeof (b as Partial<FusedLinearBackend>).linear === 'function';
}

/** act(x·W + b): one fused kernel where the backend offers it, else matmul, addBias, gelu. */
export function linear(
  backend: Backend,
  x: Tensor,
  w: Tensor,
  bias?: Tensor,
  activation: LinearActivation = 'none',
): Tensor {
  if (hasFusedLinear(backend)) return backend.linear(x, w, { bias, activation });
  let y = backend.matmul(x, w);
  if (bias) y = backend.addBias(y, bias);
  return activation === 'gelu' ? backend.gelu(y) : y;
}
