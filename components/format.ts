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
 * Bytes with a decimal SI unit and three significant digits (the paper quotes GB = 1e9 bytes),
 * the app's one unit system for sizes. One implementation for app and CLI: roofline/units.ts.
 */
export function formatBytes(bytes: number): string {
  return units.formatBytes(bytes);
}

/**
 * A chip's memory capacity in the same decimal units as every other size, so a capacity can be
 * compared at a glance with the weights and caches beside it (24 GiB prints "25.8 GB").
 */
export function formatCapacity(bytes: number): string {
  return units.formatBytes(bytes);
}

/**
 * A capacity as above, followed by the size the vendor sells it as where that is a binary size:
 * "25.8 GB (24 GiB)" for an RTX 4090, "141 GB" for an H200 (for a chip's description).
 */
export function formatCapacityAsSold(bytes: number): string {
  const decimal = units.formatBytes(bytes);
  const sold = units.formatCapacity(bytes);
  return sold === decimal ? decimal : `${decimal} (${sold})`;
}

/**
 * One formatter for every "en-US" number: the same text as `x.toLocaleString('en-US')`, without
 * building a new formatter per call (charts format a tip sentence for every point they draw).
 */
const EN_US = new Intl.NumberFormat('en-US');

/** `x.toLocaleString('en-US')`: 1234.5678 → "1,234.568". */
export function formatEnUs(x: number): string {
  return EN_US.format(x);
}

/** Large counts with thin separators: 131072 → "131,072". */
export function formatCount(n: number): string {
  return EN_US.format(Math.round(n));
}
