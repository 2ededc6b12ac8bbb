/**
 * The page of `npm run bench:real-size` (bench/real-size.ts): drives the Playground's own worker
 * (playground/worker.ts, through comlink as the Playground does) against a local Hub stand-in:
 * load a repo, then one generation, standard and slim side by side, recording when each phase
 * ends. The Node side reads the renderer's memory between phases.
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
}

declare global {
  interface Window {
    realSize: {
      load(o: RealSizeOptions): Promise<RealSizeLoad>;
      generate(o: RealSizeOptions): Promise<RealSizeGenerate>;
    };
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
    let start: { backend: string; device: string; promptTokens: number } | undefined;
    let identical = true;
    const result = await api.generate(
      { prompt: o.prompt, steps: o.steps, sampling: { kind: 'greedy' }, backend: o.backend },
      Comlink.proxy((s) => {
        start = s;
      }),
      Comlink.proxy((u: GenerateUpdate) => {
        if (!first) first = performance.now();
        if (u.standardToken !== u.slimToken) identical = false;
        last = u;
      }),
    );
    if (!start || !last) throw new Error('real-size bench: the generation reported no step');
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
    };
  },
};
document.getElementById('status')!.textContent = 'ready';
