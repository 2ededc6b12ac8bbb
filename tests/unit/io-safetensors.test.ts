/**
 * safetensors: F16/BF16 conversions against an independent bit-level reference, write → read
 * round trips, a hand-assembled file, every malformed case as a typed error naming the file,
 * and fuzzing (random bytes, mutations of a valid file, lying header lengths).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blobSource, bufferSource, type ByteSource } from '../../engine/io/bytes';
import { CheckpointFormatError, CheckpointMissingError } from '../../engine/io/errors';
import {
  fromBFloat16Bits,
  fromFloat16Bits,
  toBFloat16Bits,
  toFloat16Bits,
} from '../../engine/io/halfFloat';
import {
  MAX_HEADER_BYTES,
  openSafetensors,
  openSafetensorsBytes,
  writeSafetensors,
} from '../../engine/io/safetensors';
import {
  assemble,
  f32Bytes,
  float32Bits,
  refBFloat16Bits,
  refFloat16Bits,
  refFromBFloat16Bits,
  refFromFloat16Bits,
} from './io-helpers';

const FILE = 'bad.safetensors';

describe('F16 and BF16 conversions', () => {
  it('encode known bit patterns', () => {
    const f16: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest finite
      [65519, 0x7bff], // below the halfway point 65520
      [65520, 0x7c00], // halfway to 2^16: ties to even = Infinity
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // tie between 0 and 2^-24: even (0)
      [3 * 2 ** -26, 0x0001], // above the tie: up
      [1023 * 2 ** -24, 0x03ff], // largest subnormal
      [1 + 2 ** -11, 0x3c00], // tie between 1 and 1+2^-10: even
      [1 + 3 * 2 ** -11, 0x3c02], // tie between 1+2^-10 and 1+2^-9: even (up)
      [0.1, 0x2e66],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [-0, 0x8000],
      [0, 0],
    ];
    for (const [x, bits] of f16) expect(toFloat16Bits(x), `F16 of ${x}`).toBe(bits);
    expect(toFloat16Bits(NaN)).toBe(0x7e00);

    const bf16: [number, number][] = [
      [1, 0x3f80],
      [-1, 0xbf80],
      [1 + 2 ** -8, 0x3f80], // tie: even
      [1 + 3 * 2 ** -8, 0x3f82], // tie: even (up)
      [Math.fround(Math.PI), 0x4049],
      [(2 - 2 ** -7) * 2 ** 127, 0x7f7f], // largest finite BF16
      [(2 - 2 ** -23) * 2 ** 127, 0x7f80], // largest float32 rounds to Infinity
      [2 ** -126, 0x0080],
      [2 ** -133, 0x0001], // smallest BF16 subnormal
      [2 ** -149, 0x0000],
      [-Infinity, 0xff80],
    ];
    for (const [x, bits] of bf16) expect(toBFloat16Bits(x), `BF16 of ${x}`).toBe(bits);
    expect(toBFloat16Bits(NaN)).toBe(0x7fc0);
  });

  it('decode every F16 and BF16 pattern exactly and re-encode it unchanged', () => {
    // Plain comparisons in the loop, one expect at the end: 2×65536 expects are slow.
    const wrong: string[] = [];
    for (let b = 0; b < 65536; b++) {
      const h = fromFloat16Bits(b);
      const hRef = refFromFloat16Bits(b);
      if (Number.isNaN(hRef) ? !Number.isNaN(h) : !Object.is(h, hRef) || toFloat16Bits(h) !== b)
        wrong.push(`F16 ${b.toString(16)}`);
      const f = fromBFloat16Bits(b);
      const fRef = refFromBFloat16Bits(b);
      if (Number.isNaN(fRef) ? !Number.isNaN(f) : !Object.is(f, fRef) || toBFloat16Bits(f) !== b)
        wrong.push(`BF16 ${b.toString(16)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('agree with the reference on random float32 values, ties included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const x = new Float32Array(new Uint32Array([bits]).buffer)[0];
        if (Number.isNaN(x)) return true;
        return toFloat16Bits(x) === refFloat16Bits(x) && toBFloat16Bits(x) === refBFloat16Bits(x);
      }),
      { numRuns: 20000, seed: 42 },
    );
    // Exact halfway points between neighbouring F16 values, where rounding must go to even.
    for (let b = 0x0400; b < 0x7bff; b += 97) {
      const mid = (refFromFloat16Bits(b) + refFromFloat16Bits(b + 1)) / 2;
      expect(toFloat16Bits(mid)).toBe(b % 2 === 0 ? b : b + 1);
      expect(toFloat16Bits(mid)).toBe(refFloat16Bits(mid));
    }
  });
});

describe('write → read round trip', () => {
  const special = [
    0,
    -0,
    1,
    -1,
    0.1,
    1 / 3,
    65504,
    65520,
    1e-8,
    2 ** -24,
    2 ** -25,
    Infinity,
    -Infinity,
  ];
  const random = Array.from({ length: 50 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 9) - 4));
  const values = [...special, ...random];

  it('F32 / F16 / BF16 / F64 values come back as the reference conversion says', async () => {
    const bytes = writeSafetensors(
      [
        { name: 'h', dtype: 'F16', shape: [values.length], data: values },
        { name: 'b', dtype: 'BF16', shape: [values.length], data: values },
        { name: 'f', dtype: 'F32', shape: [1, values.length], data: values },
        { name: 'd', dtype: 'F64', shape: [values.length, 1], data: values },
      ],
      { format: 'pt', note: 'round trip' },
    );
    const st = await openSafetensorsBytes(bytes, 'round.safetensors');
    expect(st.metadata).toEqual({ format: 'pt', note: 'round trip' });
    expect(st.tensorNames().sort()).toEqual(['b', 'd', 'f', 'h']);
    expect(st.info('f').shape).toEqual([1, values.length]);

    const h = await st.read('h');
    const b = await st.read('b');
    const f = await st.read('f');
    const d = await st.readFloat64('d');
    values.forEach((x, i) => {
      expect(Object.is(h[i], refFromFloat16Bits(refFloat16Bits(x))), `F16 ${x}`).toBe(true);
      expect(Object.is(b[i], refFromBFloat16Bits(refBFloat16Bits(x))), `BF16 ${x}`).toBe(true);
      expect(Object.is(f[i], Math.fround(x)), `F32 ${x}`).toBe(true);
      expect(Object.is(d[i], x), `F64 ${x}`).toBe(true);
    });
    // The raw bytes hold the reference bit patterns, little-endian.
    const raw = await st.readBytes('h');
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    values.forEach((x, i) => expect(view.getUint16(2 * i, true)).toBe(refFloat16Bits(x)));
    expect(Array.from(await st.readBytes('b')).slice(4, 6)).toEqual([0x80, 0x3f]); // 1.0
  });

  it('pads the header to 8 bytes with spaces and aligns each tensor to its element size', async () => {
    const bytes = writeSafetensors([
      { name: 'odd16', dtype: 'F16', shape: [3], data: [1, 2, 3] },
      { name: 'w32', dtype: 'F32', shape: [3], data: [1, 2, 3] },
      { name: 'w64', dtype: 'F64', shape: [1], data: [7] },
    ]);
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd().endsWith('}')).toBe(true);
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    const st = await openSafetensorsBytes(bytes);
    expect(st.dataStart).toBe(8 + n);
    expect(st.info('w64').dataOffsets).toEqual([0, 8]);
    expect(st.info('w32').dataOffsets).toEqual([8, 20]);
    expect(st.info('odd16').dataOffsets).toEqual([20, 26]);
    expect(Array.from(await st.read('odd16'))).toEqual([1, 2, 3]);
    expect(Array.from(await st.read('w64'))).toEqual([7]);
    // F64 read as float32 rounds to nearest.
    const w = writeSafetensors([{ name: 'x', dtype: 'F64', shape: [1], data: [0.1] }]);
    expect((await (await openSafetensorsBytes(w)).read('x'))[0]).toBe(Math.fround(0.1));
  });

  it('writes and reads empty and zero-sized tensors', async () => {
    const empty = await openSafetensorsBytes(writeSafetensors([]));
    expect(empty.tensorNames()).toEqual([]);
    const st = await openSafetensorsBytes(
      writeSafetensors([
        { name: 'z', dtype: 'F32', shape: [0, 4], data: [] },
        { name: 'a', dtype: 'F32', shape: [], data: [5] },
      ]),
    );
    expect(Array.from(await st.read('z'))).toEqual([]);
    expect(Array.from(await st.read('a'))).toEqual([5]);
  });

  it('rejects bad writer input', () => {
    const bad = (t: Parameters<typeof writeSafetensors>[0]) => () => writeSafetensors(t);
    expect(bad([{ name: 'x', dtype: 'F32', shape: [2], data: [1] }])).toThrow(/2 values\) but 1/);
    expect(
      bad([
        { name: 'x', dtype: 'F32', shape: [1], data: [1] },
        { name: 'x', dtype: 'F16', shape: [1], data: [1] },
      ]),
    ).toThrow(/used twice/);
    expect(bad([{ name: '__metadata__', dtype: 'F32', shape: [1], data: [1] }])).toThrow(
      CheckpointFormatError,
    );
    expect(bad([{ name: 'x', dtype: 'I8' as 'F32', shape: [1], data: [1] }])).toThrow(/dtype "I8"/);
  });
});

describe('a hand-assembled file', () => {
  it('reads tensors whatever the header order', async () => {
    // Keys in non-sorted order; "zeta" is stored first in the data, "alpha" second.
    const header =
      '{"zeta":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"__metadata__":{"format":"pt"},' +
      '"alpha":{"shape":[2,2],"data_offsets":[8,16],"dtype":"F16"},' +
      '"mid":{"dtype":"BF16","data_offsets":[16,18],"shape":[1]}}';
    const data = new Uint8Array(18);
    const view = new DataView(data.buffer);
    view.setFloat32(0, 1.5, true);
    view.setFloat32(4, -2.25, true);
    [0x3c00, 0xc000, 0x3800, 0x0001].forEach((h, i) => view.setUint16(8 + 2 * i, h, true));
    view.setUint16(16, 0x4049, true);
    const st = await openSafetensorsBytes(assemble(header, data), 'hand.safetensors');
    expect(st.tensorNames()).toEqual(['zeta', 'alpha', 'mid']); // by data offset
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(Array.from(await st.read('zeta'))).toEqual([1.5, -2.25]);
    expect(Array.from(await st.read('alpha'))).toEqual([1, -2, 0.5, 2 ** -24]);
    expect((await st.read('mid'))[0]).toBe(3.140625);
    expect(st.info('alpha')).toMatchObject({ dtype: 'F16', shape: [2, 2], byteLength: 8 });
  });

  it('reads an F32 tensor at an offset that is not a multiple of 4', async () => {
    // A 1-byte header length pushes the data to offset 9.
    const st = await openSafetensorsBytes(
      assemble(
        '{"__metadata__":{"a":"b"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
        f32Bytes([3, 4]),
      ),
    );
    expect(st.dataStart % 4).not.toBe(0);
    expect(Array.from(await st.read('x'))).toEqual([3, 4]);
  });

  it('names the file for a tensor it does not hold, and for a dtype it cannot decode', async () => {
    const st = await openSafetensorsBytes(
      assemble({ ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
      'ids.safetensors',
    );
    expect(() => st.info('nope')).toThrow(CheckpointMissingError);
    expect(() => st.info('nope')).toThrow('ids.safetensors has no tensor named "nope"');
    await expect(st.read('ids')).rejects.toThrow(/ids\.safetensors: tensor "ids" has dtype I64/);
  });
});

describe('byte sources', () => {
  it('a Blob / File source reads tensors by slice', async () => {
    const bytes = writeSafetensors([
      { name: 'a', dtype: 'F32', shape: [2], data: [1.5, -3] },
      { name: 'b', dtype: 'F16', shape: [1], data: [0.25] },
    ]);
    const file = new File([bytes], 'tiny.safetensors');
    const st = await openSafetensors(blobSource(file));
    expect(st.file).toBe('tiny.safetensors');
    expect(Array.from(await st.read('a'))).toEqual([1.5, -3]);
    expect(Array.from(await st.read('b'))).toEqual([0.25]);
    const blob = blobSource(new Blob([bytes]), 'named.safetensors');
    expect(blob.name).toBe('named.safetensors');
    await expect(blob.read(bytes.byteLength - 1, 2)).rejects.toThrow(
      /named\.safetensors: cannot read 2 bytes/,
    );
  });

  it('a source that returns short reads is caught', async () => {
    const bytes = writeSafetensors([{ name: 'a', dtype: 'F32', shape: [2], data: [1, 2] }]);
    const inner = bufferSource(bytes, 'short.safetensors');
    // Short only past the header (offset > 8), then short everywhere.
    const shortFrom = (from: number): ByteSource => ({
      name: inner.name,
      size: inner.size,
      read: async (offset, length) =>
        (await inner.read(offset, length)).subarray(0, offset >= from ? length - 1 : length),
    });
    const st = await openSafetensors(shortFrom(9));
    await expect(st.read('a')).rejects.toThrow(
      'short.safetensors: reading tensor "a" returned 7 of its 8 bytes.',
    );
    await expect(openSafetensors(shortFrom(1))).rejects.toThrow(/-byte header returned/);
    await expect(openSafetensors(shortFrom(0))).rejects.toThrow(/8-byte header length/);
  });
});

async function formatError(bytes: Uint8Array | ByteSource): Promise<CheckpointFormatError> {
  const source = bytes instanceof Uint8Array ? bufferSource(bytes, FILE) : bytes;
  const err = await openSafetensors(source).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CheckpointFormatError);
  const e = err as CheckpointFormatError;
  expect(e.file).toBe(source.name);
  expect(e.message.startsWith(`${source.name}: `)).toBe(true);
  return e;
}

const t = (dtype: string, shape: unknown, offsets: unknown) => ({
  dtype,
  shape,
  data_offsets: offsets,
});

describe('malformed files give CheckpointFormatError naming the file and the problem', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(5), /5 bytes long, too short/],
    [
      'header longer than the file',
      assemble('{}', new Uint8Array(0), 100n),
      /claims 100 bytes but the file holds only 2/,
    ],
    [
      'absurd header length (2^60)',
      assemble('{}', new Uint8Array(0), 2n ** 60n),
      /header length field reads 1152921504606846976 bytes, which is absurd/,
    ],
    [
      'header over the limit',
      assemble('{}', new Uint8Array(0), BigInt(MAX_HEADER_BYTES + 1)),
      /more than the 100000000-byte limit/,
    ],
    ['invalid UTF-8', assemble('{"\xff"}').map((b, i) => (i === 10 ? 0xff : b)), /not valid UTF-8/],
    ['invalid JSON', assemble('{"a": '), /not valid JSON/],
    ['empty header', assemble(''), /not valid JSON/],
    ['header is an array', assemble('[]'), /must be a JSON object, but it is an array/],
    ['entry not an object', assemble({ w: 5 }), /tensor "w" must be an object, but it is 5/],
    [
      'unknown dtype',
      assemble({ w: t('F12', [1], [0, 2]) }, new Uint8Array(2)),
      /unknown dtype "F12"/,
    ],
    [
      'missing dtype',
      assemble({ w: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /no string "dtype"/,
    ],
    [
      'missing shape',
      assemble({ w: { dtype: 'F32', data_offsets: [0, 4] } }, new Uint8Array(4)),
      /no "shape" array/,
    ],
    [
      'negative dimension',
      assemble({ w: t('F32', [-1], [0, 4]) }, new Uint8Array(4)),
      /dimensions must be non-negative integers/,
    ],
    [
      'fractional dimension',
      assemble({ w: t('F32', [1.5], [0, 4]) }, new Uint8Array(4)),
      /dimensions must be non-negative integers/,
    ],
    [
      'string dimension',
      assemble({ w: t('F32', ['2'], [0, 8]) }, new Uint8Array(8)),
      /dimensions must be non-negative integers/,
    ],
    [
      'negative offset',
      assemble({ w: t('F32', [1], [-4, 0]) }),
      /offsets must be non-negative integers/,
    ],
    [
      'fractional offset',
      assemble({ w: t('F32', [1], [0, 4.5]) }, new Uint8Array(5)),
      /offsets must be non-negative integers/,
    ],
    [
      'three offsets',
      assemble({ w: t('F32', [1], [0, 4, 8]) }, new Uint8Array(4)),
      /needs "data_offsets" as \[begin, end\]/,
    ],
    [
      'end before begin',
      assemble({ w: t('F32', [0], [4, 0]) }, new Uint8Array(4)),
      /end before begin/,
    ],
    [
      'shape × dtype size ≠ span',
      assemble({ w: t('F16', [2, 3], [0, 8]) }, new Uint8Array(8)),
      /F16 with shape \[2, 3\], which needs 12 bytes, but its data_offsets \[0, 8\] span 8 bytes/,
    ],
    [
      'offsets past the end',
      assemble({ w: t('F32', [2], [0, 8]) }, new Uint8Array(4)),
      /past the end of the data \(4 bytes\)/,
    ],
    [
      'overlapping ranges (listed out of order)',
      assemble({ b: t('F32', [2], [4, 12]), a: t('F32', [2], [0, 8]) }, new Uint8Array(12)),
      /tensors "a" \[0, 8\] and "b" \[4, 12\] overlap/,
    ],
    [
      'same range twice',
      assemble({ b: t('F32', [1], [0, 4]), a: t('F32', [1], [0, 4]) }, new Uint8Array(4)),
      /overlap/,
    ],
    [
      'gap between tensors',
      assemble({ a: t('F32', [1], [0, 4]), b: t('F32', [1], [8, 12]) }, new Uint8Array(12)),
      /data bytes 4–8 belong to no tensor/,
    ],
    [
      'trailing bytes',
      assemble({ a: t('F32', [1], [0, 4]) }, new Uint8Array(6)),
      /cover 4 bytes of data but the file holds 6/,
    ],
    [
      'duplicate tensor name',
      assemble(
        '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
        new Uint8Array(4),
      ),
      /lists "a" twice/,
    ],
    [
      'metadata not strings',
      assemble({ __metadata__: { n: 1 } }),
      /"__metadata__" entry "n" must be a string/,
    ],
    [
      'metadata not an object',
      assemble({ __metadata__: [] }),
      /"__metadata__" must be an object of strings/,
    ],
  ];
  it.each(cases)('%s', async (_label, bytes, pattern) => {
    const e = await formatError(bytes);
    expect(e.problem).toMatch(pattern);
  });

  it('a nested duplicate key is not a duplicate tensor, and a duplicate with "\\"" escapes is', async () => {
    const ok = assemble(
      '{"__metadata__":{"k":"1"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":{"k":1}}}',
      new Uint8Array(4),
    );
    expect((await openSafetensorsBytes(ok)).tensorNames()).toEqual(['a']);
    const dup = assemble(
      '{"a\\"b":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a\\u0022b":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}',
    );
    expect((await formatError(dup)).problem).toMatch(/lists "a"b" twice/);
  });
});

/** A source that records the largest read asked of it. */
function spySource(bytes: Uint8Array, claimedSize = bytes.byteLength) {
  const reads: number[] = [];
  const source: ByteSource = {
    name: FILE,
    size: claimedSize,
    read(offset, length) {
      reads.push(length);
      if (offset + length > bytes.byteLength) throw new Error('read beyond the real bytes');
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
  return { source, reads };
}

describe('fuzzing', () => {
  const valid = writeSafetensors(
    [
      { name: 'a', dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
      { name: 'b', dtype: 'F16', shape: [3], data: [0.5, -1, 2] },
      { name: 'c', dtype: 'BF16', shape: [1], data: [3] },
    ],
    { format: 'pt' },
  );

  /** Opens and reads everything; returns normally or with a CheckpointFormatError only. */
  async function openAndReadAll(bytes: Uint8Array): Promise<void> {
    const { source, reads } = spySource(bytes);
    try {
      const st = await openSafetensors(source);
      for (const name of st.tensorNames()) {
        const info = st.info(name);
        if (
          info.dtype === 'F32' ||
          info.dtype === 'F16' ||
          info.dtype === 'BF16' ||
          info.dtype === 'F64'
        ) {
          const v = await st.read(name);
          expect(v.length).toBe(info.shape.reduce((p, s) => p * s, 1));
        }
      }
    } catch (err) {
      if (!(err instanceof CheckpointFormatError)) throw err;
      expect(err.file).toBe(FILE);
    }
    for (const r of reads) expect(r).toBeLessThanOrEqual(bytes.byteLength);
  }

  it('random byte strings only ever give CheckpointFormatError', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), openAndReadAll), {
      numRuns: 300,
      seed: 7,
    });
  });

  it('random byte strings behind a plausible length prefix', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 40 }),
        (text, data) => openAndReadAll(assemble(text, data)),
      ),
      { numRuns: 300, seed: 8 },
    );
  });

  it('random mutations of a valid file only ever give CheckpointFormatError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.nat({ max: valid.byteLength - 1 }), fc.integer({ min: 0, max: 255 })),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.nat({ max: valid.byteLength }),
        async (edits, cut) => {
          const bytes = valid.slice();
          for (const [i, v] of edits) bytes[i] = v;
          await openAndReadAll(bytes);
          await openAndReadAll(bytes.subarray(0, cut)); // truncated as well
        },
      ),
      { numRuns: 400, seed: 9 },
    );
  });

  it('random header structures only ever give CheckpointFormatError', async () => {
    const num = fc.oneof(fc.integer({ min: -4, max: 40 }), fc.double(), fc.constant(2 ** 60));
    const entry = fc.record({
      dtype: fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I64', 'U8', 'X'),
      shape: fc.array(num, { maxLength: 3 }),
      data_offsets: fc.array(num, { minLength: 1, maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 4 }), entry, { maxKeys: 4 }),
        fc.nat({ max: 64 }),
        (header, dataLength) => openAndReadAll(assemble(header, new Uint8Array(dataLength))),
      ),
      { numRuns: 400, seed: 10 },
    );
  });

  it('a header claiming 2^60 or 2^32−1 bytes fails fast without reading or allocating it', async () => {
    for (const claim of [2n ** 60n, 2n ** 32n - 1n, 2n ** 64n - 1n]) {
      // The source even pretends to be huge; only its first 8 bytes may be read.
      const { source, reads } = spySource(assemble('{}', new Uint8Array(0), claim), 2 ** 40);
      await formatError(source);
      // Only the length prefix was read: nothing of the claimed size was fetched or allocated.
      expect(reads).toEqual([8]);
    }
  });

  it('a lying header cannot make a tensor read exceed the file', async () => {
    const { source, reads } = spySource(
      assemble({ w: t('F32', [2 ** 40], [0, 2 ** 42]) }, new Uint8Array(16)),
    );
    const e = await formatError(source);
    expect(e.problem).toMatch(/past the end of the data/);
    expect(Math.max(...reads)).toBeLessThan(200);
  });
});

describe('the float32 bit helper', () => {
  it('matches known patterns', () => {
    expect(float32Bits(1)).toBe(0x3f800000);
  });
});
