/**
 * One Generate of the Playground, as its worker runs it: both models built from the checkpoint
 * tensor by tensor (engine streamModel: each tensor read, uploaded once for both, let go), the slim side's directions by the engine's one
 * policy (the per-layer check's, or the cheap condition estimate), then the engine's one decode
 * loop (decodeSideBySide) with fair alternating timing. No React; the worker and the component
 * tests run it.
 */
import {
  CpuBackend,
  WebGLBackend,
  cpuChoice,
  decodeMsPerToken,
  decodeSideBySide,
  logitMargin,
  maxAbsDiff,
  pickBackend,
  planFromEstimates,
  samplingProblem,
  streamModel,
  type Backend,
  type BackendChoice,
  type BackendKind,
  type BackendRequest,
  type HostModel,
  type LayerDirection,
  type LoadedModel,
  type ModelTokenizer,
  type OpenedModel,
  type WeightLookup,
  type Sampling,
  type SlimPlan,
} from '../engine';
import type { StepReport } from './decoding';

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
  /** Slim directions per layer; null when the slim side cannot run (see slimProblem). */
  directions: LayerDirection[] | null;
  /** The cache the slim side runs: the K-cache, or for GQA the d-wide cache or X-cache. */
  slimScheme: 'k-cache' | 'd-wide-cache' | 'x-cache';
  /** Why only the standard side runs, or undefined when both run. */
  slimProblem?: string;
  /** Layers whose estimated float32 error cond·u exceeds the per-layer check's tolerance. */
  warnings: string[];
}

export interface GenerateUpdate extends StepReport {
  standardText: string;
  /** null when the slim side does not run. */
  slimText: string | null;
  /** Generated tokens per second of each run so far (decode steps after the first). */
  standardTokensPerSecond: number;
  slimTokensPerSecond: number | null;
}

export interface GenerateResult {
  steps: number;
  stopped: boolean;
  standardWeightBytes: number;
  slimWeightBytes: number | null;
  /** Bytes live on the backend when decoding ended: both models' weights and their caches. */
  backendBytes: number;
  /** True when the models were built tensor by tensor (engine streamModel), not read whole. */
  weightsStreamed: boolean;
}

/** A loaded model as the worker keeps it between Generates (no weights in host memory). */
export interface Loaded {
  name: string;
  parameters: number;
  opened: OpenedModel;
  tokenizer: ModelTokenizer | undefined;
  /** The policy's plan from the per-layer check (panel 3), once it has run. */
  checked?: SlimPlan;
  /** The policy's plan from the condition estimates, made on the first Generate. */
  estimated?: SlimPlan;
  /** 'auto' on a hardware GPU: the backend measured faster for this model, and the figures. */
  measured?: { kind: BackendKind; reason: string };
}

/** Above this many parameters 'auto' keeps a hardware GPU without timing the CPU against it. */
const AUTO_MEASURE_MAX_PARAMETERS = 20e6;

const formatMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

/**
 * The backend for a generation. 'auto' takes the CPU where WebGL2 is missing or software-rendered
 * (engine pickBackend); on a hardware GPU it times a few decode steps of this model's standard
 * run on both backends, once per loaded model, and keeps the faster (a small model can lose more
 * to per-draw overhead than the GPU's arithmetic saves).
 */
async function pickFor(
  m: Loaded,
  host: HostModel<WeightLookup>,
  o: GenerateOptions,
  ids: number[],
): Promise<BackendChoice> {
  const choice = pickBackend(
    o.backend,
    o.forceCpu ? { simulateMissing: 'EXT_color_buffer_float' } : {},
  );
  if (o.backend !== 'auto' || choice.kind === 'cpu') return choice;
  if (m.parameters > AUTO_MEASURE_MAX_PARAMETERS) return choice;
  // The timing decodes 6 tokens after the prompt: it needs room for them.
  if (!m.measured && ids.length + 6 < m.opened.spec.maxPositions) {
    const cpu = new CpuBackend({ dtype: 'float32' });
    const ms: Record<BackendKind, number> = { webgl: 0, cpu: 0 };
    try {
      for (const [kind, backend] of [
        ['webgl', choice.backend],
        ['cpu', cpu],
      ] as const) {
        const model = host.build(backend, { scheme: 'kv' });
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

/** The prompt's token ids, or the sentence that says why there are none. */
export function promptIds(m: Loaded, prompt: string): number[] {
  if (!m.tokenizer)
    throw new Error(
      `${m.name} came without tokenizer files (tokenizer.json, or vocab.json + merges.txt), so a prompt cannot be turned into tokens.`,
    );
  const ids = m.tokenizer.encode(prompt);
  if (ids.length === 0) throw new Error('The prompt is empty: type a few words to start from.');
  return ids;
}

/**
 * Builds the slim model by the plan (the per-layer check's, else the estimates'), or says why
 * the slim side cannot run: the plan refuses it, or the build does (no usable inverse).
 */
function buildSlim(
  m: Loaded,
  host: HostModel<WeightLookup>,
  backend: Backend,
): { model?: LoadedModel; plan: SlimPlan; problem?: string } {
  m.estimated ??= planFromEstimates(host.spec, host.weights, host.spec.slim?.layers);
  const plan = m.checked ?? m.estimated;
  if (!plan.directions)
    return {
      plan,
      problem: m.checked
        ? `The per-layer check found that ${plan.problem}: only the standard side runs.`
        : `${plan.problem} Only the standard side runs.`,
    };
  try {
    return { plan, model: host.build(backend, { scheme: 'k-cache', directions: plan.directions }) };
  } catch (error) {
    return {
      plan,
      problem: `${error instanceof Error ? error.message : String(error)} Only the standard side runs.`,
    };
  }
}

/** The CPU backend in words: its kernels, float32, and the weights it keeps in 16 bits. */
function cpuDevice(be: CpuBackend): string {
  const kernels = be.kernels === 'wasm-simd' ? 'WebAssembly SIMD' : 'JavaScript';
  const halves = be.halfFormats().map((f) => (f === 'f16' ? 'float16' : 'bfloat16'));
  const weights = halves.length ? `; ${halves.join(' and ')} weights kept in 16 bits` : '';
  return `CPU (${kernels}, float32${weights})`;
}

/**
 * One Generate: the prompt tokenized, the standard and (when the plan allows) the slim model
 * built from the checkpoint tensor by tensor (in the worker the cached files read synchronously,
 * so the backend's copy is the only full copy of the weights; the two models upload their common
 * tensors once), this function's reference to the checkpoint dropped before decoding (nothing is
 * kept between Generates), then the one decode loop with the worker's message-queue yield
 * between steps.
 */
export async function runGeneration(
  m: Loaded,
  o: GenerateOptions,
  hooks: {
    onStart: (s: GenerateStart) => void | Promise<void>;
    onStep: (u: GenerateUpdate) => void | Promise<void>;
    shouldStop: () => boolean;
    pause?: () => Promise<void>;
  },
): Promise<GenerateResult> {
  const problem = samplingProblem(o.sampling);
  if (problem) throw new Error(problem);
  const ids = promptIds(m, o.prompt);
  const { maxPositions, layers } = m.opened.spec;
  const room = maxPositions - ids.length;
  if (room < 1)
    throw new Error(
      `The prompt is ${ids.length} tokens long; the model holds at most ${maxPositions} positions.`,
    );
  const steps = Math.max(1, Math.min(o.steps, room));
  let host: HostModel<WeightLookup> | undefined = await streamModel(m.opened);
  const weightsStreamed = host.streamed;
  const choice = await pickFor(m, host, o, ids);
  const be = choice.backend;
  const models: LoadedModel[] = [];
  try {
    models.push(host.build(be, { scheme: 'kv' }));
    const slim = buildSlim(m, host, be);
    if (slim.model) models.push(slim.model);
    // Both models hold their weights on the backend now: drop our reference before decoding.
    host = undefined;
    const [standard, slimModel] = models;
    await hooks.onStart({
      backend: choice.kind,
      device: be instanceof WebGLBackend ? be.renderer : cpuDevice(be as CpuBackend),
      reason: choice.reason,
      notice: choice.notice,
      promptTokens: ids.length,
      steps,
      directions: slimModel ? (slim.plan.directions ?? Array(layers).fill('k-cache')) : null,
      slimScheme: m.opened.spec.slimScheme,
      slimProblem: slim.problem,
      warnings: slim.plan.warnings,
    });
    const tokenizer = m.tokenizer as ModelTokenizer;
    const generated: number[][] = models.map(() => []);
    const run = await decodeSideBySide(models, {
      prompt: ids,
      steps,
      sampling: o.sampling,
      shouldStop: hooks.shouldStop,
      pause: hooks.pause,
      keepLogits: false,
      onStep: async (s) => {
        generated.forEach((list, side) => list.push(s.tokens[side]));
        await hooks.onStep({
          step: s.step,
          standardToken: s.tokens[0],
          slimToken: slimModel ? s.tokens[1] : null,
          maxAbsDelta: slimModel ? maxAbsDiff([s.logits[0]], [s.logits[1]]) : null,
          margin: logitMargin(s.logits[0]),
          cachedTokens: standard.length,
          standardCacheBytes: standard.cacheBytes().total,
          slimCacheBytes: slimModel ? slimModel.cacheBytes().total : null,
          standardText: tokenizer.decode(generated[0]),
          slimText: slimModel ? tokenizer.decode(generated[1]) : null,
          standardTokensPerSecond: s.tokensPerSecond[0],
          slimTokensPerSecond: slimModel ? s.tokensPerSecond[1] : null,
        });
      },
    });
    return {
      steps: run.steps,
      stopped: run.stopped,
      standardWeightBytes: standard.weightBytes,
      slimWeightBytes: slimModel ? slimModel.weightBytes : null,
      backendBytes: be.stats().liveBytes,
      weightsStreamed,
    };
  } finally {
    for (const model of models) model.dispose();
    if (be instanceof WebGLBackend) be.destroy();
  }
}
