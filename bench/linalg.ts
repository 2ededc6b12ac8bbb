/**
 * Float64 linalg timings on a d = 768 matrix (GPT-2 small / Chronos-Bolt-base width, the paper,
 * paper Table 1): what one layer's offline slim conversion costs in the browser or Node.
 * Run directly: `npx tsx bench/linalg.ts` prints a table (median of several runs).
 */
import { pathToFileURL } from 'node:url';
import { inverse as mlInverse, Matrix as MlMatrix, SingularValueDecomposition } from 'ml-matrix';
import {
  conditionNumber,
  identity64,
  inverse,
  luDecompose,
  matmul64,
  matrix64,
  maxAbsDiff,
  rightInverse,
  solve,
  type Matrix64,
} from '../engine/linalg/index';
import { computeWkv, float32ReconstructionError } from '../engine/slim/index';

export interface LinalgBenchResult {
  /** Matrix size used (768). */
  n: number;
  runs: number;
  lu768Ms: number;
  inverse768Ms: number;
  /** ml-matrix's inverse() on the same matrix, for comparison (we keep our own LU). */
  mlMatrixInverse768Ms: number;
  solve768Ms: number;
  matmul768Ms: number;
  cond768Ms: number;
  /** ml-matrix's SVD (values only) on the same matrix, for comparison (we keep our own). */
  mlMatrixCond768Ms: number;
  /** Right inverse of a 768×1536 W_K (r = 2, paper §3). */
  rightInverse768x1536Ms: number;
  /** computeWkv = SVD condition number + solve + reconstruction check. */
  computeWkv768Ms: number;
  float32Error768Ms: number;
  /** max |A·A⁻¹ − I| of the timed inverse, a sanity check that the timed code is right. */
  inverseResidual: number;
}

function randomMatrix(rows: number, cols: number, seed: number): Matrix64 {
  let s = seed >>> 0;
  const next = () => {
    // xorshift32: reproducible inputs without a dependency.
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  return matrix64(
    rows,
    cols,
    Array.from({ length: rows * cols }, () => 2 * next() - 1),
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function time(runs: number, fn: () => unknown): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function runLinalgBench(
  options: { n?: number; runs?: number } = {},
): Promise<LinalgBenchResult> {
  const n = options.n ?? 768;
  const runs = options.runs ?? 3;
  const a = randomMatrix(n, n, 1);
  const b = randomMatrix(n, n, 2);
  const wide = randomMatrix(n, 2 * n, 3);
  const ml = new MlMatrix(
    Array.from({ length: n }, (_, i) => Array.from(a.data.subarray(i * n, i * n + n))),
  );
  // One untimed pass so the JIT has compiled every kernel before we measure.
  inverse(randomMatrix(32, 32, 4));
  const inv = inverse(a);
  const result: LinalgBenchResult = {
    n,
    runs,
    lu768Ms: time(runs, () => luDecompose(a)),
    inverse768Ms: time(runs, () => inverse(a)),
    mlMatrixInverse768Ms: time(runs, () => mlInverse(ml)),
    solve768Ms: time(runs, () => solve(a, b)),
    matmul768Ms: time(runs, () => matmul64(a, b)),
    cond768Ms: time(runs, () => conditionNumber(a)),
    mlMatrixCond768Ms: time(runs, () => {
      const svd = new SingularValueDecomposition(ml, {
        computeLeftSingularVectors: false,
        computeRightSingularVectors: false,
      });
      return svd.condition;
    }),
    rightInverse768x1536Ms: time(runs, () => rightInverse(wide)),
    computeWkv768Ms: time(runs, () => computeWkv(a, b)),
    float32Error768Ms: time(1, () => float32ReconstructionError(a, b)),
    inverseResidual: maxAbsDiff(matmul64(a, inv), identity64(n)),
  };
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runLinalgBench();
  const rows: [string, string][] = [
    [`LU decomposition ${r.n}×${r.n}`, `${r.lu768Ms.toFixed(0)} ms`],
    [`inverse ${r.n}×${r.n} (ours)`, `${r.inverse768Ms.toFixed(0)} ms`],
    [`inverse ${r.n}×${r.n} (ml-matrix)`, `${r.mlMatrixInverse768Ms.toFixed(0)} ms`],
    [`solve ${r.n}×${r.n}, ${r.n} right-hand sides`, `${r.solve768Ms.toFixed(0)} ms`],
    [`matmul ${r.n}×${r.n}`, `${r.matmul768Ms.toFixed(0)} ms`],
    [`condition number ${r.n}×${r.n} (ours)`, `${r.cond768Ms.toFixed(0)} ms`],
    [`condition number ${r.n}×${r.n} (ml-matrix SVD)`, `${r.mlMatrixCond768Ms.toFixed(0)} ms`],
    [`right inverse ${r.n}×${2 * r.n}`, `${r.rightInverse768x1536Ms.toFixed(0)} ms`],
    [`computeWkv ${r.n}×${r.n}`, `${r.computeWkv768Ms.toFixed(0)} ms`],
    [`float32ReconstructionError ${r.n}×${r.n} (1 run)`, `${r.float32Error768Ms.toFixed(0)} ms`],
    [`max |A·A⁻¹ − I|`, r.inverseResidual.toExponential(2)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`linalg bench, median of ${r.runs} runs`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v.padStart(10)}`);
}
