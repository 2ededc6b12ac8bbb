/**
 * Exact rational arithmetic for the toy model (issue 3: "exact values are shown as fractions
 * where entries are rational"). Every entry a reader can type is a finite decimal, hence an exact
 * rational, so det, W_K⁻¹ and W_KV are computed here without rounding, by Gauss–Jordan
 * elimination over exact fractions (fraction.js, arbitrary-precision rationals). This is an
 * independent second algorithm next to engine/linalg's float64 LU: the lesson shows both and
 * their agreement. (The whole of mathjs, which earlier versions used, tripled the lesson chunk.)
 */
import { Fraction } from 'fraction.js';

export type Frac = Fraction;

const fraction = (x: number | string): Frac => new Fraction(x);
export type FracMatrix = Frac[][];

/** A decimal number as the exact rational it denotes (0.1 → 1/10, not the binary 0.1000…0555). */
export function toFraction(x: number): Frac {
  if (!Number.isFinite(x)) throw new RangeError(`toFraction: ${x} is not a finite number`);
  // String(x) is the shortest decimal that round-trips, which is what the reader typed.
  return fraction(plainDecimal(String(x)));
}

/** "1e-7" → "0.0000001", "1.5e+21" → "1500000000000000000000": mathjs reads only plain decimals. */
export function plainDecimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(text);
  if (!m) return text;
  const [, sign, int, frac = '', exp] = m;
  const digits = int + frac;
  const shift = Number(exp) - frac.length; // value = digits · 10^shift
  if (shift >= 0) return sign + digits + '0'.repeat(shift);
  const padded = digits.padStart(-shift + 1, '0');
  return `${sign}${padded.slice(0, shift)}.${padded.slice(shift)}`;
}

export function toFractionMatrix(m: readonly (readonly number[])[]): FracMatrix {
  return m.map((row) => row.map(toFraction));
}

/** "3", "−1/2": integers without a denominator, a typographic minus. */
export function formatFraction(f: Frac): string {
  const s = Number(f.s) < 0 && Number(f.n) !== 0 ? '−' : '';
  const n = String(f.n);
  const d = String(f.d);
  return d === '1' ? `${s}${n}` : `${s}${n}/${d}`;
}

export function formatFractionMatrix(m: FracMatrix): string[][] {
  return m.map((row) => row.map(formatFraction));
}

export function isIntegerFraction(f: Frac): boolean {
  return String(f.d) === '1';
}

/**
 * Gauss–Jordan elimination of [A | B] with exact pivots: A becomes I and B becomes A⁻¹·B.
 * Returns the product of the pivots with the sign of the row swaps (det A), and A⁻¹·B, or
 * `undefined` for it when A is singular (a zero pivot column).
 */
function eliminate(a: FracMatrix, b: FracMatrix): { det: Frac; solved?: FracMatrix } {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...b[i]]);
  let det = fraction(1);
  for (let c = 0; c < n; c++) {
    const p = m.findIndex((row, i) => i >= c && !isZero(row[c]));
    if (p < 0) return { det: fraction(0) };
    if (p !== c) {
      [m[c], m[p]] = [m[p], m[c]];
      det = det.neg();
    }
    const pivot = m[c][c];
    det = det.mul(pivot);
    m[c] = m[c].map((x) => x.div(pivot));
    for (let i = 0; i < n; i++) {
      if (i === c || isZero(m[i][c])) continue;
      const f = m[i][c];
      m[i] = m[i].map((x, k) => x.sub(f.mul(m[c][k])));
    }
  }
  return { det, solved: m.map((row) => row.slice(n)) };
}

const identity = (n: number): FracMatrix =>
  Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => fraction(i === j ? 1 : 0)),
  );

export function exactDet(m: FracMatrix): Frac {
  return eliminate(
    m,
    m.map(() => []),
  ).det;
}

/** Exact inverse; the caller checks exactDet first (a singular matrix throws). */
export function exactInverse(m: FracMatrix): FracMatrix {
  const { solved } = eliminate(m, identity(m.length));
  if (!solved) throw new RangeError('exactInverse: the matrix is singular (det = 0)');
  return solved;
}

export function exactMatmul(a: FracMatrix, b: FracMatrix): FracMatrix {
  return a.map((row) => exactRowTimes(row, b));
}

function isZero(f: Frac): boolean {
  return Number(f.n) === 0;
}

/**
 * Rank and a basis vector of the left null space { z : z·A = 0 } of a square matrix, by exact
 * Gauss–Jordan elimination on Aᵀ. Rational pivots make "is this zero?" an exact question,
 * which is the whole point: a float elimination would answer it only up to a tolerance.
 */
export function leftNullSpace(a: FracMatrix): { rank: number; nullVector?: Frac[] } {
  const n = a.length;
  // Rows of Aᵀ: solving Aᵀ zᵀ = 0.
  const m: Frac[][] = a[0].map((_, j) => a.map((row) => row[j]));
  const cols = n;
  const pivotCols: number[] = [];
  let r = 0;
  for (let c = 0; c < cols && r < m.length; c++) {
    const p = m.findIndex((row, i) => i >= r && !isZero(row[c]));
    if (p < 0) continue;
    [m[r], m[p]] = [m[p], m[r]];
    const pivot = m[r][c];
    m[r] = m[r].map((x) => x.div(pivot));
    for (let i = 0; i < m.length; i++) {
      if (i === r || isZero(m[i][c])) continue;
      const f = m[i][c];
      m[i] = m[i].map((x, k) => x.sub(f.mul(m[r][k])));
    }
    pivotCols.push(c);
    r++;
  }
  const rank = pivotCols.length;
  if (rank === cols) return { rank };
  // Set the first free variable to 1, the other free ones to 0, and read the pivots off RREF.
  const free = [...Array(cols).keys()].find((c) => !pivotCols.includes(c)) as number;
  const z: Frac[] = Array.from({ length: cols }, () => fraction(0));
  z[free] = fraction(1);
  pivotCols.forEach((pc, i) => {
    z[pc] = m[i][free].neg();
  });
  return { rank, nullVector: z };
}

/** z·A for a row vector z, exactly. */
export function exactRowTimes(z: readonly Frac[], a: FracMatrix): Frac[] {
  return a[0].map((_, j) => z.reduce((acc, zi, i) => acc.add(zi.mul(a[i][j])), fraction(0)));
}
