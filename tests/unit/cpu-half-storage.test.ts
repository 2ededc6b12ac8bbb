/**
 * Half-precision weight storage on the CPU backend's WebAssembly kernels (engine/cpu/
 * halfStorage.ts): a weight every value of which a float16 or bfloat16 holds exactly is kept in
 * 2 bytes a value and widened as the kernels read it. Checked against the independent bit
 * conversions of engine/io/halfFloat.ts, and the products, gathers and whole models against the
 * same backend keeping every weight in float32 (halfWeights: false): bit for bit equal.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend, type Tensor } from '../../engine';
import { readHalf, storagePlan, writeHalf } from '../../engine/cpu/halfStorage';
import {
  fromBFloat16Bits,
  fromFloat16Bits,
  toBFloat16Bits,
  toFloat16Bits,
} from '../../engine/io/halfFloat';
import { directorySources } from '../../engine/io/node';
import { readModel, seededRandom } from '../../engine/models';

/** Every finite float16 value, from its bits (both zeros included). */
function allFloat16(): Float32Array {
  const out: number[] = [];
  for (let b = 0; b < 65536; b++) if (((b >> 10) & 0x1f) !== 31) out.push(fromFloat16Bits(b));
  return Float32Array.from(out);
}

describe('half formats: which values a half holds exactly', () => {
  it('every finite float16 converts to its own bits and back (writeHalf, readHalf)', () => {
    const values = allFloat16();
    expect(storagePlan(values).format).toBe('f16');
    const bits = new Uint16Array(values.length);
    writeHalf(values, 'f16', bits);
    for (let i = 0; i < values.length; i++) {
      if (bits[i] !== toFloat16Bits(values[i]) && !(values[i] === 0)) {
        throw new Error(
          `value ${values[i]}: bits ${bits[i]}, expected ${toFloat16Bits(values[i])}`,
        );
      }
    }
    // Signed zeros keep their sign.
    expect(Object.is(fromFloat16Bits(bits[values.indexOf(0)]), 0)).toBe(true);
    const back = new Float32Array(values.length);
    readHalf(bits, 'f16', 0, back);
    expect(back).toEqual(values);
  });

  it('bfloat16 values, float64 inputs included, round-trip through bfloat16 bits', () => {
    const rand = seededRandom(3);
    const values = Float64Array.from({ length: 5000 }, () =>
      fromBFloat16Bits(Math.floor(rand() * 65536) & 0x7f7f),
    );
    expect(storagePlan(values).format).toBe('bf16');
    const bits = new Uint16Array(values.length);
    writeHalf(values, 'bf16', bits);
    for (let i = 0; i < values.length; i++) expect(bits[i]).toBe(toBFloat16Bits(values[i]));
    const back = new Float32Array(values.length);
    readHalf(bits, 'bf16', 0, back);
    expect(Array.from(back)).toEqual(Array.from(values));
  });

  it('a value neither holds, or not finite, keeps the tensor in float32', () => {
    const cases: [number[], string][] = [
      [[0.5, 1 + 2 ** -11], 'f32'], // 12 significant bits: neither
      [[0.5, 65520], 'f32'], // above float16's largest, 65504; 12 significant bits
      [[0.5, 2 ** -25], 'bf16'], // below float16's smallest subnormal
      [[0.5, 1023 * 2 ** -24, -(2 ** -24)], 'f16'], // float16 subnormals; 10 bits
      [[1, 3 * 2 ** -20 + 1], 'f32'],
      [[1, Infinity], 'f32'],
      [[1, NaN], 'f32'],
      [[1, 0.1], 'f32'], // float64 0.1 is no float32
      [[1, -2, 0.25, 0, -0], 'bf16'],
    ];
    for (const [values, want] of cases) {
      const exact = values.every((v) => Number.isFinite(v) && Math.fround(v) === v);
      const f16 = exact && values.every((v) => fromFloat16Bits(toFloat16Bits(v)) === v);
      const bf16 = exact && values.every((v) => fromBFloat16Bits(toBFloat16Bits(v)) === v);
      // The reference's answer, from the independent conversions.
      expect(bf16 ? 'bf16' : f16 ? 'f16' : 'f32', String(values)).toBe(want);
      expect(storagePlan(values).format, String(values)).toBe(want);
      expect(storagePlan(Float32Array.from(values)).format, String(values)).toBe(
        values.every((v) => Math.fround(v) === v || v !== v) ? want : 'f32',
      );
    }
  });
});

/** Random values of a half format: normal, subnormal, negative, zero. */
function halfValues(n: number, format: 'f16' | 'bf16', seed: number): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = (rand() - 0.5) * (i % 97 === 0 ? 1e-6 : 0.2);
    out[i] =
      format === 'f16' ? fromFloat16Bits(toFloat16Bits(x)) : fromBFloat16Bits(toBFloat16Bits(x));
  }
  return out;
}

function f32Values(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => rand() - 0.5);
}

describe('float16 subnormals are stored times 2^10 (normal halves: no slow subnormal arithmetic)', () => {
  it('shifts where a subnormal is present and every value times 2^10 is still a half', () => {
    const sub = 5 * 2 ** -24;
    expect(storagePlan([0.5, -0.25])).toEqual({ format: 'bf16', shift: 0 });
    expect(storagePlan([0.5, 1 + 2 ** -10])).toEqual({ format: 'f16', shift: 0 });
    expect(storagePlan([0.5, 1 + 2 ** -10, sub])).toEqual({ format: 'f16', shift: 10 });
    expect(storagePlan([63.96875, 1 + 2 ** -10, -sub])).toEqual({ format: 'f16', shift: 10 });
    // 64 times 2^10 is 65536, past float16's largest: stored unshifted.
    expect(storagePlan([64, 1 + 2 ** -10, sub])).toEqual({ format: 'f16', shift: 0 });
  });

  it('writes w·2^10 and reads w back, for every finite float16 below 64', () => {
    const values = allFloat16().filter((v) => Math.abs(v) < 64);
    const bits = new Uint16Array(values.length);
    writeHalf(values, 'f16', bits, 0, 10);
    for (let i = 0; i < values.length; i += 97) {
      expect(fromFloat16Bits(bits[i])).toBe(values[i] * 1024);
    }
    const back = new Float32Array(values.length);
    readHalf(bits, 'f16', 0, back, 0, values.length, 10);
    expect(back).toEqual(values);
  });
});

describe('half-stored weights in the WebAssembly products', () => {
  const half = new CpuBackend({ dtype: 'float32' });
  const full = new CpuBackend({ dtype: 'float32', halfWeights: false });

  it('the backends run WebAssembly, and a half weight takes half the bytes', () => {
    expect(half.kernels).toBe('wasm-simd');
    const before = half.stats().liveBytes;
    const w = half.fromArray(halfValues(131 * 133, 'f16', 1), [131, 133]);
    expect(half.stats().liveBytes - before).toBe(131 * 133 * 2);
    w.dispose();
    const f = full.fromArray(halfValues(131 * 133, 'f16', 1), [131, 133]);
    expect(full.stats().liveBytes - before).toBe(131 * 133 * 4);
    f.dispose();
  });

  for (const format of ['f16', 'bf16'] as const) {
    it(`${format}: linear (a·b and a·bᵀ, bias, activation) is bit for bit the float32 copy's`, async () => {
      // Odd sizes: every tail of the tiles (k % 8, n % 8, n % 4, m % 4).
      const [k, n] = [131, 133];
      // With subnormals (float16: stored shifted), and with one value of 100 too (unshifted).
      const shifted = halfValues(k * n, format, 2);
      const unshifted = Float32Array.from(shifted, (v, i) => (i === 5 ? 100 : v));
      for (const [wValues, m] of [1, 3, 4, 6].flatMap((m) => [
        [shifted, m] as const,
        [unshifted, m] as const,
      ])) {
        const x = f32Values(m * k, 10 + m);
        for (const transposeB of [false, true]) {
          const run = async (be: CpuBackend) => {
            const w = be.fromArray(wValues, transposeB ? [n, k] : [k, n]);
            const a = be.fromArray(x, [m, k]);
            const bias = be.fromArray(f32Values(n, 5), [n]);
            const y = be.linear(a, w, { transposeB, bias, activation: 'gelu' });
            const out = await y.read();
            for (const t of [w, a, bias, y]) t.dispose();
            return out;
          };
          const [h, f] = [await run(half), await run(full)];
          expect(h.length).toBe(m * n);
          expect(Buffer.from(h.buffer).equals(Buffer.from(f.buffer)), `m ${m} ${transposeB}`).toBe(
            true,
          );
        }
      }
    });

    it(`${format}: gather and read widen the stored rows exactly`, async () => {
      const table = halfValues(200 * 96, format, 4);
      const t = half.fromArray(table, [200, 96]);
      const rows = half.gather(t, [0, 199, 7, 7]);
      const got = await rows.read();
      const want = [0, 199, 7, 7].flatMap((r) => Array.from(table.subarray(r * 96, (r + 1) * 96)));
      expect(Array.from(got)).toEqual(want);
      expect(Array.from(await t.read())).toEqual(Array.from(table));
      for (const x of [t, rows] as Tensor[]) x.dispose();
    });
  }

  it('attention scores read a half-stored key matrix in place: same result', async () => {
    const [heads, m, dk, n] = [4, 3, 32, 160];
    const q = f32Values(m * heads * dk, 7);
    const keys = halfValues(n * heads * dk, 'f16', 8);
    const run = async (be: CpuBackend) => {
      const Q = be.fromArray(q, [m, heads * dk]);
      const K = be.fromArray(keys, [n, heads * dk]);
      const p = be.attnProbs(Q, K, { heads, scale: 0.25 });
      const out = await p.read();
      for (const t of [Q, K, p]) t.dispose();
      return out;
    };
    expect(Array.from(await run(half))).toEqual(Array.from(await run(full)));
  });

  it('refuses to write rows into a half-stored weight', () => {
    const w = half.fromArray(halfValues(130 * 130, 'f16', 9), [130, 130]);
    const row = half.fromArray(f32Values(130, 1), [1, 130]);
    expect(() => half.writeRows(w, 0, row)).toThrow(/stored as halves/);
    w.dispose();
    row.dispose();
  });
});

describe('a model of an F16 checkpoint keeps its weights as halves', () => {
  it('moby-llama and moby-gpt2: the same logits bit for bit, standard and slim, with half the weight bytes', async () => {
    for (const name of ['moby-gpt2', 'moby-llama']) {
      const host = await readModel(await directorySources(`public/models/${name}`));
      const run = async (halfWeights: boolean) => {
        const be = new CpuBackend({ dtype: 'float32', halfWeights });
        const out: Float32Array[] = [];
        let bytes = 0;
        let formats: string[] = [];
        for (const scheme of ['kv', 'k-cache'] as const) {
          const m = host.build(be, { scheme });
          const logits = m.prefill([5, 17, 99, 3, 250, 8]);
          out.push((await logits.read()) as Float32Array);
          logits.dispose();
          for (const id of [11, 12]) {
            const l = m.decode(id);
            out.push((await l.read()) as Float32Array);
            l.dispose();
          }
          bytes = be.stats().liveBytes;
          formats = be.halfFormats();
          m.dispose();
        }
        return { out, bytes, formats };
      };
      const [h, f] = [await run(true), await run(false)];
      h.out.forEach((a, i) =>
        expect(Buffer.from(a.buffer).equals(Buffer.from(f.out[i].buffer)), `${name} ${i}`).toBe(
          true,
        ),
      );
      // The matrices (all but the norms and biases, and slim's W_KV) take 2 bytes a value.
      expect(h.bytes / f.bytes).toBeLessThan(0.6);
      expect(h.formats).toEqual(['f16']);
      expect(f.formats).toEqual([]);
    }
  });
});
