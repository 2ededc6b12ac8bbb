import { constants } from 'node:fs';
import { copyFile, open, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formWkv,
  formWvk,
  markerMetadata,
  METADATA_FORMAT_KEY,
  METADATA_LAYERS_KEY,
  nothingToConvert,
  readWeights,
  SLIM_FORMAT,
  SLIM_MARKER_FIELD,
  type HostWeights,
  type LayerDirection,
  type OpenedModel,
} from '../../engine';
import { requireString } from '../args';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from '../errors';
import { formatBytes } from '../format';
import { isModelFile, systemErrorText } from '../../engine/io/node';
import {
  checkTokenizerFiles,
  familiesHelp,
  isInputError,
  kvTensorsHelp,
  openModelDir,
  withInputErrors,
} from '../model';
import { checkOutput, createTemporary, discard, outputError, publish } from '../outputDir';
import { slimDirections } from './run';
import { printJson, stringValue, type Command } from './types';

const WEIGHT_FILES = /\.safetensors$|^model\.safetensors\.index\.json$/;

interface OutputTensor {
  /** Name as stored (with the model prefix, if the input had one). */
  stored: string;
  shape: readonly number[];
}

/**
 * Writes one safetensors file tensor by tensor: the header first (every tensor F32, data in
 * the header's order, no gaps, header padded with spaces to 8 bytes as engine/io writes it),
 * then each tensor's bytes as `produce` returns them. Only one tensor is held at a time.
 */
async function writeStreamed(
  path: string,
  tensors: readonly OutputTensor[],
  produce: (stored: string) => Promise<Float32Array>,
  metadata: Readonly<Record<string, string>>,
): Promise<number> {
  const ordered = [...tensors].sort((a, b) => (a.stored < b.stored ? -1 : 1));
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...metadata } };
  let offset = 0;
  for (const t of ordered) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * 4;
    header[t.stored] = {
      dtype: 'F32',
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20, 8 + json.byteLength);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  const handle = await open(path, 'wx');
  try {
    await handle.write(head);
    for (const t of ordered) {
      const values = await produce(t.stored);
      const count = t.shape.reduce((a, b) => a * b, 1);
      if (values.length !== count)
        throw new Error(`convert: ${t.stored} produced ${values.length} values, expected ${count}`);
      await handle.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
  } finally {
    await handle.close();
  }
  return head.byteLength + offset;
}

/**
 * The slim tensors of one layer: W_KV = W_K⁻¹·W_V written where W_V was (k-cache) or
 * W_VK = W_V⁻¹·W_K where W_K was (v-cache), in the family's layout, formed in float64.
 */
async function slimLayer(
  opened: OpenedModel,
  layer: number,
  direction: LayerDirection,
): Promise<HostWeights> {
  const { layout } = opened.spec;
  const weights = await readWeights(opened, layout.tensors(layer));
  const { wK, wV } = layout.read(weights, layer);
  const label = `layer ${layer}`;
  if (direction === 'k-cache') layout.writeV(weights, layer, formWkv(wK, wV, { label }));
  else layout.writeK(weights, layer, formWvk(wK, wV, { label }));
  return weights;
}

export interface ConvertResult {
  out: string;
  directions: LayerDirection[];
  files: { name: string; bytes: number }[];
  /** Largest input weight file, bytes. */
  largestInputShard: number;
  /** Non-float tensors of the input (buffers such as masks) left out. */
  skipped?: string[];
  /** Files besides the model's own that could not be read, so were not copied. */
  notCopied?: { name: string; error: string }[];
}

/** A checkpoint with nothing to convert (grouped-query attention): exit 1 with the reason. */
export class NothingToConvertError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToConvertError';
  }
}

/** Output shards keep their input names: plain file names ending in .safetensors only. */
function checkShardNames(dir: string, files: readonly string[]): void {
  for (const file of files)
    if (
      !/^[^/\\]+\.safetensors$/.test(file) ||
      [...file].some((c) => c.charCodeAt(0) < 0x20) ||
      file.startsWith('.') ||
      file.length > 255
    )
      throw new CliUsageError(
        `${dir}: the weight file "${file}" (named in model.safetensors.index.json) cannot be ` +
          'written under that name; shards must be plain file names ending in .safetensors ' +
          '(no folders, no leading dot), so they never collide with config.json or the ' +
          'tokenizer files',
      );
}

/**
 * Converts the checkpoint in `dir` into `out`, one shard and one layer in memory at a time. The
 * output is written into a temporary folder beside `out` and renamed into place at the end;
 * on any failure the temporary folder is removed and `out` is left as it was.
 */
export async function convertModel(
  dir: string,
  out: string,
  onShard?: (file: string, done: number, total: number) => void,
): Promise<ConvertResult> {
  const prepared = await checkOutput(out);
  const opened = await openModelDir(dir);
  const { spec, checkpoint } = opened;
  if (spec.slim)
    throw new CliUsageError(`${dir} is already a slim checkpoint ("${SLIM_MARKER_FIELD}" is set)`);
  checkShardNames(dir, checkpoint.files);
  await checkTokenizerFiles(dir, opened);
  const gqa = nothingToConvert(spec.parsed.model);
  if (gqa) throw new NothingToConvertError(`${dir}: ${gqa}`);
  const directions = await slimDirections(opened, dir);
  const temp = await createTemporary(out, prepared);
  try {
    const result = await writeAll(opened, dir, temp, directions, onShard);
    await publish(out, temp, prepared);
    return { ...result, out };
  } catch (error) {
    await discard(temp);
    if (error instanceof CliUsageError || isInputError(error)) throw error;
    if (typeof (error as NodeJS.ErrnoException).code === 'string')
      throw outputError(out, 'writing the converted checkpoint failed; nothing was left', error);
    throw error;
  }
}

async function writeAll(
  opened: OpenedModel,
  dir: string,
  temp: string,
  directions: LayerDirection[],
  onShard?: (file: string, done: number, total: number) => void,
): Promise<Omit<ConvertResult, 'out'>> {
  const { spec, checkpoint } = opened;
  // Canonical names, their layer (for the attention tensors), and the stored names.
  const canonical = new Map<string, string>();
  for (const [name] of spec.shapes) canonical.set(opened.stored(name), name);
  const layerOf = new Map<string, number>();
  for (let i = 0; i < spec.layers; i++) for (const t of spec.layout.tensors(i)) layerOf.set(t, i);

  let current: { layer: number; weights: HostWeights } | undefined;
  const produce = async (stored: string): Promise<Float32Array> => {
    const name = canonical.get(stored);
    const layer = name === undefined ? undefined : layerOf.get(name);
    if (name === undefined || layer === undefined) return checkpoint.read(stored);
    if (current?.layer !== layer)
      current = { layer, weights: await slimLayer(opened, layer, directions[layer]) };
    return Float32Array.from((current.weights.get(name) as { data: Float64Array }).data);
  };

  const marker = { format: SLIM_FORMAT, layers: directions };
  const metadata = markerMetadata(marker);
  const files: { name: string; bytes: number }[] = [];
  const weightMap: Record<string, string> = {};
  let largestInputShard = 0;
  const skipped: string[] = [];
  for (const [index, file] of checkpoint.files.entries()) {
    largestInputShard = Math.max(largestInputShard, sizeOf(opened, file));
    const tensors: OutputTensor[] = [];
    for (const stored of checkpoint.tensorNames()) {
      const info = checkpoint.info(stored);
      if (info.file !== file) continue;
      if (!['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) {
        skipped.push(stored);
        continue;
      }
      tensors.push({ stored, shape: info.shape });
      weightMap[stored] = file;
    }
    const bytes = await withInputErrors(dir, () =>
      writeStreamed(join(temp, file), tensors, produce, metadata),
    );
    files.push({ name: file, bytes });
    onShard?.(file, index + 1, checkpoint.files.length);
  }
  if (checkpoint.files.length > 1 || opened.files.has('model.safetensors.index.json')) {
    const totalSize = files.reduce((s, f) => s + f.bytes, 0);
    const index = JSON.stringify(
      { metadata: { total_size: totalSize }, weight_map: weightMap },
      null,
      2,
    );
    await writeFile(join(temp, 'model.safetensors.index.json'), index, { flag: 'wx' });
    files.push({ name: 'model.safetensors.index.json', bytes: Buffer.byteLength(index) });
  }
  const notCopied: { name: string; error: string }[] = [];
  for (const name of [...opened.files.keys()].sort()) {
    if (name === 'config.json' || WEIGHT_FILES.test(name)) continue;
    try {
      await copyFile(join(dir, name), join(temp, name), constants.COPYFILE_EXCL);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // The source could not be read: a tokenizer file is needed, anything else is left out.
      const sourceFault = code === 'ENOENT' || code === 'EACCES' || code === 'ELOOP';
      if (!sourceFault) throw error;
      if (isModelFile(name))
        throw new CliUsageError(`${dir}: ${name} cannot be read (${systemErrorText(error)})`);
      notCopied.push({ name, error: systemErrorText(error) });
      continue;
    }
    files.push({ name, bytes: (await stat(join(temp, name))).size });
  }
  // config.json last: a folder left by an interrupted run has none, so nothing loads it.
  const config = { ...spec.json, torch_dtype: 'float32', [SLIM_MARKER_FIELD]: marker };
  const configText = `${JSON.stringify(config, null, 2)}\n`;
  await writeFile(join(temp, 'config.json'), configText, { flag: 'wx' });
  files.push({ name: 'config.json', bytes: Buffer.byteLength(configText) });
  return {
    directions,
    files,
    largestInputShard,
    ...(skipped.length ? { skipped } : {}),
    ...(notCopied.length ? { notCopied } : {}),
  };
}

function sizeOf(opened: OpenedModel, file: string): number {
  const f = opened.files.get(file);
  return f instanceof Uint8Array ? f.byteLength : (f?.size ?? 0);
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'write a slim checkpoint (W_KV or W_VK in place of W_V or W_K) that run loads',
  help: `Usage: slim convert --model DIR --out DIR [--json]

Writes a slim checkpoint of the model in DIR to the new directory --out: per layer, the
direction 'slim check' picks; a K-cache layer stores W_KV = W_K⁻¹·W_V in the place of W_V
(V = K·W_KV, paper §1), a V-cache layer stores W_VK = W_V⁻¹·W_K in the place of W_K
(Appendix C), formed in float64 and written as float32 in the family's own layout:
${kvTensorsHelp()}
Every tensor is written as F32; config.json gains the marker

  "${SLIM_MARKER_FIELD}": {"format": "${SLIM_FORMAT}", "layers": ["k-cache", …]}

and every weight file's "__metadata__" the same marker as strings
("${METADATA_FORMAT_KEY}", "${METADATA_LAYERS_KEY}": "k-cache,…"); 'slim run' and the engine's
loadModel refuse a checkpoint whose config.json and weights disagree. Tokenizer and other files are copied.

It streams: one output shard is written at a time, tensor by tensor, and only one layer's
attention projections are held at once, so memory stays far below the largest shard.

Options:
  --model DIR   the model directory (single file or sharded)
  --out DIR     a new (or empty) directory for the slim checkpoint; its parent must exist.
                It is written as a temporary folder beside it and renamed at the end, so
                an interrupted conversion leaves no folder that loads
  --json        print one JSON document: {out, directions: [per layer], files: [{name, bytes}],
                largestInputShard}
  -h, --help    show this help

${familiesHelp()}
Example: slim convert --model public/models/moby-gpt2 --out moby-gpt2-slim
`,
  options: { model: { type: 'string' }, out: { type: 'string' } },
  async run(values, { io, json }) {
    const dir = requireString(stringValue(values, 'model'), 'model', 'a model directory');
    const out = requireString(stringValue(values, 'out'), 'out', 'a new directory');
    let result: ConvertResult;
    try {
      result = await convertModel(dir, out, (file, done, total) => {
        if (!json) io.stderr(`wrote ${file} (${done}/${total})\n`);
      });
    } catch (error) {
      if (!(error instanceof NothingToConvertError)) throw error;
      io.stderr(`slim convert: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    if (json) {
      printJson(io, result);
      return EXIT_OK;
    }
    for (const f of result.notCopied ?? [])
      io.stderr(`slim convert: note: ${f.name} was not copied (${f.error})\n`);
    const k = result.directions.filter((d) => d === 'k-cache').length;
    io.stdout(
      `slim checkpoint written to ${out}: ${k} K-cache layers, ${result.directions.length - k} V-cache layers\n` +
        result.files.map((f) => `  ${f.name}  ${formatBytes(f.bytes)}`).join('\n') +
        '\n',
    );
    return EXIT_OK;
  },
};
