/**
 * IEEE 754 binary16 (F16) and bfloat16 (BF16) conversions. Decoding is exact (both formats
 * are subsets of float32). Encoding rounds to nearest, ties to even, directly from the float64
 * value, so a float64 input is rounded once (no double rounding through float32); overflow
 * gives ±Infinity and NaN stays NaN (quiet), as the hardware conversions do.
 */

interface Format {
  /** Exponent bias (15 for F16, 127 for BF16). */
  bias: number;
  /** Stored mantissa bits (10 for F16, 7 for BF16). */
  mantissaBits: number;
  /** Exponent field of ±Infinity (31 for F16, 255 for BF16). */
  maxExponentField: number;
  /** Bit pattern of the quiet NaN we write. */
  nan: number;
}

const F16: Format = { bias: 15, mantissaBits: 10, maxExponentField: 31, nan: 0x7e00 };
const BF16: Format = { bias: 127, mantissaBits: 7, maxExponentField: 255, nan: 0x7fc0 };

/** Rounds a non-negative value below 2^52 to the nearest integer, ties to even. */
function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f; // exact: q < 2^52
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function encode(x: number, fmt: Format): number {
  if (Number.isNaN(x)) return fmt.nan;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  const m = fmt.mantissaBits;
  const implicit = 2 ** m;
  const minNormalExponent = 1 - fmt.bias;
  let bits: number;
  if (a < 2 ** minNormalExponent) {
    // Subnormal range: units of 2^(minNormalExponent − m); a scale by a power of two is exact.
    // A result of 2^m is the smallest normal, whose bit pattern is exactly 2^m as well.
    bits = roundHalfEven(a * 2 ** (m - minNormalExponent));
  } else {
    let e = Math.floor(Math.log2(a));
    if (!Number.isFinite(e)) e = fmt.maxExponentField; // a = Infinity
    // Math.log2 may be off by one next to powers of two; fix it exactly.
    if (Number.isFinite(a)) {
      while (2 ** e > a) e--;
      while (2 ** (e + 1) <= a) e++;
    }
    if (e - minNormalExponent + 1 >= fmt.maxExponentField) {
      bits = fmt.maxExponentField << m; // beyond the largest binade: ±Infinity
    } else {
      // a / 2^e ∈ [1, 2): the fraction times 2^m is exact in float64 (a has ≤ 53 bits).
      const fraction = roundHalfEven((a / 2 ** e) * implicit - implicit);
      // A carry (fraction = 2^m) moves into the exponent field, up to Infinity: correct.
      bits = ((e + fmt.bias) << m) + fraction;
    }
  }
  return sign | bits;
}

/** float64 → F16 bit pattern, round to nearest even. */
export function toFloat16Bits(x: number): number {
  return encode(x, F16);
}

/** float64 → BF16 bit pattern, round to nearest even. */
export function toBFloat16Bits(x: number): number {
  return encode(x, BF16);
}

/** F16 bit pattern → its exact value. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** BF16 bit pattern → its exact value (the top half of a float32). */
export function fromBFloat16Bits(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0];
}

const scratchU32 = new Uint32Array(1);
const scratchF32 = new Float32Array(scratchU32.buffer);

let f16Table: Float32Array | undefined;

/** All 65536 F16 values, built once: decoding a tensor is then one lookup per value. */
export function float16Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) f16Table[b] = fromFloat16Bits(b);
  }
  return f16Table;
}
