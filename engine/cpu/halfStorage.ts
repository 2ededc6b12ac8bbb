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
 * The half format that holds every value exactly (bfloat16 first: the cheaper to widen), or
 * 'f32' where neither does or a value is not finite. Stops at the first value neither holds,
 * so a float32 checkpoint costs a few reads.
 */
export function exactFormat(values: ArrayLike<number>): StoredFormat {
  const bits = bitsView(values);
  let bf16 = true;
  let f16 = true;
  for (let i = 0; i < values.length && (bf16 || f16); i++) {
    const b = bitsAt(values, bits, i);
    if (b === -1 || (b & 0x7f800000) === 0x7f800000) return 'f32';
    if (bf16 && (b & 0xffff) !== 0) bf16 = false;
    if (f16 && !isFloat16(b)) f16 = false;
  }
  return bf16 ? 'bf16' : f16 ? 'f16' : 'f32';
}

/** Writes values (which exactFormat gave `format` for) as half bits into out from `offset`. */
export function writeHalf(
  values: ArrayLike<number>,
  format: 'f16' | 'bf16',
  out: Uint16Array,
  offset = 0,
): void {
  const bits = bitsView(values);
  for (let i = 0; i < values.length; i++) {
    const b = bitsAt(values, bits, i);
    out[offset + i] = format === 'bf16' ? b >>> 16 : float16Of(b);
  }
}

/** Widens half bits src[from, from + out.length) into out (exact). */
export function readHalf(
  src: Uint16Array,
  format: 'f16' | 'bf16',
  from: number,
  out: Float32Array,
  outOffset = 0,
  count = out.length - outOffset,
): void {
  if (format === 'bf16') {
    const o = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < count; i++) o[outOffset + i] = src[from + i] << 16;
    return;
  }
  const table = float16Table();
  for (let i = 0; i < count; i++) out[outOffset + i] = table[src[from + i]];
}
