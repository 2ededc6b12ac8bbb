/**
 * Fuzzing the safetensors header against an independent reference reader written here: seeded
 * random header texts, with repeated keys inside a tensor entry ("dtype" twice, "shape" twice),
 * at the top level and in "__metadata__", bad dtypes, shapes and offsets, and data sections
 * that fit or do not. The engine's reader must refuse exactly what the reference refuses, and
 * agree on every tensor it accepts. Also: shape and offset errors print the values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointFormatError, openSafetensorsBytes } from '../../engine/io';
import { assemble } from './io-helpers';

// ---- the reference: a small JSON reader that keeps repeated keys, then the format's rules ----

type J = null | boolean | number | string | J[] | { pairs: [string, J][] };

function parseJson(text: string): J {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const value = (): J => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const pairs: [string, J][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { pairs };
      }
      for (;;) {
        ws();
        const key = value();
        if (typeof key !== 'string') throw new Error('key');
        ws();
        if (text[i++] !== ':') throw new Error(':');
        pairs.push([key, value()]);
        ws();
        const sep = text[i++];
        if (sep === '}') return { pairs };
        if (sep !== ',') throw new Error(',');
      }
    }
    if (c === '[') {
      i++;
      const items: J[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return items;
        if (sep !== ',') throw new Error(',');
      }
    }
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i)) as RegExpExecArray;
      i += m[0].length;
      return JSON.parse(m[0]) as string;
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) throw new Error('value');
    i += m[0].length;
    return JSON.parse(m[0]) as J;
  };
  const out = value();
  ws();
  if (i !== text.length) throw new Error('trailing');
  return out;
}

const SIZES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

interface RefTensor {
  name: string;
  dtype: string;
  shape: number[];
  offsets: [number, number];
}

const isObj = (v: J): v is { pairs: [string, J][] } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: J): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The tensors of a valid header, or null where the format says the file is invalid. */
function reference(text: string, dataSize: number): RefTensor[] | null {
  const root = parseJson(text);
  if (!isObj(root)) return null;
  const unique = (o: { pairs: [string, J][] }) =>
    new Set(o.pairs.map(([k]) => k)).size === o.pairs.length;
  if (!unique(root)) return null;
  const tensors: RefTensor[] = [];
  for (const [name, entry] of root.pairs) {
    if (!isObj(entry) || !unique(entry)) return null;
    const field = new Map(entry.pairs);
    if (name === '__metadata__') {
      if (![...field.values()].every((v) => typeof v === 'string')) return null;
      continue;
    }
    const dtype = field.get('dtype');
    const shape = field.get('shape');
    const offsets = field.get('data_offsets');
    if (typeof dtype !== 'string' || !(dtype in SIZES)) return null;
    if (!Array.isArray(shape) || !shape.every(isIndex)) return null;
    const count = shape.reduce<number>((a, b) => a * (b as number), 1);
    if (!Number.isSafeInteger(count)) return null;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) return null;
    const [b, e] = offsets as [number, number];
    if (e < b || e - b !== count * SIZES[dtype] || e > dataSize) return null;
    tensors.push({ name, dtype, shape: shape as number[], offsets: [b, e] });
  }
  const sorted = [...tensors].sort(
    (x, y) => x.offsets[0] - y.offsets[0] || x.offsets[1] - y.offsets[1],
  );
  let cursor = 0;
  for (const t of sorted) {
    if (t.offsets[0] !== cursor) return null;
    cursor = t.offsets[1];
  }
  return cursor === dataSize ? tensors : null;
}

// ---- the generator: header texts written key by key, so keys can repeat ----

const obj = (pairs: [string, string][]) =>
  `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

const dtypeText = fc.constantFrom('"F32"', '"F16"', '"F64"', '"U8"', '"X"', '4');
const shapeText = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('[-1024,128]', '[1.5]', '["2"]', '{}'),
);

/** An entry: the three fields (some generated twice, some missing) in a random order. */
const entryArb = fc
  .record({
    dtype: dtypeText,
    dtype2: fc.option(dtypeText, { freq: 3 }),
    shape: shapeText,
    shape2: fc.option(shapeText, { freq: 3 }),
    offsets: fc.option(fc.constantFrom('auto', '[0,0]', '[0,4]', '[-1,3]', '[3,1]'), { freq: 5 }),
    offsets2: fc.option(fc.constant('auto'), { freq: 6 }),
    drop: fc.option(fc.constantFrom('dtype', 'shape', 'data_offsets'), { freq: 8 }),
    order: fc.nat(),
  })
  .map((r) => {
    const pairs: [string, string][] = [
      ['dtype', r.dtype],
      ['shape', r.shape],
      ['data_offsets', r.offsets ?? 'auto'],
    ];
    if (r.dtype2 !== null) pairs.push(['dtype', r.dtype2]);
    if (r.shape2 !== null) pairs.push(['shape', r.shape2]);
    if (r.offsets2 !== null) pairs.push(['data_offsets', r.offsets2]);
    const kept = pairs.filter(([k]) => k !== r.drop);
    const k = r.order % (kept.length || 1);
    return [...kept.slice(k), ...kept.slice(0, k)];
  });

const headerArb = fc.record({
  names: fc.array(fc.constantFrom('a', 'b', 'c', 'w.0', '__metadata__'), { maxLength: 4 }),
  entries: fc.array(entryArb, { minLength: 4, maxLength: 4 }),
  metadata: fc.array(fc.tuple(fc.constantFrom('format', 'k'), fc.constantFrom('"pt"', '1')), {
    maxLength: 3,
  }),
  slack: fc.constantFrom(0, 0, 0, 4, -4),
});

type Header = typeof headerArb extends fc.Arbitrary<infer T> ? T : never;

/** Header text with "auto" offsets laid out back to back (as a real writer would). */
function render(h: Header): { text: string; dataSize: number } {
  let cursor = 0;
  const top: [string, string][] = [];
  h.names.forEach((name, i) => {
    if (name === '__metadata__') {
      top.push([name, obj(h.metadata)]);
      return;
    }
    const fields = h.entries[i].map(([k, v]): [string, string] => {
      if (v !== 'auto') return [k, v];
      const dtype = h.entries[i].find(([f]) => f === 'dtype')?.[1] ?? '"F32"';
      const shape = h.entries[i].find(([f]) => f === 'shape')?.[1] ?? '[]';
      let count = 1;
      try {
        for (const s of JSON.parse(shape) as number[]) count *= Number(s);
      } catch {
        count = 1;
      }
      const size = SIZES[(JSON.parse(dtype) as string) ?? 'F32'] ?? 4;
      const bytes = Number.isFinite(count) && count >= 0 ? count * size : 4;
      const text = `[${cursor},${cursor + bytes}]`;
      cursor += bytes;
      return [k, text];
    });
    top.push([name, obj(fields)]);
  });
  return { text: obj(top), dataSize: Math.max(0, cursor + h.slack) };
}

describe('safetensors header fuzz against a reference reader', () => {
  it('refuses exactly what the reference refuses (repeated keys inside entries included)', async () => {
    let refused = 0;
    let duplicates = 0;
    await fc.assert(
      fc.asyncProperty(headerArb, async (h) => {
        const { text, dataSize } = render(h);
        const expected = reference(text, dataSize);
        const file = assemble(text, new Uint8Array(dataSize));
        const got = await openSafetensorsBytes(file, 'fuzz.safetensors').then(
          (st) =>
            st.tensorNames().map((name) => {
              const info = st.info(name);
              return {
                name,
                dtype: info.dtype,
                shape: [...info.shape],
                offsets: [...info.dataOffsets],
              };
            }),
          (e: unknown) => {
            expect(e).toBeInstanceOf(CheckpointFormatError);
            return null;
          },
        );
        if (expected === null) refused++;
        if (/"(dtype|shape|data_offsets)":[^{}]*"\1":/.test(text)) duplicates++;
        if (expected === null) expect(got, text).toBeNull();
        else {
          const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
          expect(got?.sort(byName), text).toEqual([...expected].sort(byName));
        }
      }),
      { numRuns: 800, seed: 18 },
    );
    // The generator reaches both outcomes and many repeated fields.
    expect(refused).toBeGreaterThan(50);
    expect(refused).toBeLessThan(750);
    expect(duplicates).toBeGreaterThan(50);
  });

  it('names a repeated field of one entry, and prints shapes and offsets as values', async () => {
    const cases: [string, number, RegExp][] = [
      [
        '{"w":{"dtype":"F32","shape":[1],"dtype":"F16","data_offsets":[0,4]}}',
        4,
        /tensor "w" lists "dtype" twice/,
      ],
      [
        '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4],"shape":[1]}}',
        4,
        /tensor "w" lists "shape" twice/,
      ],
      ['{"__metadata__":{"k":"a","k":"b"}}', 0, /"__metadata__" lists "k" twice/],
      [
        '{"w":{"dtype":"F32","shape":[-1024,128],"data_offsets":[0,4]}}',
        4,
        /has shape \[-1024, 128\];/,
      ],
      ['{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}', 4, /has data_offsets \[-4, 0\];/],
    ];
    for (const [text, size, pattern] of cases) {
      const e = await openSafetensorsBytes(assemble(text, new Uint8Array(size))).catch(
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(CheckpointFormatError);
      expect((e as Error).message).toMatch(pattern);
    }
  });
});
