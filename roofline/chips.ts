import type { Chip, PaperTable3Row } from './types';

/**
 * Chip catalog. Peaks are dense (no 2:4 sparsity) operations per second; bandwidth in
 * bytes/s; capacity in bytes. Chips of paper Table 3 (paper Table 3) carry the printed row in
 * `paperTable3`, and their int8 peak and bandwidth are the paper's numbers; everything else
 * comes from the vendor document named in `source`.
 */

const T = 1e12;
const GB = 1e9;
/**
 * Memory capacity: DRAM and HBM come in binary sizes, so a vendor's "80GB HBM" is 80 GiB
 * (Google writes GiB outright). Bandwidths and peaks stay decimal. Where the vendor's figure
 * is not a binary size (H200 141 GB, B200 180 GB) it is kept as stated, in decimal bytes.
 */
const GiB = 2 ** 30;

function table3(int8Tops: number, bandwidthGBps: number, opsPerByte: number): PaperTable3Row {
  return { int8Tops, bandwidthGBps, opsPerByte };
}

export const chips: readonly Chip[] = [
  {
    id: 'apple-a18',
    name: 'Apple A18',
    vendor: 'Apple',
    kind: 'phone-soc',
    peakOpsPerSecond: { int8: 35 * T },
    memoryBandwidth: 60 * GB,
    memoryCapacity: 8 * GiB,
    paperTable3: table3(35, 60, 583),
    source: 'paper Table 3 (int8 TOPS, GB/s); Apple iPhone 16 tech specs (8 GB LPDDR5X = 8 GiB)',
  },
  {
    id: 'apple-m3-max',
    name: 'Apple M3 Max',
    vendor: 'Apple',
    kind: 'laptop-soc',
    // Neural Engine: Apple quotes 18 TOPS (fp16) for the M3 family.
    peakOpsPerSecond: { fp16: 18 * T },
    memoryBandwidth: 400 * GB,
    memoryCapacity: 128 * GiB,
    source:
      'Apple M3 family press release, Oct 2023 (18 TOPS Neural Engine, 400 GB/s, 128 GB unified memory = 128 GiB)',
  },
  {
    id: 'apple-m4-max',
    name: 'Apple M4 Max',
    vendor: 'Apple',
    kind: 'laptop-soc',
    peakOpsPerSecond: { int8: 38 * T },
    // Table 3 uses 410 GB/s (the 14-core CPU bin); the 16-core bin has 546 GB/s.
    memoryBandwidth: 410 * GB,
    memoryCapacity: 128 * GiB,
    paperTable3: table3(38, 410, 93),
    source:
      'paper Table 3 (int8 TOPS, GB/s); Apple MacBook Pro (M4 Max) tech specs (128 GB unified memory = 128 GiB)',
  },
  {
    id: 'google-tpu-v4',
    name: 'Google TPU v4',
    vendor: 'Google',
    kind: 'tpu',
    peakOpsPerSecond: { bf16: 275 * T, int8: 275 * T },
    memoryBandwidth: 1200 * GB,
    memoryCapacity: 32 * GiB,
    paperTable3: table3(275, 1200, 229),
    source: 'paper Table 3 (int8 TOPS, GB/s); Google Cloud TPU v4 documentation (bf16, 32 GiB HBM)',
  },
  {
    id: 'google-tpu-v5e',
    name: 'Google TPU v5e',
    vendor: 'Google',
    kind: 'tpu',
    peakOpsPerSecond: { bf16: 197 * T, int8: 394 * T },
    memoryBandwidth: 819 * GB,
    memoryCapacity: 16 * GiB,
    source:
      'Google Cloud TPU v5e documentation (197 TFLOP/s bf16, 394 TOPS int8, 819 GB/s, 16 GiB)',
  },
  {
    id: 'google-tpu-v5p',
    name: 'Google TPU v5p',
    vendor: 'Google',
    kind: 'tpu',
    peakOpsPerSecond: { bf16: 459 * T, int8: 918 * T },
    memoryBandwidth: 2765 * GB,
    memoryCapacity: 95 * GiB,
    paperTable3: table3(918, 2765, 332),
    source: 'paper Table 3 (int8 TOPS, GB/s); Google Cloud TPU v5p documentation (bf16, 95 GiB)',
  },
  {
    id: 'nvidia-a100',
    name: 'NVIDIA A100 SXM 80GB',
    vendor: 'NVIDIA',
    kind: 'datacenter-gpu',
    peakOpsPerSecond: {
      fp32: 19.5 * T,
      tf32: 156 * T,
      bf16: 312 * T,
      fp16: 312 * T,
      int8: 624 * T,
    },
    memoryBandwidth: 2039 * GB,
    memoryCapacity: 80 * GiB,
    source: 'NVIDIA A100 Tensor Core GPU datasheet (SXM 80GB HBM2e = 80 GiB, 2,039 GB/s, dense)',
  },
  {
    id: 'nvidia-h100-sxm',
    name: 'NVIDIA H100 SXM',
    vendor: 'NVIDIA',
    kind: 'datacenter-gpu',
    peakOpsPerSecond: {
      fp32: 67 * T,
      tf32: 494.7 * T,
      bf16: 989.4 * T,
      fp16: 989.4 * T,
      fp8: 1978.9 * T,
      int8: 1978.9 * T,
    },
    memoryBandwidth: 3350 * GB,
    memoryCapacity: 80 * GiB,
    source:
      'NVIDIA H100 Tensor Core GPU datasheet (SXM, 80GB HBM3 = 80 GiB, 3.35 TB/s; dense = half the sparse figures)',
  },
  {
    id: 'nvidia-h200',
    name: 'NVIDIA H200',
    vendor: 'NVIDIA',
    kind: 'datacenter-gpu',
    peakOpsPerSecond: {
      fp32: 67 * T,
      tf32: 494.7 * T,
      bf16: 989.4 * T,
      fp16: 989.4 * T,
      fp8: 1978.9 * T,
      int8: 1980 * T,
    },
    memoryBandwidth: 4800 * GB,
    memoryCapacity: 141 * GB, // NVIDIA states 141 GB, not a binary size: kept decimal
    paperTable3: table3(1980, 4800, 413),
    source: 'paper Table 3 (int8 TOPS, GB/s); NVIDIA H200 Tensor Core GPU datasheet (SXM, dense)',
  },
  {
    id: 'nvidia-b200',
    name: 'NVIDIA B200',
    vendor: 'NVIDIA',
    kind: 'datacenter-gpu',
    peakOpsPerSecond: {
      tf32: 1100 * T,
      bf16: 2250 * T,
      fp16: 2250 * T,
      fp8: 4500 * T,
      int8: 4500 * T,
      fp4: 9000 * T,
    },
    memoryBandwidth: 8000 * GB,
    memoryCapacity: 180 * GB, // as NVIDIA states it (decimal), like the H200
    paperTable3: table3(4500, 8000, 563),
    source: 'paper Table 3 (int8 TOPS, GB/s); NVIDIA HGX B200 datasheet (per GPU, dense)',
  },
  {
    id: 'amd-mi300x',
    name: 'AMD Instinct MI300X',
    vendor: 'AMD',
    kind: 'datacenter-gpu',
    peakOpsPerSecond: {
      fp32: 163.4 * T,
      tf32: 653.7 * T,
      bf16: 1307.4 * T,
      fp16: 1307.4 * T,
      fp8: 2614.9 * T,
      int8: 2614.9 * T,
    },
    memoryBandwidth: 5300 * GB,
    memoryCapacity: 192 * GiB,
    source:
      'AMD Instinct MI300X accelerator datasheet (192 GB HBM3 = 8 × 24 GiB stacks, 5.3 TB/s, dense)',
  },
  {
    id: 'nvidia-rtx-4090',
    name: 'NVIDIA GeForce RTX 4090',
    vendor: 'NVIDIA',
    kind: 'consumer-gpu',
    // Tensor-core peaks with fp32 accumulation, dense (Ada whitepaper, Appendix A).
    peakOpsPerSecond: {
      fp32: 82.6 * T,
      bf16: 165.2 * T,
      fp16: 165.2 * T,
      fp8: 330.3 * T,
      int8: 660.6 * T,
    },
    memoryBandwidth: 1008 * GB,
    memoryCapacity: 24 * GiB,
    source:
      'NVIDIA Ada Lovelace GPU architecture whitepaper (GeForce RTX 4090, 24 GB GDDR6X = 24 GiB, dense)',
  },
];
