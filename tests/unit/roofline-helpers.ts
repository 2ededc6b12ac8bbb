import { expect } from 'vitest';

/**
 * Compare a computed value with a number as the paper prints it: "4.3B", "9.4M", "101M",
 * "1.08x", "583". The check rounds the computed value to the printed number of decimals (after
 * scaling by the printed unit) and expects equality, i.e. a tolerance of half a unit in the
 * last printed digit — exactly the paper's precision, no more.
 */
export function expectPrinted(actual: number, printed: string): void {
  const match = /^~?(-?\d+(?:\.\d+)?)([BMKx]?)$/.exec(printed.replace(/,/g, ''));
  if (!match) throw new Error(`cannot parse printed value '${printed}'`);
  const [, digits, unit] = match;
  const scale = unit === 'B' ? 1e9 : unit === 'M' ? 1e6 : unit === 'K' ? 1e3 : 1;
  const decimals = digits.includes('.') ? digits.split('.')[1].length : 0;
  const rounded = Math.round((actual / scale) * 10 ** decimals) / 10 ** decimals;
  expect(rounded, `${actual} printed as ${printed}`).toBe(Number(digits));
}
