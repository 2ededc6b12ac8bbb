/** Plain-text formatting for the human-readable output (no colours, no dependencies). */
import { DECIMALS_1, units } from '../roofline';

export const { scaled } = units;

/** 25_769_803_776 → "25.8 GB" (decimal units, one decimal; roofline/units.ts). */
export function formatBytes(bytes: number): string {
  return units.formatBytes(bytes, DECIMALS_1);
}

/** Chip memory: binary sizes (80 GiB HBM) in GiB, others (H200's 141 GB) in decimal units. */
export function formatCapacity(bytes: number): string {
  return units.formatCapacity(bytes, DECIMALS_1);
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatRatio(value: number, digits = 2): string {
  return `${value.toFixed(digits)}x`;
}

/** Left-aligned first column, right-aligned others, two spaces between columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n') + '\n';
}
