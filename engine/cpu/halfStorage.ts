/**
 * Half-precision storage of weights in the WebAssembly kernels' memory. A checkpoint stored in
 * F16 or BF16 (most of today's small models) gives weights whose every float32 value a half
 * holds exactly; such a weight is kept in 2 bytes a value instead of 4 and widened as the
 * kernels load it (wasm/assembly/kernels.ts loadB), which is exact: the products are the same
 * float32 operations in the same order, so every result is bit for bit the one of a float32
 * copy, with half the memory and half the bytes read per token. A tensor is stored in half only
 * when all of its values convert exactly and are finite; anything else (random float32
 * weights, W_KV formed in float64, caches) stays float32.
 */
import { float16Table } from '../io/halfFloat';

/** How a stored tensor's values are kept: float32, or the bits of float16 or bfloat16. */
export type StoredFormat = 'f32' | 'f16' | 'bf16';

/** The kernels' format codes (wasm/assembly/kernels.ts FMT_F16, FMT_BF16; 0 is float32). */
export const FORMAT_CODE: Record<StoredFormat, number> = { f32: 0, f16: 1, bf16: 2 };

/** Bytes a value of each format takes. */
export const FORMAT_BYTES: Record<StoredFormat, number> = { f32: 4, f16: 2, bf16: 2 };

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The float32 bit pattern of values[i], or -1 where values[i] is not a float32. */
function bitsAt(values: ArrayLike<number>, bits: Uint32Array | null, i: number): number {
  if (bits) return bits[i];
  const v = values[i];
  scratch[0] = v;
  return scratch[0] === v || v !== v ? scratchBits[0] : -1;
}

/** The values' float32 bit patterns in place, where they are a Float32Array. */
function bitsView(values: ArrayLike<number>): Uint32Array | null {
  return values instanceof Float32Array
    ? new Uint32Array(values.buffer, values.byteOffset, values.length)
    : null;
}

/** True when float32 bits `b` (finite) are exactly a float16. */
function isFloat16(b: number): boolean {
  const a = b & 0x7fffffff;
  if (a === 0) return true;
  const e = a >>> 23;
  if (e >= 143) return false; // ≥ 2^16, or not finite
  if (e >= 113) return (a & 0x1fff) === 0; // a normal half: 10 fraction bits
  if (e < 103) return false; // below the smallest subnormal half, 2^-24
  return (a & ((1 << (126 - e)) - 1)) === 0; // a subnormal half: fewer fraction bits
}

/** The float16 bits of float32 bits `b`, which isFloat16 accepted. */
function float16Of(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const a = b & 0x7fffffff;
  if (a === 0) return sign;
  const e = a >>> 23;
  if (e >= 113) return sign | ((e - 112) << 10) | ((a & 0x7fffff) >>> 13);
  return sign | (((a & 0x7fffff) | 0x800000) >>> (126 - e));
}

/**
 * How a tensor is stored: its format and, for float16, `shift`: the values are stored as
 * w·2^shift. A float16 subnormal (|w| < 2^-14, about 0.3% of a trained weight matrix) widens
 * through a float32 subnormal, which costs the kernels' widening multiply a microcode assist
 * on x86 (measured: a matrix-vector product 1.7x slower); stored times 2^10 every such value is
 * a normal half, and the kernels multiply by 2^(112 − shift) instead of 2^112. Exact, since
 * scaling by a power of two is, where no value overflows (every |w| < 64).
 */
export interface StoragePlan {
  format: StoredFormat;
  shift: number;
}

/** float16's subnormals become normal halves when stored times 2^SUBNORMAL_SHIFT. */
const SUBNORMAL_SHIFT = 10;

/**
 * The half format that holds every value exactly (bfloat16 first: the cheaper to widen), or
 * 'f32' where neither does or a value is not finite, with float16's shift (StoragePlan). Stops
 * at the first value neither holds, so a float32 checkpoint costs a few reads.
 */
export function storagePlan(values: ArrayLike<number>): StoragePlan {
  const bits = bitsView(values);
  let bf16 = true;
  let f16 = true;
  let subnormal = false;
  let maxExponent = 0;
  for (let i = 0; i < values.length && (bf16 || f16); i++) {
    const b = bitsAt(values, bits, i);
    if (b === -1 || (b & 0x7f800000) === 0x7f800000) return { format: 'f32', shift: 0 };
    if (bf16 && (b & 0xffff) !== 0) bf16 = false;
    if (f16) {
      if (!isFloat16(b)) f16 = false;
      const e = (b >>> 23) & 0xff;
      if (e > maxExponent) maxExponent = e;
      if (e < 113 && (b & 0x7fffffff) !== 0) subnormal = true;
    }
  }
  if (bf16) return { format: 'bf16', shift: 0 };
  if (!f16) return { format: 'f32', shift: 0 };
  // Times 2^10 the largest must stay a half: exponent ≤ 15, i.e. float32's field ≤ 142.
  const fits = maxExponent + SUBNORMAL_SHIFT <= 142;
  return { format: 'f16', shift: subnormal && fits ? SUBNORMAL_SHIFT : 0 };
}

/**
 * Writes values (which storagePlan gave `format` and `shift` for) as half bits into out from
 * `offset`: float16 bits of w·2^shift, bfloat16 bits of w.
 */
export function writeHalf(
  values: ArrayLike<number>,
  format: 'f16' | 'bf16',
  out: Uint16Array,
  offset = 0,
  shift = 0,
): void {
  const bits = bitsView(values);
  const up = shift * 2 ** 23;
  for (let i = 0; i < values.length; i++) {
    const b = bitsAt(values, bits, i);
    // Times 2^shift: the float32 exponent field plus shift (zeros stay zeros).
    out[offset + i] = format === 'bf16' ? b >>> 16 : float16Of((b & 0x7fffffff) === 0 ? b : b + up);
  }
}

/**
 * Widens `count` half values src[from, from + count) into out from `outOffset` (exact): float16
 * bits stored with `shift` are divided by 2^shift again.
 */
export function readHalf(
  src: Uint16Array,
  format: 'f16' | 'bf16',
  from: number,
  out: Float32Array,
  outOffset = 0,
  count = out.length - outOffset,
  shift = 0,
): void {
  if (format === 'bf16') {
    const o = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < count; i++) o[outOffset + i] = src[from + i] << 16;
    return;
  }
  const table = float16Table();
  const down = 2 ** -shift;
  for (let i = 0; i < count; i++) out[outOffset + i] = table[src[from + i]] * down;
}

/** The kernels' float16 widening factor for values stored with `shift`: 2^(112 − shift). */
export function widening(shift: number): number {
  return 2 ** (112 - shift);
}
