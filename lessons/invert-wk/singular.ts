/**
 * Why a particular W_K has no inverse, in words a reader can check (lesson 2). Pure exact
 * arithmetic on the matrix as typed: equal rows, a zero row, one row a multiple of another, or
 * in general a combination z with z·W_K = 0.
 */
import {
  exactDet,
  exactRowTimes,
  formatFraction,
  leftNullSpace,
  toFractionMatrix,
  type Frac,
} from '../common/exact';
import type { Mat } from '../common/toyData';

export type SingularReason =
  | { kind: 'zero-row'; row: number }
  | { kind: 'equal-rows'; rows: [number, number] }
  | { kind: 'multiple-rows'; rows: [number, number]; factor: string }
  | { kind: 'combination' };

export interface SingularAnalysis {
  singular: boolean;
  /** Exact determinant as a fraction string. */
  det: string;
  rank: number;
  reason?: SingularReason;
  /** z with z·W_K = 0 exactly (a left null vector), as fraction strings and numbers. */
  nullVector?: { text: string[]; values: number[] };
  /** z·W_V: how much two inputs with equal keys differ in their values. */
  valueGap?: { text: string[]; values: number[] };
}

function frac(values: Frac[]) {
  return { text: values.map(formatFraction), values: values.map((f) => Number(f.valueOf())) };
}

export function analyseSingular(wK: Mat, wV: Mat): SingularAnalysis {
  const k = toFractionMatrix(wK);
  const d = exactDet(k);
  const detText = formatFraction(d);
  if (Number(d.n) !== 0) return { singular: false, det: detText, rank: wK.length };
  const { rank, nullVector } = leftNullSpace(k);
  const out: SingularAnalysis = { singular: true, det: detText, rank };
  if (nullVector) {
    out.nullVector = frac(nullVector);
    out.valueGap = frac(exactRowTimes(nullVector, toFractionMatrix(wV)));
  }
  out.reason = explain(k);
  return out;
}

function explain(k: Frac[][]): SingularReason {
  const isZeroRow = (r: Frac[]) => r.every((x) => Number(x.n) === 0);
  const zero = k.findIndex(isZeroRow);
  if (zero >= 0) return { kind: 'zero-row', row: zero };
  for (let i = 0; i < k.length; i++) {
    for (let j = i + 1; j < k.length; j++) {
      if (k[i].every((x, c) => x.equals(k[j][c]))) return { kind: 'equal-rows', rows: [i, j] };
      // Row j = f · row i for one f: find f from the first non-zero entry of row i.
      const c0 = k[i].findIndex((x) => Number(x.n) !== 0);
      const f = k[j][c0].div(k[i][c0]);
      if (k[i].every((x, c) => x.mul(f).equals(k[j][c])))
        return { kind: 'multiple-rows', rows: [i, j], factor: formatFraction(f) };
    }
  }
  return { kind: 'combination' };
}
