/**
 * Public API of the WebGL2 backend, and the backend picker with CPU fallback (issue 5
 * robustness: missing WebGL2 or EXT_color_buffer_float → CPU backend plus a notice to show).
 */
import type { Backend } from '../backend';
import { CpuBackend } from '../cpu';
import { WebGLBackend, WebGLUnavailableError, type WebGLBackendOptions } from './backend';

export {
  WebGLBackend,
  WebGLUnavailableError,
  ContextLostError,
  type Activation,
  type GpuStats,
  type WebGLBackendOptions,
  type WebGLUnavailableReason,
} from './backend';
export { WebGLTensor } from './tensor';
export { TextureLimitError, layoutFor, type TextureLayout } from './layout';
export { fragmentSource } from './program';
export * as kernels from './kernels';

export interface EngineBackendChoice {
  backend: Backend;
  kind: 'webgl' | 'cpu';
  /** Set when the CPU fallback was taken: a sentence for the page to show. */
  notice?: string;
}

/** WebGL2 when it can run the engine here, otherwise the float32 CPU backend with a notice. */
export function createEngineBackend(options: WebGLBackendOptions = {}): EngineBackendChoice {
  try {
    return { backend: new WebGLBackend(options), kind: 'webgl' };
  } catch (error) {
    if (!(error instanceof WebGLUnavailableError)) throw error;
    return {
      backend: new CpuBackend({ dtype: 'float32' }),
      kind: 'cpu',
      notice: `${error.message}. Running on the CPU backend instead (same results, slower).`,
    };
  }
}
