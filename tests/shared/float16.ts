/**
 * Rounds to the nearest float16 value (ties to even), written from the format's definition
 * (10 fraction bits, smallest normal exponent −14, largest finite 65,504): an independent
 * reference for the engine's float16 storage. Past the range it gives Infinity.
 */
export function toHalf(x: number): number {
  if (x === 0) return x;
  const e = Math.max(Math.floor(Math.log2(Math.abs(x))), -14);
  const ulp = 2 ** (e - 10);
  const q = x / ulp;
  let r = Math.round(q);
  if (Math.abs(q - Math.trunc(q)) === 0.5) r = 2 * Math.round(q / 2);
  const v = r * ulp;
  return Math.abs(v) > 65504 ? Infinity : v;
}
