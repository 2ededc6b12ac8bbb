import { describe, expect, it } from 'vitest';
import { requireChip } from '../../roofline';

/**
 * Non-paper chip numbers, transcribed here from the vendor datasheets independently of
 * roofline/chips.ts (review finding 6): a typo in either place fails the test. Peaks are dense
 * (NVIDIA prints sparse figures with an asterisk; dense is half of them).
 */
const GiB = 2 ** 30;

describe('catalog chips against vendor datasheets (not in the paper)', () => {
  it.each([
    // id, dtype, dense TFLOP/s, bandwidth GB/s, capacity bytes
    ['nvidia-h100-sxm', 'bf16', 989.4, 3350, 80 * GiB], // "80GB HBM3", 3.35 TB/s, 1,979 sparse
    ['nvidia-a100', 'bf16', 312, 2039, 80 * GiB], // "80GB HBM2e", 2,039 GB/s, 312 dense BF16
    ['amd-mi300x', 'fp16', 1307.4, 5300, 192 * GiB], // 192 GB HBM3, 5.3 TB/s
    ['nvidia-rtx-4090', 'fp16', 165.2, 1008, 24 * GiB], // Ada whitepaper, fp32 accumulate
    ['google-tpu-v5e', 'bf16', 197, 819, 16 * GiB], // Cloud TPU docs state GiB
  ] as const)('%s: %s peak, bandwidth, capacity', (id, dtype, tflops, gbps, capacity) => {
    const chip = requireChip(id);
    // Relative 1e-12: products of exact decimal literals, no accumulated error.
    expect(chip.peakOpsPerSecond[dtype]! / (tflops * 1e12)).toBeCloseTo(1, 12);
    expect(chip.memoryBandwidth / (gbps * 1e9)).toBeCloseTo(1, 12);
    expect(chip.memoryCapacity).toBe(capacity);
  });

  it('an "80GB" HBM part holds 80 GiB = 85.9e9 bytes, not 80e9; H200 keeps NVIDIA\'s 141 GB', () => {
    expect(requireChip('nvidia-h100-sxm').memoryCapacity).toBe(85_899_345_920);
    expect(requireChip('nvidia-h200').memoryCapacity).toBe(141e9);
  });
});
