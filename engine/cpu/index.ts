export { CpuBackend, type CpuBackendOptions } from './backend';
export { CpuTensor } from './tensor';
