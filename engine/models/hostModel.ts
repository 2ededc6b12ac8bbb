/**
 * Models built from an opened checkpoint (load.ts openModel): the weights read into host memory
 * once (readModel), or read tensor by tensor as each model is built (streamModel), so that the
 * backend's copy is the only full copy of a large checkpoint. Either way the models built on one
 * backend share the weights they have in common (sharedUploads.ts).
 */
import type { Backend } from '../backend';
import type { CheckpointFiles } from '../io';
import { matmul64 } from '../linalg';
import type {
  DecoderModel,
  DecoderOptions,
  HostTensor,
  HostWeights,
  WeightLookup,
} from './decoder';
import { familyRow } from './families';
import {
  CONFIG_FILE,
  isOpened,
  ModelLoadError,
  openModel,
  type ModelSpec,
  type OpenedModel,
} from './load';
import { SharedUploads } from './sharedUploads';

/** The canonical parameter names holding W_K and W_V, by layer (read as float64). */
function attentionTensors(spec: ModelSpec): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < spec.layers; i++) for (const t of spec.layout.tensors(i)) out.set(t, i);
  return out;
}

function shapeOf(spec: ModelSpec, name: string): number[] {
  const shape = spec.shapes.find(([n]) => n === name)?.[1];
  if (!shape) throw new ModelLoadError(CONFIG_FILE, `the model has no parameter "${name}".`);
  return [...shape];
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
  const exact = attentionTensors(spec);
  const out: HostWeights = new Map();
  for (const n of names ?? spec.shapes.map(([name]) => name)) {
    const shape = shapeOf(spec, n);
    const s = opened.stored(n);
    const data = exact.has(n) ? await checkpoint.readFloat64(s) : await checkpoint.read(s);
    out.set(n, { shape, data });
  }
  return out;
}

/**
 * One layer's attention tensors, synchronously (the checkpoint's canReadSync must be true): as
 * float64 where float32 would not hold them exactly (stored F64) or where a converted layer is
 * restored in place (W_K·W_KV), else as stored in float32, which the model widens exactly (half
 * the memory of a float64 copy, and no second copy of the bytes read).
 */
function readLayerSync(opened: OpenedModel, layer: number): HostWeights {
  const { spec, checkpoint } = opened;
  const out: HostWeights = new Map();
  for (const n of spec.layout.tensors(layer)) {
    const s = opened.stored(n);
    const exact = spec.slim?.layers[layer] !== undefined || checkpoint.info(s).dtype === 'F64';
    const data = exact ? checkpoint.readFloat64Sync(s) : checkpoint.readSync(s);
    out.set(n, { shape: shapeOf(spec, n), data });
  }
  return out;
}

/**
 * Undoes `slim convert` for one layer in place: the W_V slot holds W_KV (k-cache) → W_V = W_K·W_KV;
 * the W_K slot holds W_VK (v-cache) → W_K = W_V·W_VK (float64). The attention layer then forms
 * W_KV (or W_VK) again from these, which gives back the stored matrix up to float64 rounding.
 */
export function restoreLayer(spec: ModelSpec, weights: WeightLookup, layer: number): void {
  const direction = spec.slim?.layers[layer];
  if (!direction) return;
  const { wK, wV } = spec.layout.read(weights, layer);
  if (direction === 'k-cache') spec.layout.writeV(weights, layer, matmul64(wK, wV));
  else spec.layout.writeK(weights, layer, matmul64(wV, wK));
}

/**
 * A checkpoint's weights read as a model asks for them: each `get` reads that tensor from the
 * checkpoint then (synchronously) and keeps nothing, so a model is built tensor by tensor, each
 * read, uploaded and let go, and host memory never holds more than about one tensor. Only the
 * tensors holding W_K and W_V of the layer being built stay (a converted checkpoint's restored),
 * since a family reads them more than once (W_Q and W_K/W_V from one fused tensor).
 */
class StreamedWeights implements WeightLookup {
  private readonly layerOf: Map<string, number>;
  private layer: { index: number; tensors: HostWeights } | undefined;

  constructor(private readonly opened: OpenedModel) {
    this.layerOf = attentionTensors(opened.spec);
  }

  get(name: string): HostTensor | undefined {
    const { spec, checkpoint } = this.opened;
    if (!spec.shapes.some(([n]) => n === name)) return undefined;
    const index = this.layerOf.get(name);
    if (index === undefined)
      return { shape: shapeOf(spec, name), data: checkpoint.readSync(this.opened.stored(name)) };
    if (this.layer?.index !== index) {
      // Let the last layer's tensors go before reading this one's.
      this.layer = undefined;
      const tensors = readLayerSync(this.opened, index);
      restoreLayer(spec, tensors, index);
      this.layer = { index, tensors };
    }
    return this.layer.tensors.get(name);
  }
}

/** Any loaded decoder: prefill/decode/argmax/cacheBytes/reset/dispose (see DecoderModel). */
export type LoadedModel = DecoderModel & { readonly spec: ModelSpec };

/**
 * A checkpoint ready to build models from, any number, on any backend with any scheme, so
 * standard and slim (engine/compare.ts) run the very same weights: read into host memory once
 * (readModel; a converted checkpoint's layers restored), or read tensor by tensor as each model
 * is built (streamModel).
 */
export interface HostModel<W extends WeightLookup = HostWeights> {
  spec: ModelSpec;
  weights: W;
  /** True when the weights are read tensor by tensor as models are built (streamModel). */
  streamed: boolean;
  /**
   * A model on `backend`. With scheme 'k-cache' and no `directions`, a converted checkpoint
   * runs the directions stored in its marker, others the K-cache in every layer. The models
   * built on one backend share the weights they have in common (uploaded once).
   */
  build(backend: Backend, options: DecoderOptions): LoadedModel;
}

function hostModel<W extends WeightLookup>(
  spec: ModelSpec,
  weights: W,
  streamed: boolean,
): HostModel<W> {
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
  return { spec, weights, streamed, build };
}

/** Opens (if needed) and reads a checkpoint into a HostModel. */
export async function readModel(source: CheckpointFiles | OpenedModel): Promise<HostModel> {
  const opened = isOpened(source) ? source : await openModel(source);
  const { spec } = opened;
  const weights = await readWeights(opened);
  for (let i = 0; i < spec.layers; i++) restoreLayer(spec, weights, i);
  return hostModel(spec, weights, false);
}

/**
 * Opens (if needed) a checkpoint to build models from tensor by tensor, without reading it into
 * memory first: each model reads each tensor as it uploads it (a tensor another model on the
 * same backend uploaded already is not read again), so a backend that holds the weights is the
 * only full copy. Needs files that read synchronously (in memory, a Blob in a worker, a file in
 * Node); elsewhere (a Blob on a page) it reads the checkpoint first, as readModel does.
 */
export async function streamModel(
  source: CheckpointFiles | OpenedModel,
): Promise<HostModel<WeightLookup>> {
  const opened = isOpened(source) ? source : await openModel(source);
  if (!opened.checkpoint.canReadSync) return readModel(opened);
  return hostModel(opened.spec, new StreamedWeights(opened), true);
}

/**
 * Builds a model of the checkpoint's family on `backend` (streamModel, then build). With scheme
 * 'k-cache' and no `directions`, a converted checkpoint runs the directions stored in its
 * marker, others the K-cache in every layer.
 */
export async function loadModel(
  source: CheckpointFiles | OpenedModel,
  backend: Backend,
  options: DecoderOptions,
): Promise<LoadedModel> {
  return (await streamModel(source)).build(backend, options);
}
