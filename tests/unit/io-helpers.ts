/**
 * Helpers for the engine/io tests: an independent F16/BF16 reference (integer bit
 * manipulation on float32 bit patterns, unlike engine/io/halfFloat.ts, which works on float64
 * values arithmetically) and a hand-built safetensors file assembler.
 */
const u32 = new Uint32Array(1);
const f32 = new Float32Array(u32.buffer);

export function float32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

/** float32 → F16 bits, round to nearest even, via the float32 bit pattern. */
export function refFloat16Bits(x: number): number {
  const u = float32Bits(x);
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 255) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 143) return sign | 0x7c00; // ≥ 2^16: beyond F16
  if (exp >= 113) {
    // Normal F16: keep the top 10 mantissa bits, round on the 13 dropped ones.
    let h = ((exp - 112) << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
    return sign | h;
  }
  if (exp < 102) return sign; // < 2^-25: rounds to zero
  const m = mant | 0x800000;
  const shift = 126 - exp;
  let q = m >>> shift;
  const rem = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rem > half || (rem === half && q & 1)) q++;
  return sign | q;
}

/** float32 → BF16 bits, round to nearest even (the usual bias trick). */
export function refBFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  const u = float32Bits(x);
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** F16 bits → value, by the textbook formula. */
export function refFromFloat16Bits(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 31;
  const m = h & 1023;
  if (e === 0) return s * (m / 1024) * 2 ** -14;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** BF16 bits → value via a float32 bit pattern. */
export function refFromBFloat16Bits(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

/** Assembles a safetensors file by hand: length prefix (or a forced one), header text, data. */
export function assemble(
  header: string | object,
  data: Uint8Array = new Uint8Array(0),
  forcedLength?: bigint,
): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, forcedLength ?? BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

export function f32Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}
