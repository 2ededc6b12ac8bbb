import { expect } from 'vitest';
import { comparePrinted } from '../../roofline';

/**
 * Compare a computed value with a number as the paper prints it: "4.3B", "9.4M", "101M",
 * "1.08x", "583". The computed value is rounded to the printed number of decimals (after
 * scaling by the printed unit) and must equal it, i.e. a tolerance of half a unit in the last
 * printed digit — exactly the paper's precision, no more. (comparePrinted has its own
 * hand-checked cases in explorer-series.test.ts.)
 */
export function expectPrinted(actual: number, printed: string): void {
  const c = comparePrinted(actual, printed);
  expect(c.computedText, `${actual} printed as ${printed}`).toBe(
    printed.replace(/^~/, '').replace(/,/g, ''),
  );
}
