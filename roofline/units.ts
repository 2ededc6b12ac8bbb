/**
 * Units for printing sizes, shared by the app and the CLI: decimal SI prefixes (the paper writes
 * GB = 1e9 bytes) and chip capacities as vendors name them. Two precisions: the CLI prints a fixed
 * number of decimals ("25.8 GB", "123.5 GB"), the app a number of significant digits ("123 GB").
 */

const PREFIXES: readonly (readonly [number, string])[] = [
  [1e18, 'E'],
  [1e15, 'P'],
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** How many digits a printed size keeps. */
export type Precision = { decimals: number } | { significant: number };

/** The app's precision: three significant digits. */
export const SIGNIFICANT_3: Precision = { significant: 3 };
/** The CLI's precision: one decimal. */
export const DECIMALS_1: Precision = { decimals: 1 };

/** `value` over its largest SI prefix (k … E) ≤ |value|, and that prefix ('' below 1000). */
export function siScale(value: number): { value: number; prefix: string } {
  for (const [size, prefix] of PREFIXES)
    if (Math.abs(value) >= size) return { value: value / size, prefix };
  return { value, prefix: '' };
}

/** 25_769_803_776 → "25.8 G" (values, decimal prefixes, `digits` decimals; note the space). */
export function scaled(value: number, digits = 1): string {
  const s = siScale(value);
  if (s.prefix === '') return `${Number.isInteger(value) ? value : value.toFixed(digits)} `;
  return `${s.value.toFixed(digits)} ${s.prefix}`;
}

/**
 * Bytes with a decimal SI unit: 25_769_803_776 → "25.8 GB" ({decimals: 1}, the CLI) or "25.8 GB"
 * ({significant: 3}, the app; non-finite values print "—").
 */
export function formatBytes(bytes: number, precision: Precision = SIGNIFICANT_3): string {
  if ('decimals' in precision) return `${scaled(bytes, precision.decimals)}B`;
  if (!Number.isFinite(bytes)) return '—';
  const s = siScale(bytes);
  if (s.prefix === '') return `${bytes} B`;
  return `${Number(s.value.toPrecision(precision.significant))} ${s.prefix}B`;
}

/**
 * A chip's memory capacity as the vendor names it: binary sizes ("80GB HBM" = 80 GiB, see
 * chips.ts) in GiB, anything else (H200's 141 GB) in decimal units.
 */
export function formatCapacity(bytes: number, precision: Precision = SIGNIFICANT_3): string {
  const gib = bytes / 2 ** 30;
  return Number.isInteger(gib) ? `${gib} GiB` : formatBytes(bytes, precision);
}
