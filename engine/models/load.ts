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
import {
  isFloatDtype,
  openCheckpoint,
  type ByteSource,
  type Checkpoint,
  type CheckpointFiles,
} from '../io';
import type { LayerDirection } from './decoder';
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

export function isOpened(s: CheckpointFiles | OpenedModel): s is OpenedModel {
  return 'spec' in s && 'checkpoint' in s;
}
