export { CpuBackend, type CpuBackendOptions } from './backend';
export { CpuTensor, readSync } from './tensor';
