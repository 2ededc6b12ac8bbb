import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatCount, formatEnUs, formatNumber } from '../../components/format';

/** The number a formatted string stands for (typographic minus back to ASCII). */
const parse = (s: string) => Number(s.replace(/−/g, '-'));
/** Significant digits written in a formatted mantissa (an integer's trailing zeros excluded). */
function significant(s: string): number {
  const mantissa = s.replace(/−/g, '').split('e')[0];
  const digits = mantissa.replace('.', '').replace(/^0+/, '');
  return mantissa.includes('.') ? digits.length : digits.replace(/0+$/, '').length;
}

describe('formatNumber: up to `digits` significant digits, in fixed and exponent form alike', () => {
  it('writes known values', () => {
    expect(formatNumber(2.220446049250313e-16, 3)).toBe('2.22e−16');
    expect(formatNumber(1e-30, 3)).toBe('1e−30');
    expect(formatNumber(-1.5e-7)).toBe('−1.5e−7');
    expect(formatNumber(6.6706e-2, 3)).toBe('0.0667');
    expect(formatNumber(123456789, 3)).toBe('123456789'); // an integer stays whole
    expect(formatNumber(1.2345678e9 + 0.5, 3)).toBe('1.23e9');
    expect(formatNumber(4.8828125, 3)).toBe('4.88');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('−∞');
  });

  it('rounds to `digits` significant digits in both forms (random values)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e300, max: 1e300, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 1, max: 8 }),
        (x, digits) => {
          if (Number.isInteger(x) && Math.abs(x) < 1e15) return;
          const s = formatNumber(x, digits);
          if (x === 0) return;
          expect(significant(s)).toBeLessThanOrEqual(digits);
          // Rounded to `digits` significant digits: off by at most half a unit in the last one.
          const exponent = Math.floor(Math.log10(Math.abs(x)));
          const halfUnit = 0.5 * 10 ** (exponent - digits + 1);
          expect(Math.abs(parse(s) - x)).toBeLessThanOrEqual(halfUnit * (1 + 1e-9));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('one en-US formatter (issue 20: chart tips format every point)', () => {
  it('formatEnUs and formatCount print what toLocaleString("en-US") prints', () => {
    for (const x of [0, 1, 999, 1000, 131072, 1234.5678, 0.25, 2 ** 20, 1e15, -4096.5])
      expect(formatEnUs(x)).toBe(x.toLocaleString('en-US'));
    for (const n of [0, 1.4, 1.6, 131072, 1e12 + 0.3])
      expect(formatCount(n)).toBe(Math.round(n).toLocaleString('en-US'));
  });
});
