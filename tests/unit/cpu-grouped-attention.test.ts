/**
 * backend.attention's kvHeads option (grouped-query attention, paper Appendix G) on the CPU: the
 * float64 reference, the TypeScript and the WebAssembly kernels, with k and v h_kv heads wide,
 * equal the same attention with every key/value head copied out for its group (plain MHA,
 * h heads): a second algorithm that copies what kvHeads reads in place.
 */
import { describe, expect, it } from 'vitest';
import type { AttentionOptions, Backend, Tensor } from '../../engine/backend';
import { CpuBackend, readSync } from '../../engine/cpu';
import { seededRandom } from '../../engine/models';

function values(n: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => 2 * rand() - 1);
}

/** [n, h_kv·w] → [n, h·w]: key/value head j repeated for its g = h/h_kv query heads. */
function expand(rows: number[], n: number, kvHeads: number, heads: number, w: number): number[] {
  const g = heads / kvHeads;
  const out: number[] = [];
  for (let r = 0; r < n; r++)
    for (let h = 0; h < heads; h++) {
      const j = Math.floor(h / g);
      out.push(...rows.slice(r * kvHeads * w + j * w, r * kvHeads * w + (j + 1) * w));
    }
  return out;
}

const BACKENDS: [string, () => CpuBackend][] = [
  ['float64 reference', () => new CpuBackend({ dtype: 'float64' })],
  ['float32 TypeScript', () => new CpuBackend({ dtype: 'float32', kernels: 'js' })],
  ['float32 WebAssembly', () => new CpuBackend({ dtype: 'float32' })],
];

// [heads, kvHeads, d_k, m, n, causalOffset]: GQA and MQA, decode rows and causal prefill.
const CASES: [number, number, number, number, number, number | undefined][] = [
  [4, 2, 8, 1, 9, 8],
  [6, 3, 4, 1, 13, 12],
  [4, 1, 6, 1, 13, 12],
  [4, 2, 8, 6, 6, 0],
  [8, 2, 4, 5, 7, 2],
  [4, 2, 4, 3, 5, undefined],
];

describe('attention with kvHeads (grouped-query, read in place) on the CPU', () => {
  it.each(BACKENDS)('%s: equals MHA over copied key/value heads', (name, make) => {
    const cpu = make();
    expect(cpu.kernels).toBe(
      { 'float64 reference': 'reference', 'float32 TypeScript': 'js' }[name] ?? 'wasm-simd',
    );
    const be: Backend = cpu;
    const rand = seededRandom(3);
    for (const [heads, kvHeads, dk, m, n, causalOffset] of CASES) {
      const q = values(m * heads * dk, rand);
      const k = values(n * kvHeads * dk, rand);
      const v = values(n * kvHeads * dk, rand);
      const base = { heads, scale: 1 / Math.sqrt(dk), causalOffset };
      const run = (f: (t: (d: number[], s: number[]) => Tensor) => Tensor) => {
        const made: Tensor[] = [];
        const t = (d: number[], s: number[]) => {
          const x = be.fromArray(d, s);
          made.push(x);
          return x;
        };
        const y = f(t);
        const out = Array.from(readSync(y));
        y.dispose();
        for (const x of made) x.dispose();
        return out;
      };
      const where = `h ${heads}/${kvHeads} dk ${dk} m ${m} n ${n}`;
      const tol = be.dtype === 'float64' ? 1e-14 : 1e-6;
      for (const valuesMode of ['per-head', 'all'] as const) {
        const opts: AttentionOptions = { ...base, values: valuesMode };
        const grouped = run((t) =>
          be.attention(t(q, [m, heads * dk]), t(k, [n, kvHeads * dk]), t(v, [n, kvHeads * dk]), {
            ...opts,
            kvHeads,
          }),
        );
        const vAll = valuesMode === 'all' ? v : expand(v, n, kvHeads, heads, dk);
        const mha = run((t) =>
          be.attention(
            t(q, [m, heads * dk]),
            t(expand(k, n, kvHeads, heads, dk), [n, heads * dk]),
            t(vAll, valuesMode === 'all' ? [n, kvHeads * dk] : [n, heads * dk]),
            opts,
          ),
        );
        expect(grouped.length, where).toBe(mha.length);
        grouped.forEach((x, i) => expect(Math.abs(x - mha[i]), `${where} ${i}`).toBeLessThan(tol));
      }
      // attnProbs and attnWeightedSum, the two halves.
      const probs = run((t) =>
        be.attnProbs(t(q, [m, heads * dk]), t(k, [n, kvHeads * dk]), { ...base, kvHeads }),
      );
      const probsMha = run((t) =>
        be.attnProbs(
          t(q, [m, heads * dk]),
          t(expand(k, n, kvHeads, heads, dk), [n, heads * dk]),
          base,
        ),
      );
      probs.forEach((x, i) => expect(Math.abs(x - probsMha[i]), where).toBeLessThan(tol));
      const sum = run((t) =>
        be.attnWeightedSum(t(probs, [heads * m, n]), t(v, [n, kvHeads * dk]), heads, kvHeads),
      );
      const sumMha = run((t) =>
        be.attnWeightedSum(
          t(probs, [heads * m, n]),
          t(expand(v, n, kvHeads, heads, dk), [n, heads * dk]),
          heads,
        ),
      );
      sum.forEach((x, i) => expect(Math.abs(x - sumMha[i]), where).toBeLessThan(tol));
    }
    expect(be.stats().liveTensors).toBe(0);
  });

  it('refuses a kvHeads that does not divide heads, and k of the wrong width', () => {
    const be = new CpuBackend({ dtype: 'float64' });
    const q = be.fromArray(new Array(8).fill(0.1), [1, 8]);
    const k = be.fromArray(new Array(12).fill(0.1), [2, 6]);
    expect(() => be.attention(q, k, k, { heads: 4, kvHeads: 3, scale: 1 })).toThrow(
      /attention: kvHeads 3 must be a positive integer that divides heads 4/,
    );
    expect(() => be.attention(q, k, k, { heads: 4, kvHeads: 2, scale: 1 })).toThrow(
      /attention: q \[1, 8\] and k \[2, 6\] do not fit 4 heads sharing 2 key\/value heads/,
    );
    q.dispose();
    k.dispose();
  });
});
