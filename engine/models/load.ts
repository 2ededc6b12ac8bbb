/**
 * Loads Hugging Face checkpoints into the decoder families: config.json through roofline's one
 * parser (parseHfConfig), weights through engine/io's openCheckpoint (single file or shards),
 * every tensor checked against the config before anything is read, and slim checkpoints made
 * by `slim convert` (W_KV or W_VK stored in place of W_V or W_K, marked in config.json).
 *
 * Every problem is a ModelLoadError (or engine/io's CheckpointFormatError /
 * CheckpointMissingError) whose message names the file and says what is wrong.
 */
import { HfConfigError, parseHfConfig, type ParsedHfConfig } from '../../roofline';
import type { Backend } from '../backend';
import {
  isFloatDtype,
  openCheckpoint,
  type ByteSource,
  type Checkpoint,
  type CheckpointFiles,
} from '../io';
import { matmul64 } from '../linalg';
import type { DecoderModel, DecoderOptions, HostWeights, LayerDirection } from './decoder';
import { ModelLoadError } from './errors';
import {
  familyOfArchitecture,
  familyOfModelType,
  familyRow,
  supportedArchitectures,
  type FamilyConfig,
  type ModelFamily,
} from './families';
import { slimNoteOf, slimSchemeOf, type SlimScheme } from './gqa';
import type { AttentionLayout } from './layout';
import { checkSlimMarker } from './marker';
import { SharedUploads } from './sharedUploads';

export { ModelLoadError } from './errors';
export type { FamilyConfig, ModelFamily } from './families';

export const CONFIG_FILE = 'config.json';

/** The config.json field `slim convert` adds, and its format tag. */
export const SLIM_MARKER_FIELD = 'slim_attention';
export const SLIM_FORMAT = 'slim-attention/1';

/**
 * config.json's slim marker: per layer, 'k-cache' (the W_V slot holds W_KV = W_K⁻¹·W_V, paper §1)
 * or 'v-cache' (the W_K slot holds W_VK = W_V⁻¹·W_K, Appendix C), in the family's layout, float32.
 */
export interface SlimMarker {
  format: typeof SLIM_FORMAT;
  layers: LayerDirection[];
}

/** What config.json says about a model, checked against what this engine can run. */
export interface ModelSpec {
  family: ModelFamily;
  familyConfig: FamilyConfig;
  /** The cost model's view (roofline's parser). */
  parsed: ParsedHfConfig;
  layers: number;
  d: number;
  heads: number;
  /** Key/value heads h_kv: heads for MHA, fewer for grouped-query attention (1: MQA). */
  kvHeads: number;
  vocabSize: number;
  maxPositions: number;
  /** True for RoPE families: the V-cache direction is unavailable there (Appendix C). */
  rope: boolean;
  /** Canonical parameter names (no model prefix) and shapes. */
  shapes: [string, number[]][];
  layout: AttentionLayout;
  /** Present for a checkpoint written by `slim convert`. */
  slim?: SlimMarker;
  /**
   * The cache the slim side of this model runs: the K-cache (MHA, paper §1), or for GQA/MQA the
   * d-wide cache where it is smaller (c > 1) and else the X-cache (paper Appendix G).
   */
  slimScheme: SlimScheme;
  /** With the X-cache: the sentence saying why no slim scheme helps this model. */
  slimNote?: string;
  /** Approximations the engine makes for this checkpoint (printed by the CLI). */
  notes: string[];
  /** config.json as parsed JSON (the converter copies it). */
  json: Record<string, unknown>;
}

/** Parses config.json text into a ModelSpec, or throws ModelLoadError naming the file. */
export function readModelSpec(text: string, file = CONFIG_FILE): ModelSpec {
  let parsed: ParsedHfConfig;
  let json: Record<string, unknown>;
  try {
    parsed = parseHfConfig(text);
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof HfConfigError)
      throw new ModelLoadError(file, error.message.replace(/^(This )?config\.json /, ''));
    throw error;
  }
  const archs = Array.isArray(json['architectures']) ? json['architectures'] : [];
  const arch = archs.find((a): a is string => typeof a === 'string');
  const type = typeof json['model_type'] === 'string' ? json['model_type'] : undefined;
  const row = arch !== undefined ? familyOfArchitecture(arch) : type && familyOfModelType(type);
  if (row && arch !== undefined && type !== undefined && !row.modelTypes.some((t) => t === type))
    throw new ModelLoadError(
      file,
      `"architectures" names ${arch} (${row.label}, model_type ` +
        `${row.modelTypes.map((t) => `"${t}"`).join(' or ')}) but "model_type" is "${type}"; ` +
        'the two disagree, so the checkpoint is refused.',
    );
  if (!row || row.configLayout !== parsed.family)
    throw new ModelLoadError(
      file,
      `the architecture ${arch ?? `with model_type "${type ?? '(none)'}"`} is not supported; ` +
        `this engine loads ${supportedArchitectures()} checkpoints.`,
    );
  const family = row.id;
  const m = parsed.model;
  const rt = parsed.runtime;
  if (!rt) throw new ModelLoadError(file, `the ${family} config has no runtime fields.`);
  if (m.kvHeads !== m.heads && !row.groupedQuery)
    throw new ModelLoadError(
      file,
      `${family} checkpoints with num_key_value_heads are not supported.`,
    );
  if (m.headDim * m.heads !== m.d && m.kvHeads === m.heads)
    throw new ModelLoadError(
      file,
      `head_dim ${m.headDim} × ${m.heads} heads ≠ hidden size ${m.d}; MHA runs only with h·d_k = d (grouped-query models may differ).`,
    );
  const notes: string[] = [];
  const config = row.config({ model: m, runtime: rt, json, file, notes });
  const familyConfig = { family, config } as FamilyConfig;
  const spec: ModelSpec = {
    family,
    familyConfig,
    parsed,
    layers: m.layers,
    d: m.d,
    heads: m.heads,
    kvHeads: m.kvHeads,
    vocabSize: m.vocab as number,
    maxPositions: m.contextLength as number,
    rope: row.rope,
    shapes: row.shapes(config),
    layout: row.attentionLayout(config),
    notes,
    json,
    slimScheme: slimSchemeOf(m),
  };
  const slimNote = slimNoteOf(m);
  if (slimNote) spec.slimNote = slimNote;
  const marker = json[SLIM_MARKER_FIELD];
  if (marker !== undefined) spec.slim = readMarker(marker, spec, file);
  return spec;
}

function readMarker(marker: unknown, spec: ModelSpec, file: string): SlimMarker {
  const m = marker as Partial<SlimMarker> | null;
  if (typeof m !== 'object' || m === null || m.format !== SLIM_FORMAT || !Array.isArray(m.layers))
    throw new ModelLoadError(
      file,
      `"${SLIM_MARKER_FIELD}" must be {"format": "${SLIM_FORMAT}", "layers": [...]}, got ${JSON.stringify(marker)}.`,
    );
  if (spec.slimScheme !== 'k-cache')
    throw new ModelLoadError(
      file,
      `"${SLIM_MARKER_FIELD}" is set, but a grouped-query model has no W_KV to store (paper Appendix G).`,
    );
  if (m.layers.length !== spec.layers)
    throw new ModelLoadError(
      file,
      `"${SLIM_MARKER_FIELD}.layers" lists ${m.layers.length} layers, the model has ${spec.layers}.`,
    );
  for (const [i, d] of m.layers.entries()) {
    if (d !== 'k-cache' && d !== 'v-cache')
      throw new ModelLoadError(
        file,
        `"${SLIM_MARKER_FIELD}.layers[${i}]" must be "k-cache" or "v-cache", got ${JSON.stringify(d)}.`,
      );
    if (d === 'v-cache' && spec.rope)
      throw new ModelLoadError(
        file,
        `layer ${i} is marked "v-cache", which a RoPE model cannot run (paper Appendices C, D, G).`,
      );
  }
  return { format: SLIM_FORMAT, layers: [...m.layers] };
}

/** A checkpoint opened and checked against its config.json; nothing read yet but headers. */
export interface OpenedModel {
  spec: ModelSpec;
  checkpoint: Checkpoint;
  /** Canonical parameter name → the name stored in the checkpoint. */
  stored(name: string): string;
  /** The file (shard) holding a canonical parameter. */
  fileOf(name: string): string;
  /** The other files given (tokenizer files …), for the converter to copy. */
  files: CheckpointFiles;
}

async function textFile(files: CheckpointFiles, file: string): Promise<string> {
  const f = files.get(file);
  if (f === undefined) throw new ModelLoadError(file, 'the file is missing.');
  const bytes =
    f instanceof Uint8Array ? f : await (f as ByteSource).read(0, (f as ByteSource).size);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ModelLoadError(file, 'not valid UTF-8 text.');
  }
}

/**
 * Opens config.json and the weights (model.safetensors, or the shard index and its shards) and
 * checks that every tensor the family needs is there with the shape config.json implies.
 */
export async function openModel(files: CheckpointFiles, name = 'model'): Promise<OpenedModel> {
  const spec = readModelSpec(await textFile(files, CONFIG_FILE));
  const checkpoint = await openCheckpoint(files, name);
  checkSlimMarker(spec, checkpoint);
  const prefix = familyRow(spec.family).prefix;
  const [first] = spec.shapes[0];
  const usePrefix = checkpoint.has(prefix + first);
  const stored = (n: string) => {
    if (usePrefix && checkpoint.has(prefix + n)) return prefix + n;
    return n;
  };
  const where = checkpoint.files.join(', ');
  for (const [n, shape] of spec.shapes) {
    const s = stored(n);
    if (!checkpoint.has(s))
      throw new ModelLoadError(
        where,
        `has no tensor "${usePrefix ? prefix + n : n}", which a ${spec.family} checkpoint with this config.json needs.`,
      );
    const info = checkpoint.info(s);
    if (!isFloatDtype(info.dtype))
      throw new ModelLoadError(
        info.file,
        `tensor "${s}" has dtype ${info.dtype}; weights must be F32, F16, BF16 or F64.`,
      );
    if (info.shape.length !== shape.length || info.shape.some((v, i) => v !== shape[i]))
      throw new ModelLoadError(
        info.file,
        `tensor "${s}" has shape [${info.shape.join(', ')}] but config.json implies [${shape.join(', ')}].`,
      );
  }
  refuseUnaccounted(spec, checkpoint, stored, where);
  return { spec, checkpoint, stored, fileOf: (n) => checkpoint.info(stored(n)).file, files };
}

/**
 * Refuses tensors config.json does not account for (a config with fewer layers than the
 * weights, say), naming them; the family's non-parameter buffers are let through.
 */
function refuseUnaccounted(
  spec: ModelSpec,
  checkpoint: Checkpoint,
  stored: (name: string) => string,
  where: string,
): void {
  const row = familyRow(spec.family);
  const needed = new Set(spec.shapes.map(([n]) => stored(n)));
  const bare = (s: string) => (s.startsWith(row.prefix) ? s.slice(row.prefix.length) : s);
  const extra = checkpoint
    .tensorNames()
    .filter((s) => !needed.has(s) && !row.buffers.some((b) => b.test(bare(s))));
  if (extra.length === 0) return;
  const shown = extra.slice(0, 5).map((s) => `"${s}"`);
  throw new ModelLoadError(
    where,
    `holds ${extra.length} tensor${extra.length > 1 ? 's' : ''} config.json does not account ` +
      `for: ${shown.join(', ')}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''} ` +
      `(config.json gives ${spec.layers} layers of a ${row.label} model); refused rather than ` +
      'run with weights left out.',
  );
}

/**
 * Reads the named parameters (canonical names) into host memory: the attention tensors that
 * hold W_K and W_V as float64 (so a slim checkpoint's W_KV survives exactly), the rest float32.
 */
export async function readWeights(
  opened: OpenedModel,
  names?: readonly string[],
): Promise<HostWeights> {
  const { spec, checkpoint } = opened;
  const exact = new Set<string>();
  for (let i = 0; i < spec.layers; i++) for (const t of spec.layout.tensors(i)) exact.add(t);
  const shapes = new Map(spec.shapes);
  const out: HostWeights = new Map();
  for (const n of names ?? [...shapes.keys()]) {
    const shape = shapes.get(n);
    if (!shape) throw new ModelLoadError(CONFIG_FILE, `the model has no parameter "${n}".`);
    const s = opened.stored(n);
    const data = exact.has(n) ? await checkpoint.readFloat64(s) : await checkpoint.read(s);
    out.set(n, { shape: [...shape], data });
  }
  return out;
}

/**
 * Undoes `slim convert` for one layer in place: the W_V slot holds W_KV (k-cache) → W_V = W_K·W_KV;
 * the W_K slot holds W_VK (v-cache) → W_K = W_V·W_VK (float64). The attention layer then forms
 * W_KV (or W_VK) again from these, which gives back the stored matrix up to float64 rounding.
 */
export function restoreLayer(spec: ModelSpec, weights: HostWeights, layer: number): void {
  const direction = spec.slim?.layers[layer];
  if (!direction) return;
  const { wK, wV } = spec.layout.read(weights, layer);
  if (direction === 'k-cache') spec.layout.writeV(weights, layer, matmul64(wK, wV));
  else spec.layout.writeK(weights, layer, matmul64(wV, wK));
}

/** Any loaded decoder: prefill/decode/argmax/cacheBytes/reset/dispose (see DecoderModel). */
export type LoadedModel = DecoderModel & { readonly spec: ModelSpec };

/**
 * A checkpoint read into host memory once (a converted checkpoint's layers restored): `build`
 * makes a model of it on any backend with any scheme without reading the files again, so
 * standard and slim (engine/compare.ts) run the very same weights.
 */
export interface HostModel {
  spec: ModelSpec;
  weights: HostWeights;
  /**
   * A model on `backend`. With scheme 'k-cache' and no `directions`, a converted checkpoint
   * runs the directions stored in its marker, others the K-cache in every layer.
   */
  build(backend: Backend, options: DecoderOptions): LoadedModel;
}

/** Opens (if needed) and reads a checkpoint into a HostModel. */
export async function readModel(source: CheckpointFiles | OpenedModel): Promise<HostModel> {
  const opened = isOpened(source) ? source : await openModel(source);
  const { spec } = opened;
  const weights = await readWeights(opened);
  for (let i = 0; i < spec.layers; i++) restoreLayer(spec, weights, i);
  // One store per backend: the models built here share the weights they have in common.
  const stores = new WeakMap<Backend, SharedUploads>();
  const build = (backend: Backend, options: DecoderOptions): LoadedModel => {
    let shared = stores.get(backend);
    if (!shared) stores.set(backend, (shared = new SharedUploads(backend)));
    const opts: DecoderOptions = {
      shared,
      ...options,
      directions:
        options.directions ?? (options.scheme === 'k-cache' ? spec.slim?.layers : undefined),
    };
    const { family, config } = spec.familyConfig;
    const model = familyRow(family).build(backend, config, weights, opts);
    return Object.assign(model, { spec });
  };
  return { spec, weights, build };
}

/**
 * Builds a model of the checkpoint's family on `backend` (readModel, then build). With scheme
 * 'k-cache' and no `directions`, a converted checkpoint runs the directions stored in its
 * marker, others the K-cache in every layer.
 */
export async function loadModel(
  source: CheckpointFiles | OpenedModel,
  backend: Backend,
  options: DecoderOptions,
): Promise<LoadedModel> {
  return (await readModel(source)).build(backend, options);
}

function isOpened(s: CheckpointFiles | OpenedModel): s is OpenedModel {
  return 'spec' in s && 'checkpoint' in s;
}
