/**
 * A checkpoint's tensors are weights: NaN or ±∞ is refused naming the file, the tensor and the
 * position (the engine used to say only "fromArray contains NaN at row 1000"), and F64 values
 * float32 cannot hold (beyond ±3.4e38, or nonzero below 2^-126, which used to flush to zero
 * silently) are refused with their count.
 */
import { describe, expect, it } from 'vitest';
import { CheckpointFormatError, openCheckpoint, writeSafetensors } from '../../engine/io';
import { tinyCheckpoint, TINY_GPT2, writeModelDir } from './models-helpers';
import { slim } from './cli-helpers';

const one = (name: string, dtype: 'F64' | 'F32' | 'F16', data: number[]) =>
  openCheckpoint(
    new Map([
      ['model.safetensors', writeSafetensors([{ name, dtype, shape: [2, data.length / 2], data }])],
    ]),
  );

async function readError(read: Promise<unknown>): Promise<string> {
  const e = await read.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(CheckpointFormatError);
  return (e as Error).message;
}

describe('weights that are not finite, or F64 values float32 cannot hold', () => {
  it('names the file, tensor, position and count of NaN and ±∞ values', async () => {
    const c = await one('w', 'F32', [1, 2, NaN, 4, Infinity, 6]);
    expect(await readError(c.read('w'))).toBe(
      'model.safetensors: tensor "w" holds NaN at row 0, column 2 (2 values that are not finite in all); weights must be finite numbers.',
    );
    expect(await readError(c.readFloat64('w'))).toMatch(/tensor "w" holds NaN at row 0, column 2/);
    const h = await one('h', 'F16', [1, -Infinity]);
    expect(await readError(h.read('h'))).toMatch(/tensor "h" holds -Infinity at row 1, column 0;/);
  });

  it('refuses F64 values beyond float32 and nonzero values below its normal range', async () => {
    const big = await one('big', 'F64', [1, 1e39, -3e40, 2]);
    expect(await readError(big.read('big'))).toBe(
      'model.safetensors: tensor "big" is F64 and holds 2 values beyond float32\'s range (largest |x| = 3.00e+40, first at row 0, column 1), which the engine\'s float32 weights cannot hold.',
    );
    const tiny = await one('tiny', 'F64', [1, 0, 1e-50, 1e-40, 2, 3]);
    expect(await readError(tiny.read('tiny'))).toMatch(
      /tensor "tiny" is F64 and holds 2 nonzero values below float32's normal range \(smallest \|x\| = 1\.00e-50, first at row 0, column 2\): 1 would become 0 and 1 would lose precision/,
    );
    // Exact in float64 (the attention tensors are read so), and ordinary values still round.
    expect(Array.from(await tiny.readFloat64('tiny'))).toEqual([1, 0, 1e-50, 1e-40, 2, 3]);
    const ok = await one('ok', 'F64', [0.1, -0, 1e-30, 3e38]);
    expect(Array.from(await ok.read('ok'))).toEqual([0.1, -0, 1e-30, 3e38].map(Math.fround));
  });

  it('slim run names the tensor and file of a NaN embedding row (exit 2)', async () => {
    const ck = tinyCheckpoint('gpt2', TINY_GPT2, { prefix: false });
    const w = new Map(
      [...ck.weights].map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.data) }]),
    );
    (w.get('wte.weight') as { data: Float32Array }).data[5 * TINY_GPT2.d + 1] = NaN;
    const files = new Map(ck.files).set(
      'model.safetensors',
      writeSafetensors(
        [...w].map(([name, x]) => ({ name, dtype: 'F32' as const, shape: x.shape, data: x.data })),
      ),
    );
    const { code, err } = await slim(
      'run',
      '--model',
      writeModelDir(files),
      '--tokens',
      '1',
      '--steps',
      '1',
      '--mode',
      'standard',
    );
    expect(code).toBe(2);
    expect(err).toMatch(/model\.safetensors: tensor "wte\.weight" holds NaN at row 5, column 1;/);
  });
});
