/** Public API of the WebGL2 backend (the picker with CPU fallback is engine/pickBackend.ts). */
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
export { TextureLimitError, layoutFor, type FoldPolicy, type TextureLayout } from './layout';
export { fragmentSource } from './program';
export * as kernels from './kernels';
