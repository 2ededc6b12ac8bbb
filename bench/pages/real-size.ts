/**
 * The page of `npm run bench:real-size` (bench/real-size.ts): drives the Playground's own worker
 * (playground/worker.ts, through comlink as the Playground does) against a local Hub stand-in:
 * load a repo, then one generation, standard and slim side by side, recording when each phase
 * ends. The Node side reads the renderer's memory between phases (window.realSizeMark, which
 * the worker waits for once the models are built).
 */
import * as Comlink from 'comlink';
import type { GenerateUpdate, PlaygroundWorkerApi } from '../../playground/worker';

export interface RealSizeOptions {
  endpoint: string;
  repo: string;
  prompt: string;
  steps: number;
  backend: 'cpu' | 'webgl';
}

export interface RealSizeLoad {
  loadMs: number;
  parameters: number;
  fromCache: boolean;
}

export interface RealSizeGenerate {
  backend: string;
  device: string;
  promptTokens: number;
  steps: number;
  /** From Generate to the first generated token of both sides (build, prefill, one step). */
  firstTokenMs: number;
  totalMs: number;
  standardMsPerToken: number;
  slimMsPerToken: number;
  /** Cached tokens and cache bytes after the last step. */
  cachedTokens: number;
  standardCacheBytes: number;
  slimCacheBytes: number;
  tokensIdentical: boolean;
  /** Bytes live on the backend when decoding ended (both models' weights and caches). */
  backendBytes: number;
  /** True when the worker built the models tensor by tensor from the cached files. */
  weightsStreamed: boolean;
}

declare global {
  interface Window {
    realSize: {
      load(o: RealSizeOptions): Promise<RealSizeLoad>;
      generate(o: RealSizeOptions): Promise<RealSizeGenerate>;
    };
    /** Exposed by the bench (Node): reads and resets the renderer's peak memory. */
    realSizeMark?: (phase: string) => Promise<void>;
  }
}

const worker = new Worker(new URL('../../playground/worker.ts', import.meta.url), {
  type: 'module',
});
const api = Comlink.wrap<PlaygroundWorkerApi>(worker);

window.realSize = {
  async load(o) {
    const t0 = performance.now();
    const info = await api.load(
      { kind: 'hub', endpoint: o.endpoint, repo: o.repo, revision: 'main' },
      Comlink.proxy(() => {}),
    );
    return {
      loadMs: performance.now() - t0,
      parameters: info.parameters,
      fromCache: info.fromCache,
    };
  },

  async generate(o) {
    const t0 = performance.now();
    let first = 0;
    let last: GenerateUpdate | undefined;
    let start:
      { backend: string; device: string; promptTokens: number; slimProblem?: string } | undefined;
    let identical = true;
    const result = await api.generate(
      { prompt: o.prompt, steps: o.steps, sampling: {}, backend: o.backend },
      Comlink.proxy(async (s) => {
        start = s;
        // The models are built; the worker waits for this before it prefills.
        await window.realSizeMark?.('built');
      }),
      Comlink.proxy((u: GenerateUpdate) => {
        if (!first) first = performance.now();
        if (u.standardToken !== u.slimToken) identical = false;
        last = u;
      }),
    );
    if (!start || !last) throw new Error('real-size bench: the generation reported no step');
    if (last.slimTokensPerSecond === null || last.slimCacheBytes === null)
      throw new Error(`real-size bench: the slim side did not run: ${start.slimProblem}`);
    return {
      backend: start.backend,
      device: start.device,
      promptTokens: start.promptTokens,
      steps: result.steps,
      firstTokenMs: first - t0,
      totalMs: performance.now() - t0,
      standardMsPerToken: 1000 / last.standardTokensPerSecond,
      slimMsPerToken: 1000 / last.slimTokensPerSecond,
      cachedTokens: last.cachedTokens,
      standardCacheBytes: last.standardCacheBytes,
      slimCacheBytes: last.slimCacheBytes,
      tokensIdentical: identical,
      backendBytes: result.backendBytes,
      weightsStreamed: result.weightsStreamed,
    };
  },
};
document.getElementById('status')!.textContent = 'ready';
