/**
 * The Playground's worker: loads a checkpoint (a default model, a Hub repo, or local files),
 * generates with the standard KV-cache and the slim K-cache side by side, and runs the per-layer
 * check, so the page never freezes. The page talks to it through comlink.
 */
import * as Comlink from 'comlink';
import {
  HubClient,
  blobSource,
  downloadModel,
  limitSizes,
  loadTokenizer,
  openModel,
  planFromReport,
  precisionReport,
  readModelSpec,
  type ByteSource,
  type DownloadProgress,
  type LayerPrecision,
} from '../engine';
import {
  runGeneration,
  type GenerateOptions,
  type GenerateResult,
  type GenerateStart,
  type GenerateUpdate,
  type Loaded,
} from './generation';
import { cacheSchemeLabels } from '../roofline';
import { fetchDefaultModel, type DefaultModel } from '../components/defaultModels';
import { modelInfo, type ModelInfo } from './modelInfo';

export type { ModelInfo };

export type ModelSource =
  /** `base`: the absolute URL of the models folder (…/models/). */
  | { kind: 'default'; name: DefaultModel; base: string }
  | { kind: 'hub'; endpoint: string; repo: string; revision: string }
  | { kind: 'files'; files: File[] };

export interface LoadProgress extends DownloadProgress {
  /** Place of this file in the download, and how many files are known so far. */
  fileIndex: number;
  knownFiles: number;
}

export type { GenerateOptions, GenerateResult, GenerateStart, GenerateUpdate };

let loaded: (Loaded & { info: ModelInfo }) | undefined;
let download: AbortController | undefined;
let stopRequested = false;
const hubClients = new Map<string, HubClient>();

/** One client per Hub address, so a retry after a broken transfer resumes it. */
function hubClient(endpoint: string): HubClient {
  let c = hubClients.get(endpoint);
  if (!c) hubClients.set(endpoint, (c = new HubClient({ endpoint })));
  return c;
}

/**
 * Local files by their names; a single weights file with another name counts as
 * model.safetensors (the checkpoint loader names it in its messages).
 */
function localFiles(files: File[]): Map<string, ByteSource> {
  const map = new Map<string, ByteSource>();
  for (const f of files) map.set(f.name, blobSource(f, f.name));
  const weights = files.filter((f) => f.name.endsWith('.safetensors'));
  if (
    !map.has('model.safetensors') &&
    !map.has('model.safetensors.index.json') &&
    weights.length === 1
  )
    map.set('model.safetensors', blobSource(weights[0], weights[0].name));
  if (!map.has('config.json'))
    throw new Error(
      `No config.json among the files given (${files.map((f) => f.name).join(', ') || 'none'}): ` +
        'a model needs config.json and model.safetensors, and tokenizer.json to type a prompt.',
    );
  return map;
}

async function sleep0(): Promise<void> {
  // Lets the worker's message queue run (the page's Stop) between steps, also on the CPU,
  // whose reads resolve without ever leaving the microtask queue. A message task, not
  // setTimeout(0), which browsers clamp to 4 ms once nested.
  await new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

const api = {
  async load(source: ModelSource, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo> {
    loaded = undefined;
    let files: Map<string, ByteSource | Uint8Array>;
    let name: string;
    let fromCache = false;
    if (source.kind === 'default') {
      files = await fetchDefaultModel(source.name, source.base);
      name = source.name;
    } else if (source.kind === 'hub') {
      download?.abort();
      const controller = new AbortController();
      download = controller;
      let fileIndex = 0;
      let knownFiles = 0;
      let allCached = true;
      try {
        const got = await downloadModel(hubClient(source.endpoint), source.repo, source.revision, {
          signal: controller.signal,
          // Refuse what the engine cannot run from config.json alone, before any weight byte.
          checkConfig: (text) => void readModelSpec(text),
          onFile: (_file, index, known) => {
            fileIndex = index;
            knownFiles = known;
          },
          onProgress: (p) => {
            if (p.done && !p.fromCache) allCached = false;
            onProgress?.({ ...p, fileIndex, knownFiles });
          },
        });
        files = got.files;
        fromCache = allCached;
      } finally {
        if (download === controller) download = undefined;
      }
      name = `${source.repo}@${source.revision}`;
    } else {
      // Files from the visitor's disk: an oversized config.json or tokenizer is refused unread.
      files = limitSizes(localFiles(source.files));
      name = source.files.find((f) => f.name.endsWith('.safetensors'))?.name ?? 'local files';
    }
    const opened = await openModel(files, name);
    const tokenizer = await loadTokenizer(files);
    const { spec } = opened;
    const info = modelInfo(spec, { name, tokenizer: tokenizer?.source, fromCache });
    loaded = { info, name, parameters: info.parameters, opened, tokenizer };
    return info;
  },

  /** Cancels a Hub download in progress (its load() then rejects with the Hub's message). */
  cancelDownload(): void {
    download?.abort();
  },

  /** Asks a running generate() to end after its current step. */
  stop(): void {
    stopRequested = true;
  },

  async generate(
    o: GenerateOptions,
    // Awaited: through comlink each call resolves once the page has run it, so every step
    // reaches the page before the result does (callbacks travel on their own port).
    onStart: (s: GenerateStart) => void | Promise<void>,
    onStep: (u: GenerateUpdate) => void | Promise<void>,
  ): Promise<GenerateResult> {
    stopRequested = false;
    const m = loaded;
    if (!m) throw new Error('No model is loaded yet: pick one and press Load.');
    return runGeneration(m, o, {
      onStart,
      onStep,
      shouldStop: () => stopRequested,
      pause: sleep0,
    });
  },

  /**
   * The per-layer report (the engine's precisionReport: cond(W_K), cond(W_V), the float32 and
   * float16 errors of rebuilding V from K and K from V, and the direction, as `slim check`
   * chooses it). Later generations use the directions the engine's one policy takes from it
   * (planFromReport, as `slim run` does): a layer out of tolerance leaves the standard side alone.
   */
  async check(onProgress: (done: number, total: number) => void): Promise<LayerPrecision[]> {
    const m = loaded;
    if (!m) throw new Error('No model is loaded yet: pick one and press Load.');
    const { spec } = m.opened;
    if (spec.slimScheme !== 'k-cache')
      throw new Error(
        `${m.name} is a grouped-query model (${spec.heads} query heads share ${spec.kvHeads} ` +
          `key/value heads): W_K is not square, so there is no W_KV to check per layer. Its ` +
          `slim side, the ${cacheSchemeLabels[spec.slimScheme]}, ` +
          'inverts nothing of W_K (paper Appendix G).',
      );
    const rows = await precisionReport(m.opened, { onProgress, pause: sleep0 });
    if (loaded === m) m.checked = planFromReport(rows);
    return rows;
  },
};

export type PlaygroundWorkerApi = typeof api;
Comlink.expose(api);
