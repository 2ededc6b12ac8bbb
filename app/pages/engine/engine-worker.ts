/**
 * The engine page's worker: builds a random-weight GPT-2 on WebGL2 (OffscreenCanvas) or the CPU
 * fallback and runs greedy decode, standard vs slim, so the page never freezes.
 */
import * as Comlink from 'comlink';
import {
  WebGLBackend,
  compareSchemes,
  pickBackend,
  randomGpt2Weights,
  type Gpt2Config,
  type Gpt2Scheme,
  type SchemeComparison,
} from '../../../engine';

export interface RunResult extends SchemeComparison {
  backend: 'webgl' | 'cpu';
  notice?: string;
  device: string;
}

export interface RunOptions {
  config: Gpt2Config;
  prompt: number[];
  steps: number;
  /** Test hook: pretend the GPU lacks float render targets (CPU fallback). */
  forceCpu?: boolean;
  /** Test hook: lose the WebGL context during the slim run. */
  loseContext?: boolean;
}

/** Progress phases as the page names them. */
const PHASE: Record<Gpt2Scheme, string> = { kv: 'standard', 'k-cache': 'slim' };

const api = {
  async run(
    o: RunOptions,
    progress: (phase: string, done: number, total: number) => void,
  ): Promise<RunResult> {
    const choice = pickBackend(o.forceCpu ? { simulateMissing: 'EXT_color_buffer_float' } : {});
    const be = choice.backend;
    try {
      const weights = randomGpt2Weights(o.config, 1, 'float32');
      const comparison = await compareSchemes(be, o.config, weights, {
        prompt: o.prompt,
        steps: o.steps,
        decodeOrder: 'k-first',
        onStep: (scheme, done) => progress(PHASE[scheme], done, o.steps),
        midway: (scheme) => {
          if (scheme === 'k-cache' && o.loseContext && be instanceof WebGLBackend) be.loseContext();
        },
      });
      return {
        backend: choice.kind,
        notice: choice.notice,
        device: be instanceof WebGLBackend ? be.renderer : 'CPU (JavaScript, float32)',
        ...comparison,
      };
    } finally {
      if (be instanceof WebGLBackend) be.destroy();
    }
  },
};

export type EngineWorkerApi = typeof api;
Comlink.expose(api);
