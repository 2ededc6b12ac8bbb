/**
 * The Playground's worker: loads a checkpoint (a default model, a Hub repo, or local files),
 * generates with the standard KV-cache and the slim K-cache side by side, and runs the per-layer
 * check, so the page never freezes. The page talks to it through comlink.
 */
import * as Comlink from 'comlink';
import {
  CpuBackend,
  HubClient,
  WebGLBackend,
  blobSource,
  downloadModel,
  loadModel,
  loadTokenizer,
  maxAbsDiff,
  openModel,
  cpuChoice,
  decodeMsPerToken,
  pickBackend,
  precisionReport,
  readModelSpec,
  seededRandom,
  type BackendChoice,
  type BackendKind,
  type BackendRequest,
  type ByteSource,
  type DownloadProgress,
  type LayerDirection,
  type LayerPrecision,
  type LoadedModel,
  type ModelTokenizer,
  type OpenedModel,
} from '../engine';
import {
  chooseToken,
  logitMargin,
  samplingProblem,
  type Sampling,
  type StepReport,
} from './decoding';
import { fetchDefaultModel, type DefaultModel } from '../components/defaultModels';

export type ModelSource =
  /** `base`: the absolute URL of the models folder (…/models/). */
  | { kind: 'default'; name: DefaultModel; base: string }
  | { kind: 'hub'; endpoint: string; repo: string; revision: string }
  | { kind: 'files'; files: File[] };

export interface ModelInfo {
  /** How the page names the model. */
  name: string;
  family: string;
  layers: number;
  d: number;
  heads: number;
  vocabSize: number;
  maxPositions: number;
  parameters: number;
  /** Which tokenizer files it came with (undefined: none). */
  tokenizer: string | undefined;
  /** True when the weights of a Hub model came from Cache Storage, not the network. */
  fromCache: boolean;
  /** Notes of the loader (e.g. a converted slim checkpoint). */
  notes: string[];
}

export interface LoadProgress extends DownloadProgress {
  /** Place of this file in the download, and how many files are known so far. */
  fileIndex: number;
  knownFiles: number;
}

export interface GenerateOptions {
  prompt: string;
  steps: number;
  sampling: Sampling;
  /** 'auto': the faster backend here (see pickFor). */
  backend: BackendRequest;
  /** Test hook: pretend the GPU lacks float render targets (the CPU fallback with its notice). */
  forceCpu?: boolean;
}

export interface GenerateStart {
  backend: BackendKind;
  device: string;
  /** Why this backend runs (always set). */
  reason: string;
  notice?: string;
  promptTokens: number;
  /** Steps that will run (the request, capped by the model's positions). */
  steps: number;
  /** Slim directions per layer (K-cache everywhere unless the per-layer check chose). */
  directions: LayerDirection[];
}

export interface GenerateUpdate extends StepReport {
  standardText: string;
  slimText: string;
  /** Generated tokens per second of each run so far (decode steps after the first). */
  standardTokensPerSecond: number;
  slimTokensPerSecond: number;
}

export interface GenerateResult {
  steps: number;
  stopped: boolean;
  standardWeightBytes: number;
  slimWeightBytes: number;
}

interface Loaded {
  info: ModelInfo;
  opened: OpenedModel;
  tokenizer: ModelTokenizer | undefined;
  directions?: LayerDirection[];
  /** 'auto' on a hardware GPU: the backend measured faster for this model, and the figures. */
  measured?: { kind: BackendKind; reason: string };
}

/** Above this many parameters 'auto' keeps a hardware GPU without timing the CPU against it. */
const AUTO_MEASURE_MAX_PARAMETERS = 20e6;

let loaded: Loaded | undefined;
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

/**
 * The backend for a generation. 'auto' takes the CPU where WebGL2 is missing or software-rendered
 * (engine pickBackend); on a hardware GPU it times a few decode steps of this model's standard
 * run on both backends, once per loaded model, and keeps the faster (a small model can lose more
 * to per-draw overhead than the GPU's arithmetic saves).
 */
async function pickFor(m: Loaded, o: GenerateOptions, ids: number[]): Promise<BackendChoice> {
  const choice = pickBackend(
    o.backend,
    o.forceCpu ? { simulateMissing: 'EXT_color_buffer_float' } : {},
  );
  if (o.backend !== 'auto' || choice.kind === 'cpu') return choice;
  if (m.info.parameters > AUTO_MEASURE_MAX_PARAMETERS) return choice;
  // The timing decodes 6 tokens after the prompt: it needs room for them.
  if (!m.measured && ids.length + 6 < m.info.maxPositions) {
    const cpu = new CpuBackend({ dtype: 'float32' });
    const ms: Record<BackendKind, number> = { webgl: 0, cpu: 0 };
    try {
      for (const [kind, backend] of [
        ['webgl', choice.backend],
        ['cpu', cpu],
      ] as const) {
        const model = await loadModel(m.opened, backend, { scheme: 'kv' });
        try {
          ms[kind] = await decodeMsPerToken(model, ids);
        } finally {
          model.dispose();
        }
      }
    } catch (error) {
      (choice.backend as WebGLBackend).destroy();
      throw error;
    } finally {
      cpu.dispose();
    }
    const figures = `${formatMs(ms.webgl)} ms/token on WebGL2 against ${formatMs(ms.cpu)} on the CPU, timed on this model here`;
    m.measured =
      ms.cpu < ms.webgl
        ? { kind: 'cpu', reason: `CPU (float32): faster for this small model (${figures}).` }
        : {
            kind: 'webgl',
            reason: `WebGL2 on ${(choice.backend as WebGLBackend).renderer} (${figures}).`,
          };
  }
  if (!m.measured) return choice;
  if (m.measured.kind === 'webgl') return { ...choice, reason: m.measured.reason };
  (choice.backend as WebGLBackend).destroy();
  return cpuChoice(m.measured.reason);
}

const formatMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

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
      files = localFiles(source.files);
      name = source.files.find((f) => f.name.endsWith('.safetensors'))?.name ?? 'local files';
    }
    const opened = await openModel(files, name);
    const tokenizer = await loadTokenizer(files);
    const { spec } = opened;
    const info: ModelInfo = {
      name,
      family: spec.family,
      layers: spec.layers,
      d: spec.d,
      heads: spec.heads,
      vocabSize: spec.vocabSize,
      maxPositions: spec.maxPositions,
      parameters: spec.shapes.reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0),
      tokenizer: tokenizer?.source,
      fromCache,
      notes: spec.notes,
    };
    loaded = { info, opened, tokenizer };
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
    const problem = samplingProblem(o.sampling);
    if (problem) throw new Error(problem);
    if (!m.tokenizer)
      throw new Error(
        `${m.info.name} came without tokenizer files (tokenizer.json, or vocab.json + merges.txt), so a prompt cannot be turned into tokens.`,
      );
    const ids = m.tokenizer.encode(o.prompt);
    if (ids.length === 0) throw new Error('The prompt is empty: type a few words to start from.');
    const room = m.info.maxPositions - ids.length;
    if (room < 1)
      throw new Error(
        `The prompt is ${ids.length} tokens long; the model holds at most ${m.info.maxPositions} positions.`,
      );
    const steps = Math.max(1, Math.min(o.steps, room));
    const choice = await pickFor(m, o, ids);
    const be = choice.backend;
    const models: LoadedModel[] = [];
    const directions =
      m.directions ?? Array.from({ length: m.info.layers }, () => 'k-cache' as const);
    try {
      models.push(await loadModel(m.opened, be, { scheme: 'kv' }));
      models.push(await loadModel(m.opened, be, { scheme: 'k-cache', directions }));
      const [standard, slim] = models;
      await onStart({
        backend: choice.kind,
        device:
          be instanceof WebGLBackend
            ? be.renderer
            : `CPU (${be instanceof CpuBackend && be.kernels === 'wasm-simd' ? 'WebAssembly SIMD' : 'JavaScript'}, float32)`,
        reason: choice.reason,
        notice: choice.notice,
        promptTokens: ids.length,
        steps,
        directions,
      });
      const sides = [standard, slim].map((model) => ({
        model,
        out: model.prefill(ids),
        /** The logits the next token is chosen from (after the prefill, then after each step). */
        row: new Float32Array(0),
        tokens: [] as number[],
        random: seededRandom(o.sampling.kind === 'sample' ? o.sampling.seed : 0),
        /** Time of the timed decode steps (decode one token and read its logits), and their number. */
        seconds: 0,
        decoded: 0,
      }));
      let done = 0;
      try {
        // The prompt's prefill is not timed: the rate counts decode steps only.
        for (const side of sides) side.row = Float32Array.from(await side.out.read());
        for (let s = 0; s < steps && !stopRequested; s++) {
          const used: Float32Array[] = sides.map((side) => side.row);
          const last = s === steps - 1;
          // Fair timing: each side's step starts after a yield and ends once its logits are read
          // (WebGL work queued by one side is never waited for by the other), and the side that
          // goes first alternates, so neither absorbs the other's garbage collection or the
          // machine's load.
          const order = s % 2 === 0 ? sides : [sides[1], sides[0]];
          for (const side of order) {
            await sleep0();
            const t0 = performance.now();
            const next = chooseToken(side.row, o.sampling, side.random);
            side.tokens.push(next);
            side.out.dispose();
            side.out = side.model.decode(next);
            // The last token needs no logits after it.
            if (!last) {
              side.row = Float32Array.from(await side.out.read());
              side.seconds += (performance.now() - t0) / 1000;
              side.decoded++;
            }
          }
          done = s + 1;
          const [a, b] = sides;
          const rate = (x: (typeof sides)[number]) => (x.decoded > 0 ? x.decoded / x.seconds : 0);
          await onStep({
            step: done,
            standardToken: a.tokens[s],
            slimToken: b.tokens[s],
            maxAbsDelta: maxAbsDiff([used[0]], [used[1]]),
            margin: logitMargin(used[0]),
            cachedTokens: a.model.length,
            standardCacheBytes: a.model.cacheBytes().total,
            slimCacheBytes: b.model.cacheBytes().total,
            standardText: m.tokenizer.decode(a.tokens),
            slimText: m.tokenizer.decode(b.tokens),
            standardTokensPerSecond: rate(a),
            slimTokensPerSecond: rate(b),
          });
          await sleep0();
        }
      } finally {
        for (const side of sides) if (!side.out.disposed) side.out.dispose();
      }
      return {
        steps: done,
        stopped: done < steps,
        standardWeightBytes: standard.weightBytes,
        slimWeightBytes: slim.weightBytes,
      };
    } finally {
      for (const model of models) model.dispose();
      if (be instanceof WebGLBackend) be.destroy();
    }
  },

  /**
   * The per-layer report (the engine's precisionReport: cond(W_K), cond(W_V), the float32 and
   * float16 errors of rebuilding V from K and K from V, and the direction, as `slim check`
   * chooses it). Later generations use the chosen directions.
   */
  async check(onProgress: (done: number, total: number) => void): Promise<LayerPrecision[]> {
    const m = loaded;
    if (!m) throw new Error('No model is loaded yet: pick one and press Load.');
    const rows = await precisionReport(m.opened, { onProgress, pause: sleep0 });
    if (loaded === m && rows.every((r) => r.direction !== null))
      m.directions = rows.map((r) => r.direction as LayerDirection);
    return rows;
  },
};

export type PlaygroundWorkerApi = typeof api;
Comlink.expose(api);
