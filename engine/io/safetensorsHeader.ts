/**
 * The safetensors header: dtypes and their sizes, and the strict parse of the JSON header
 * (the reference implementation's rules: known dtypes, shape × element size = offset span,
 * tensors tiling the data exactly, no key repeated in any object). safetensors.ts reads and
 * writes the files around it.
 */
import { CheckpointFormatError } from './errors';

/** Dtypes we decode to numbers. */
export type SafetensorsFloatDtype = 'F64' | 'F32' | 'F16' | 'BF16';

/**
 * Every dtype the format defines. The non-float ones are accepted in a header (real
 * checkpoints hold e.g. I64 position ids) but reading one is an error that says so.
 */
export type SafetensorsDtype =
  | SafetensorsFloatDtype
  | 'F8_E4M3'
  | 'F8_E5M2'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
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

export function isDtype(s: string): s is SafetensorsDtype {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, s);
}

export function isFloatDtype(d: SafetensorsDtype): d is SafetensorsFloatDtype {
  return d === 'F64' || d === 'F32' || d === 'F16' || d === 'BF16';
}

export interface TensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Offsets into the data section (after the header), [begin, end). */
  readonly dataOffsets: readonly [number, number];
  readonly byteLength: number;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON value as it reads, shortened: `[-1024, 128]`, `"F32"`, `{"a": 1}`. */
function describe(v: unknown): string {
  const s = show(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${show(x)}`)
      .join(', ')}}`;
  return JSON.stringify(v) ?? String(v);
}

/**
 * The first key repeated inside one object of a valid JSON text, with the key of the object
 * holding it (undefined at the top level), or undefined when no object repeats a key.
 * JSON.parse keeps only the last of a repeated key, which would hide a conflict ("dtype"
 * twice in one tensor entry, a tensor listed twice, a metadata key twice).
 */
function repeatedKey(text: string): { key: string; within?: string } | undefined {
  // One frame per open object or array: the keys seen so far (objects) and the key it is under.
  const stack: { keys?: Set<string>; under?: string }[] = [];
  let lastKey: string | undefined;
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { key, within: top.under };
        top.keys.add(key);
        lastKey = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      const under = stack.length === 1 ? lastKey : stack[stack.length - 1]?.under;
      stack.push(c === '{' ? { keys: new Set(), under } : { under });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') expectKey = stack[stack.length - 1]?.keys !== undefined;
    i++;
  }
  return undefined;
}

export function parseHeader(
  file: string,
  headerBytes: Uint8Array,
  dataSize: number,
): {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
} {
  const fail = (problem: string): never => {
    throw new CheckpointFormatError(file, problem);
  };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    return fail('the header is not valid UTF-8 text.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return fail(`the header is not valid JSON (${detail}).`);
  }
  if (!isObject(json))
    return fail(
      `the header must be a JSON object, but it is ${Array.isArray(json) ? 'an array' : describe(json)}.`,
    );

  const repeated = repeatedKey(text);
  if (repeated) {
    const { key, within } = repeated;
    if (within === undefined) fail(`the header lists "${key}" twice.`);
    else if (within === '__metadata__') fail(`"__metadata__" lists "${key}" twice.`);
    else fail(`tensor "${within}" lists "${key}" twice.`);
  }

  const metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isObject(entry))
        fail(`"__metadata__" must be an object of strings, not ${describe(entry)}.`);
      for (const [k, v] of Object.entries(entry as Json)) {
        if (typeof v !== 'string')
          fail(`"__metadata__" entry "${k}" must be a string, but it is ${describe(v)}.`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (!isObject(entry)) return fail(`${where} must be an object, but it is ${describe(entry)}.`);
    const dtype = entry['dtype'];
    if (typeof dtype !== 'string') return fail(`${where} has no string "dtype".`);
    if (!isDtype(dtype))
      return fail(
        `${where} has the unknown dtype "${dtype}" (known: ${Object.keys(DTYPE_BYTES).join(', ')}).`,
      );
    const shape = entry['shape'];
    if (!Array.isArray(shape)) return fail(`${where} has no "shape" array.`);
    let count = 1;
    for (const s of shape) {
      if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0)
        fail(`${where} has shape ${describe(shape)}; dimensions must be non-negative integers.`);
      count *= s as number;
      if (!Number.isSafeInteger(count)) fail(`${where} has shape ${describe(shape)}, too large.`);
    }
    const offsets = entry['data_offsets'];
    if (!Array.isArray(offsets) || offsets.length !== 2)
      return fail(`${where} needs "data_offsets" as [begin, end].`);
    const [begin, end] = offsets as unknown[];
    if (
      typeof begin !== 'number' ||
      typeof end !== 'number' ||
      !Number.isSafeInteger(begin) ||
      !Number.isSafeInteger(end) ||
      begin < 0 ||
      end < 0
    )
      return fail(
        `${where} has data_offsets ${describe(offsets)}; offsets must be non-negative integers.`,
      );
    if (end < begin) return fail(`${where} has data_offsets [${begin}, ${end}]: end before begin.`);
    const byteLength = count * DTYPE_BYTES[dtype];
    if (!Number.isSafeInteger(byteLength) || byteLength !== end - begin)
      return fail(
        `${where} is ${dtype} with shape [${shape.join(', ')}], which needs ${byteLength} bytes, ` +
          `but its data_offsets [${begin}, ${end}] span ${end - begin} bytes.`,
      );
    if (end > dataSize)
      return fail(
        `${where} has data_offsets [${begin}, ${end}] past the end of the data ` +
          `(${dataSize} bytes): the file is truncated or the header is wrong.`,
      );
    tensors.push({ name, dtype, shape: shape as number[], dataOffsets: [begin, end], byteLength });
  }

  // The tensors must tile the data section exactly: sorted by offset, each begins where the
  // previous ends, the last ends at the end of the file (as the reference reader requires).
  tensors.sort(
    (a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1],
  );
  let cursor = 0;
  let previous: TensorInfo | undefined;
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    if (begin < cursor && previous)
      fail(
        `tensors "${previous.name}" [${previous.dataOffsets.join(', ')}] and "${t.name}" ` +
          `[${begin}, ${end}] overlap.`,
      );
    if (begin > cursor)
      fail(`data bytes ${cursor}–${begin} belong to no tensor (a gap before "${t.name}").`);
    cursor = end;
    if (end > begin || !previous) previous = t;
  }
  if (cursor !== dataSize)
    fail(
      `the tensors cover ${cursor} bytes of data but the file holds ${dataSize} ` +
        'bytes after the header.',
    );
  return { tensors: new Map(tensors.map((t) => [t.name, t])), metadata };
}
