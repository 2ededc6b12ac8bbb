import { units } from '../roofline';

/**
 * Number formatting shared by the matrix and chart components: integers stay integers, other
 * values get up to `digits` significant digits, and tiny or huge values switch to exponent form
 * so that 1e-9 never prints as 0.
 */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return minus(String(x));
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6))
    return minus(Number(x.toExponential(Math.max(0, digits - 1))).toExponential());
  return minus(String(Number(x.toPrecision(digits))));
}

/** A typographic minus sign reads better in tables than a hyphen. */
function minus(s: string): string {
  return s.replace(/^-/, '−').replace('e-', 'e−').replace('e+', 'e');
}

/**
 * Bytes with a decimal SI unit and three significant digits (the paper quotes GB = 1e9 bytes);
 * chip capacities as the vendor names them. One implementation for app and CLI: roofline/units.ts.
 */
export function formatBytes(bytes: number): string {
  return units.formatBytes(bytes);
}

export function formatCapacity(bytes: number): string {
  return units.formatCapacity(bytes);
}

/** Large counts with thin separators: 131072 → "131,072". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
