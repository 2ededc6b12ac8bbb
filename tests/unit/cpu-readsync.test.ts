/** The CPU backend's documented synchronous read (engine/cpu/tensor.ts readSync). */
import { describe, expect, it } from 'vitest';
import { CpuBackend, readSync, type Tensor } from '../../engine';

describe('readSync on the CPU backend', () => {
  const b = new CpuBackend({ dtype: 'float64' });

  it('returns a copy of the same values read() resolves to', async () => {
    const t = b.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
    const now = readSync(t);
    expect(Array.from(now)).toEqual(Array.from(await t.read()));
    now[0] = 99; // a copy: the tensor keeps its values
    expect(readSync(t)[0]).toBe(1);
    t.dispose();
  });

  it('throws for a disposed tensor and for a tensor of another backend', () => {
    const t = b.fromArray([1], [1, 1]);
    t.dispose();
    expect(() => readSync(t)).toThrow(/disposed/);
    const foreign = { backendName: 'webgl', shape: [1], dtype: 'float32' } as unknown as Tensor;
    expect(() => readSync(foreign)).toThrow(/CPU-backend tensor, got one from 'webgl'/);
  });
});
