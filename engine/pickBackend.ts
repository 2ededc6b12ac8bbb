/**
 * The backend picker: WebGL2 when it can run the engine here, otherwise the float32 CPU backend
 * with the reason as a sentence for the page to show (missing WebGL2 or EXT_color_buffer_float).
 */
import type { Backend } from './backend';
import { CpuBackend } from './cpu';
import { WebGLBackend, WebGLUnavailableError, type WebGLBackendOptions } from './webgl';

export interface BackendChoice {
  backend: Backend;
  kind: 'webgl' | 'cpu';
  /** Set when the CPU fallback was taken: why, and what runs instead. */
  notice?: string;
}

export function pickBackend(options: WebGLBackendOptions = {}): BackendChoice {
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
