/**
 * A checkpoint over one or several safetensors files. Single-file checkpoints are
 * `model.safetensors`; sharded ones have `model.safetensors.index.json`
 * ({metadata: {total_size}, weight_map: {tensor: shard}}) and one file per shard. Opening reads
 * only the headers; `read(name)` reads only that tensor's bytes from its shard.
 */
import { bufferSource, type ByteSource } from './bytes';
import { CheckpointFormatError, CheckpointMissingError } from './errors';
import { checkSize } from './limits';
import { openSafetensors, type SafetensorsDtype, type SafetensorsFile } from './safetensors';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export interface CheckpointTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly byteLength: number;
  /** The file (shard) that holds it. */
  readonly file: string;
}

export interface Checkpoint {
  /** The files it reads from: one name, or the shards in index order. */
  readonly files: readonly string[];
  /** "__metadata__" of the (first) safetensors file. */
  readonly metadata: Readonly<Record<string, string>>;
  /** "__metadata__" of each file (shard), by file name. */
  metadataOf(file: string): Readonly<Record<string, string>>;
  /** Sum of tensor bytes over all files. */
  readonly totalBytes: number;
  tensorNames(): string[];
  has(name: string): boolean;
  info(name: string): CheckpointTensorInfo;
  read(name: string): Promise<Float32Array>;
  readFloat64(name: string): Promise<Float64Array>;
  /**
   * True when every file reads synchronously (ByteSource.readSync: memory, a Blob in a worker,
   * a file in Node), so `readSync` and `readFloat64Sync` work: a model can then be built
   * tensor by tensor (engine/models streamModel).
   */
  readonly canReadSync: boolean;
  /** `read`, synchronously (needs canReadSync). */
  readSync(name: string): Float32Array;
  /** `readFloat64`, synchronously (needs canReadSync). */
  readFloat64Sync(name: string): Float64Array;
}

/** A parsed shard index. */
export interface ShardIndex {
  totalSize: number | undefined;
  /** tensor name → shard file name */
  weightMap: ReadonlyMap<string, string>;
  /** Distinct shard names, in order of first mention. */
  shards: string[];
}

/** Parses and validates `model.safetensors.index.json` text. */
export function parseShardIndex(text: string, file = INDEX_FILE): ShardIndex {
  const fail = (problem: string): never => {
    throw new CheckpointFormatError(file, problem);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return fail('the index must be a JSON object.');
  const root = json as Record<string, unknown>;
  const map = root['weight_map'];
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    return fail('the index has no "weight_map" object.');
  let totalSize: number | undefined;
  const meta = root['metadata'];
  if (meta !== undefined && meta !== null) {
    if (typeof meta !== 'object' || Array.isArray(meta)) fail('"metadata" must be an object.');
    const t = (meta as Record<string, unknown>)['total_size'];
    if (t !== undefined) {
      if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0)
        fail(`"metadata.total_size" must be a non-negative integer, not ${JSON.stringify(t)}.`);
      totalSize = t as number;
    }
  }
  const weightMap = new Map<string, string>();
  const shards: string[] = [];
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard === '')
      fail(`"weight_map" entry "${tensor}" must name a shard file, not ${JSON.stringify(shard)}.`);
    const s = shard as string;
    if (s.includes('/') || s.includes('\\') || s === '.' || s === '..')
      fail(`"weight_map" entry "${tensor}" names "${s}"; shards must be plain file names.`);
    weightMap.set(tensor, s);
    if (!shards.includes(s)) shards.push(s);
  }
  if (weightMap.size === 0) fail('"weight_map" is empty: the index lists no tensors.');
  return { totalSize, weightMap, shards };
}

/** Files of a checkpoint: a name → source (or bytes) map, e.g. the result of a Hub download. */
export type CheckpointFiles = ReadonlyMap<string, ByteSource | Uint8Array>;

function sourceOf(files: CheckpointFiles, name: string): ByteSource | undefined {
  const f = files.get(name);
  if (f === undefined) return undefined;
  return f instanceof Uint8Array ? bufferSource(f, name) : f;
}

async function textOf(source: ByteSource): Promise<string> {
  checkSize(source.name, source.size);
  const bytes = await source.read(0, source.size);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CheckpointFormatError(source.name, 'not valid UTF-8 text.');
  }
}

/**
 * Opens a checkpoint from its files: the shard index when present, else `model.safetensors`,
 * else the only `*.safetensors` file. `name` (e.g. the repo id) is used in messages.
 */
export async function openCheckpoint(
  files: CheckpointFiles,
  name = 'checkpoint',
): Promise<Checkpoint> {
  const index = sourceOf(files, INDEX_FILE);
  if (index) return openSharded(parseShardIndex(await textOf(index), INDEX_FILE), files);
  let single = sourceOf(files, SINGLE_FILE);
  if (!single) {
    const candidates = [...files.keys()].filter((f) => f.endsWith('.safetensors'));
    if (candidates.length === 1) single = sourceOf(files, candidates[0]);
    else if (candidates.length > 1)
      throw new CheckpointMissingError(
        'shard',
        INDEX_FILE,
        name,
        `${name} has ${candidates.length} .safetensors files (${candidates.join(', ')}) but no ` +
          `${INDEX_FILE} saying which tensor is in which.`,
      );
  }
  if (!single)
    throw new CheckpointMissingError(
      'weights',
      name,
      name,
      `${name} has no weights: neither ${SINGLE_FILE} nor ${INDEX_FILE} is among its files.`,
    );
  const st = await openSafetensors(single);
  return new FileCheckpoint([st], new Map(st.tensorNames().map((t) => [t, st])));
}

async function openSharded(index: ShardIndex, files: CheckpointFiles): Promise<Checkpoint> {
  const opened = new Map<string, SafetensorsFile>();
  for (const shard of index.shards) {
    const source = sourceOf(files, shard);
    if (!source) {
      const example = [...index.weightMap].find(([, s]) => s === shard)?.[0];
      throw new CheckpointMissingError(
        'shard',
        shard,
        INDEX_FILE,
        `${INDEX_FILE} puts tensors (e.g. "${example}") in the shard ${shard}, but that file ` +
          'is missing.',
      );
    }
    opened.set(shard, await openSafetensors(source));
  }
  const owner = new Map<string, SafetensorsFile>();
  for (const [tensor, shard] of index.weightMap) {
    const st = opened.get(shard) as SafetensorsFile;
    if (!st.has(tensor))
      throw new CheckpointMissingError(
        'tensor',
        tensor,
        shard,
        `${INDEX_FILE} says tensor "${tensor}" is in ${shard}, but that shard has no such tensor.`,
      );
    owner.set(tensor, st);
  }
  for (const st of opened.values())
    for (const tensor of st.tensorNames())
      if (!owner.has(tensor))
        throw new CheckpointFormatError(
          st.file,
          `holds tensor "${tensor}", which ${INDEX_FILE} does not list.`,
        );
  return new FileCheckpoint([...opened.values()], owner);
}

/** "row 3, column 7" for a matrix, "index 21" otherwise. */
function position(shape: readonly number[], i: number): string {
  return shape.length === 2
    ? `row ${Math.floor(i / shape[1])}, column ${i % shape[1]}`
    : `index ${i}`;
}

/**
 * A checkpoint's tensors are weights: NaN or ±∞ anywhere is refused here, naming the file, the
 * tensor, where the first one sits and how many there are (an engine op would only say
 * "contains NaN at row 1000").
 */
function checkWeights<T extends Float32Array | Float64Array>(
  file: string,
  info: { name: string; shape: readonly number[] },
  values: T,
): T {
  let first = -1;
  let count = 0;
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i])) {
      if (first < 0) first = i;
      count++;
    }
  if (first >= 0)
    throw new CheckpointFormatError(
      file,
      `tensor "${info.name}" holds ${values[first]} at ${position(info.shape, first)}` +
        `${count > 1 ? ` (${count} values that are not finite in all)` : ''}; weights must be ` +
        'finite numbers.',
    );
  return values;
}

/** Smallest positive normal float32, 2^-126 ≈ 1.18e-38. */
const FLOAT32_MIN_NORMAL = 2 ** -126;

/**
 * F64 values read as float32 must fit: beyond ±3.4e38 they would become ±∞, and nonzero values
 * below 2^-126 would become 0 or lose their precision as subnormals, silently. Both are refused,
 * naming the tensor and counting the values.
 */
function checkFloat32Range(
  file: string,
  info: { name: string; shape: readonly number[] },
  values: Float64Array,
): void {
  let over = 0;
  let zero = 0;
  let subnormal = 0;
  let first = -1;
  let extreme = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const a = Math.abs(x);
    if (x === 0 || (a >= FLOAT32_MIN_NORMAL && Number.isFinite(Math.fround(x)))) continue;
    if (first < 0) first = i;
    if (!Number.isFinite(Math.fround(x))) {
      over++;
      extreme = Math.max(extreme, a);
    } else if (Math.fround(x) === 0) zero++;
    else subnormal++;
  }
  if (over > 0)
    throw new CheckpointFormatError(
      file,
      `tensor "${info.name}" is F64 and holds ${over} value${over > 1 ? 's' : ''} beyond ` +
        `float32's range (largest |x| = ${extreme.toExponential(2)}, first at ` +
        `${position(info.shape, first)}), which the engine's float32 weights cannot hold.`,
    );
  if (zero + subnormal > 0) {
    let smallest = Infinity;
    for (const x of values) if (x !== 0) smallest = Math.min(smallest, Math.abs(x));
    throw new CheckpointFormatError(
      file,
      `tensor "${info.name}" is F64 and holds ${zero + subnormal} nonzero value` +
        `${zero + subnormal > 1 ? 's' : ''} below float32's normal range (smallest |x| = ` +
        `${smallest.toExponential(2)}, first at ${position(info.shape, first)}): ${zero} would ` +
        `become 0 and ${subnormal} would lose precision as float32 subnormals. Store them as 0 ` +
        'or rescale the tensor.',
    );
  }
}

/** F64 → float32: refuses values float32 cannot hold rather than round them to ±∞ or 0. */
function float32Of(
  file: string,
  info: { name: string; shape: readonly number[] },
  values: Float64Array,
): Float32Array {
  checkWeights(file, info, values);
  checkFloat32Range(file, info, values);
  return Float32Array.from(values);
}

class FileCheckpoint implements Checkpoint {
  readonly files: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly totalBytes: number;
  private readonly byFile: ReadonlyMap<string, SafetensorsFile>;
  constructor(
    files: readonly SafetensorsFile[],
    private readonly owner: ReadonlyMap<string, SafetensorsFile>,
  ) {
    this.files = files.map((f) => f.file);
    this.byFile = new Map(files.map((f) => [f.file, f]));
    this.metadata = files[0]?.metadata ?? {};
    let total = 0;
    for (const [name, st] of owner) total += st.info(name).byteLength;
    this.totalBytes = total;
  }

  metadataOf(file: string): Readonly<Record<string, string>> {
    const st = this.byFile.get(file);
    if (!st)
      throw new CheckpointMissingError(
        'shard',
        file,
        this.files.join(', '),
        `The checkpoint (${this.files.join(', ')}) has no file named "${file}".`,
      );
    return st.metadata;
  }

  tensorNames(): string[] {
    return [...this.owner.keys()];
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  private file(name: string): SafetensorsFile {
    const st = this.owner.get(name);
    if (!st)
      throw new CheckpointMissingError(
        'tensor',
        name,
        this.files.join(', '),
        `The checkpoint (${this.files.join(', ')}) has no tensor named "${name}".`,
      );
    return st;
  }

  info(name: string): CheckpointTensorInfo {
    const st = this.file(name);
    const { dtype, shape, byteLength } = st.info(name);
    return { name, dtype, shape, byteLength, file: st.file };
  }

  get canReadSync(): boolean {
    return [...this.byFile.values()].every((f) => f.canReadSync);
  }

  async read(name: string): Promise<Float32Array> {
    const st = this.file(name);
    const info = st.info(name);
    if (info.dtype !== 'F64') return checkWeights(st.file, info, await st.read(name));
    return float32Of(st.file, info, await st.readFloat64(name));
  }

  async readFloat64(name: string): Promise<Float64Array> {
    const st = this.file(name);
    return checkWeights(st.file, st.info(name), await st.readFloat64(name));
  }

  readSync(name: string): Float32Array {
    const st = this.file(name);
    const info = st.info(name);
    if (info.dtype !== 'F64') return checkWeights(st.file, info, st.readSync(name));
    return float32Of(st.file, info, st.readFloat64Sync(name));
  }

  readFloat64Sync(name: string): Float64Array {
    const st = this.file(name);
    return checkWeights(st.file, st.info(name), st.readFloat64Sync(name));
  }
}
