/**
 * safetensors read and write. Layout: an 8-byte little-endian u64 header length N, N bytes of
 * UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {…}}, then
 * the data; offsets count from the start of the data. The header is validated as strictly as
 * the reference implementation does (tensors must tile the data exactly, no gaps, no overlap),
 * and nothing is allocated from a length the file has not proven it holds. Tensors are read
 * lazily, one byte range each.
 */
import { bufferSource, type ByteSource } from './bytes';
import { CheckpointFormatError, CheckpointMissingError } from './errors';
import { float16Table, fromBFloat16Bits, toBFloat16Bits, toFloat16Bits } from './halfFloat';
import {
  DTYPE_BYTES,
  isDtype,
  isFloatDtype,
  parseHeader,
  type SafetensorsFloatDtype,
  type TensorInfo,
} from './safetensorsHeader';

export {
  isFloatDtype,
  type SafetensorsDtype,
  type SafetensorsFloatDtype,
  type TensorInfo,
} from './safetensorsHeader';

/** Largest header we accept. Real headers are kilobytes; the reference reader caps at 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsFile {
  /** The file's name, as given by its ByteSource. */
  readonly file: string;
  /** The free-form string map stored under "__metadata__" (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Byte offset of the data section in the file: 8 + header length. */
  readonly dataStart: number;
  /** Tensor names in file order (ascending data offset). */
  tensorNames(): string[];
  has(name: string): boolean;
  /** dtype, shape and offsets; throws CheckpointMissingError for an unknown name. */
  info(name: string): TensorInfo;
  /** The tensor's raw little-endian bytes, read from the source on demand. */
  readBytes(name: string): Promise<Uint8Array>;
  /** Values as float32 (F16/BF16 exactly; F64 rounded to nearest). */
  read(name: string): Promise<Float32Array>;
  /** Values as float64 (exact for every float dtype). */
  readFloat64(name: string): Promise<Float64Array>;
  /** True when the source reads synchronously (ByteSource.readSync): the *Sync reads work. */
  readonly canReadSync: boolean;
  /** `read`, synchronously; F32 values are a view of the bytes read, no second copy. */
  readSync(name: string): Float32Array;
  /** `readFloat64`, synchronously. */
  readFloat64Sync(name: string): Float64Array;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readU64(file: string, bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  if (high !== 0)
    throw new CheckpointFormatError(
      file,
      `the header length field reads ${BigInt(high) * 2n ** 32n + BigInt(low)} bytes, which is ` +
        'absurd: this is not a safetensors file, or its first 8 bytes are damaged.',
    );
  return low;
}

/** Parses the header of a safetensors file; tensor data stays in the source until read. */
export async function openSafetensors(source: ByteSource): Promise<SafetensorsFile> {
  const file = source.name;
  if (source.size < 8)
    throw new CheckpointFormatError(
      file,
      `the file is ${source.size} bytes long, too short for the 8-byte header length.`,
    );
  const lengthBytes = await source.read(0, 8);
  if (lengthBytes.byteLength !== 8)
    throw new CheckpointFormatError(file, 'reading the 8-byte header length returned fewer bytes.');
  const headerLength = readU64(file, lengthBytes);
  if (headerLength > MAX_HEADER_BYTES)
    throw new CheckpointFormatError(
      file,
      `the header claims ${headerLength} bytes, more than the ${MAX_HEADER_BYTES}-byte limit: ` +
        'this is not a safetensors file, or its first 8 bytes are damaged.',
    );
  if (8 + headerLength > source.size)
    throw new CheckpointFormatError(
      file,
      `the header claims ${headerLength} bytes but the file holds only ${source.size - 8} ` +
        'after the length field: the file is truncated or not a safetensors file.',
    );
  const headerBytes = await source.read(8, headerLength);
  if (headerBytes.byteLength !== headerLength)
    throw new CheckpointFormatError(
      file,
      `reading the ${headerLength}-byte header returned ${headerBytes.byteLength} bytes.`,
    );
  const dataStart = 8 + headerLength;
  const { tensors, metadata } = parseHeader(file, headerBytes, source.size - dataStart);
  return new LazySafetensors(source, dataStart, tensors, metadata);
}

/** Convenience: open a safetensors file that is already in memory. */
export function openSafetensorsBytes(
  bytes: Uint8Array | ArrayBuffer,
  name = 'model.safetensors',
): Promise<SafetensorsFile> {
  return openSafetensors(bufferSource(bytes, name));
}

class LazySafetensors implements SafetensorsFile {
  readonly file: string;
  constructor(
    private readonly source: ByteSource,
    readonly dataStart: number,
    private readonly tensors: ReadonlyMap<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {
    this.file = source.name;
  }

  tensorNames(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t)
      throw new CheckpointMissingError(
        'tensor',
        name,
        this.file,
        `${this.file} has no tensor named "${name}".`,
      );
    return t;
  }

  async readBytes(name: string): Promise<Uint8Array> {
    const t = this.info(name);
    return this.checkLength(
      t,
      await this.source.read(this.dataStart + t.dataOffsets[0], t.byteLength),
    );
  }

  get canReadSync(): boolean {
    return this.source.readSync !== undefined;
  }

  private readBytesSync(name: string): Uint8Array {
    const t = this.info(name);
    const { readSync } = this.source;
    if (!readSync)
      throw new Error(`${this.file} cannot be read synchronously here (see canReadSync).`);
    return this.checkLength(
      t,
      readSync.call(this.source, this.dataStart + t.dataOffsets[0], t.byteLength),
    );
  }

  private checkLength(t: TensorInfo, bytes: Uint8Array): Uint8Array {
    if (bytes.byteLength !== t.byteLength)
      throw new CheckpointFormatError(
        this.file,
        `reading tensor "${t.name}" returned ${bytes.byteLength} of its ${t.byteLength} bytes.`,
      );
    return bytes;
  }

  readSync(name: string): Float32Array {
    // The bytes are this read's own (ByteSource.readSync): F32 values may view them in place.
    return decodeValues(this.file, this.info(name), this.readBytesSync(name), Float32Array, true);
  }

  readFloat64Sync(name: string): Float64Array {
    return decodeValues(this.file, this.info(name), this.readBytesSync(name), Float64Array);
  }

  async read(name: string): Promise<Float32Array> {
    const t = this.info(name);
    const bytes = await this.readBytes(name);
    return decodeValues(this.file, t, bytes, Float32Array);
  }

  async readFloat64(name: string): Promise<Float64Array> {
    const t = this.info(name);
    const bytes = await this.readBytes(name);
    return decodeValues(this.file, t, bytes, Float64Array);
  }
}

/**
 * Decodes raw little-endian bytes of a float tensor into a new typed array; with `owned` (bytes
 * nobody else holds), F32 read as float32 is a view of the bytes when they are aligned.
 */
export function decodeValues<T extends Float32Array | Float64Array>(
  file: string,
  info: TensorInfo,
  bytes: Uint8Array,
  Out: { new (n: number): T },
  owned = false,
): T {
  const { dtype } = info;
  if (!isFloatDtype(dtype))
    throw new CheckpointFormatError(
      file,
      `tensor "${info.name}" has dtype ${dtype}; only F32, F16, BF16 and F64 tensors can be ` +
        'read as numbers.',
    );
  const n = bytes.byteLength / DTYPE_BYTES[dtype];
  if (
    owned &&
    dtype === 'F32' &&
    LITTLE_ENDIAN_HOST &&
    Out === (Float32Array as unknown) &&
    bytes.byteOffset % 4 === 0
  )
    return new Float32Array(bytes.buffer, bytes.byteOffset, n) as T;
  const out = new Out(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      if (LITTLE_ENDIAN_HOST && Out === (Float32Array as unknown)) {
        // One copy into aligned storage; the source offset may not be a multiple of 4.
        new Uint8Array(out.buffer).set(bytes);
      } else for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'F16': {
      const table = float16Table();
      for (let i = 0; i < n; i++) out[i] = table[view.getUint16(2 * i, true)];
      break;
    }
    case 'BF16':
      for (let i = 0; i < n; i++) out[i] = fromBFloat16Bits(view.getUint16(2 * i, true));
      break;
  }
  return out;
}

/** One tensor to write. `data` holds shape-product values in row-major order. */
export interface TensorToWrite {
  name: string;
  dtype: SafetensorsFloatDtype;
  shape: readonly number[];
  data: ArrayLike<number>;
}

function writeFail(problem: string): never {
  throw new CheckpointFormatError('safetensors writer', problem);
}

/**
 * Serialises tensors as a safetensors file. As the reference writer does, the header is padded
 * with spaces to a multiple of 8 bytes and tensors are laid out by decreasing element size
 * (then by name), so every tensor starts at a multiple of its own element size in the file.
 */
export function writeSafetensors(
  tensors: readonly TensorToWrite[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array<ArrayBuffer> {
  const names = new Set<string>();
  for (const t of tensors) {
    if (typeof t.name !== 'string' || t.name === '') writeFail('every tensor needs a name.');
    if (t.name === '__metadata__')
      writeFail('"__metadata__" is reserved and cannot name a tensor.');
    if (names.has(t.name)) writeFail(`the tensor name "${t.name}" is used twice.`);
    names.add(t.name);
    if (!isDtype(t.dtype) || !isFloatDtype(t.dtype))
      writeFail(
        `tensor "${t.name}" has dtype "${t.dtype}"; the writer supports F64, F32, F16, BF16.`,
      );
    let count = 1;
    for (const s of t.shape) {
      if (!Number.isSafeInteger(s) || s < 0)
        writeFail(
          `tensor "${t.name}" has shape [${t.shape.join(', ')}]; dimensions must be non-negative integers.`,
        );
      count *= s;
    }
    if (count !== t.data.length)
      writeFail(
        `tensor "${t.name}" has shape [${t.shape.join(', ')}] (${count} values) but ${t.data.length} values.`,
      );
  }
  if (metadata) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') writeFail(`metadata "${k}" must be a string.`);
  }

  const ordered = [...tensors].sort(
    (a, b) =>
      DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header['__metadata__'] = { ...metadata };
  let offset = 0;
  for (const t of ordered) {
    const length = t.data.length * DTYPE_BYTES[t.dtype];
    header[t.name] = {
      dtype: t.dtype,
      shape: [...t.shape],
      data_offsets: [offset, offset + length],
    };
    offset += length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + padded);

  let p = 8 + padded;
  for (const t of ordered) {
    const d = t.data;
    switch (t.dtype) {
      case 'F64':
        for (let i = 0; i < d.length; i++, p += 8) view.setFloat64(p, d[i], true);
        break;
      case 'F32':
        for (let i = 0; i < d.length; i++, p += 4) view.setFloat32(p, d[i], true);
        break;
      case 'F16':
        for (let i = 0; i < d.length; i++, p += 2) view.setUint16(p, toFloat16Bits(d[i]), true);
        break;
      case 'BF16':
        for (let i = 0; i < d.length; i++, p += 2) view.setUint16(p, toBFloat16Bits(d[i]), true);
        break;
    }
  }
  return out;
}
