export { CpuBackend, type CpuBackendOptions } from './backend';
export { CpuTensor, readSync } from './tensor';
export type { KernelName, ProductKernels } from './kernels';
