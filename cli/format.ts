/** Plain-text formatting for the human-readable output (no colours, no dependencies). */

/** 25_769_803_776 → "25.8 GB" (decimal units, as the paper writes them). */
export function formatBytes(bytes: number): string {
  return `${scaled(bytes)}B`;
}

/** 25_769_803_776 → "25.8 G" (values, decimal prefixes). */
export function scaled(value: number, digits = 1): string {
  const units: [number, string][] = [
    [1e18, 'E'],
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(value) >= size) return `${(value / size).toFixed(digits)} ${unit}`;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(digits)} `;
}

/** Chip memory: binary sizes (80 GiB HBM) in GiB, others (H200's 141 GB) in decimal units. */
export function formatCapacity(bytes: number): string {
  const gib = bytes / 2 ** 30;
  return Number.isInteger(gib) ? `${gib} GiB` : formatBytes(bytes);
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
