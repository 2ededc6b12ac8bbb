/**
 * The engine page's worker: builds a random-weight GPT-2 on WebGL2 (OffscreenCanvas) or the CPU
 * fallback and runs greedy decode, standard vs slim, so the page never freezes (DESIGN.md).
 */
import * as Comlink from 'comlink';
import { Gpt2Model, randomGpt2Weights, type Gpt2Config } from '../../../engine/models';
import { WebGLBackend, createEngineBackend } from '../../../engine/webgl';

export interface ModeResult {
  mode: 'standard' | 'slim';
  tokens: number[];
  tokensPerSecond: number;
  kCacheBytes: number;
  vCacheBytes: number;
  weightBytes: number;
}

export interface RunResult {
  backend: 'webgl' | 'cpu';
  notice?: string;
  device: string;
  standard: ModeResult;
  slim: ModeResult;
  /** max over steps and vocabulary of |logit_standard − logit_slim|. */
  maxAbsLogitDiff: number;
  tokensIdentical: boolean;
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

async function runMode(
  model: Gpt2Model,
  prompt: number[],
  steps: number,
  onStep: (done: number) => void,
  midway?: () => void,
) {
  const logits: Float32Array[] = [];
  const tokens: number[] = [];
  let out = model.prefill(prompt);
  // The first steps compile shaders and fill the texture pool: time from step `warm` on.
  const warm = steps > 4 ? 2 : 0;
  let t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    if (s === warm) t0 = performance.now();
    logits.push(Float32Array.from(await out.read()));
    const next = await model.argmax(out);
    out.dispose();
    tokens.push(next);
    onStep(s + 1);
    if (s === steps >> 1) midway?.();
    out = model.decode(next);
  }
  const seconds = (performance.now() - t0) / 1000;
  out.dispose();
  return { logits, tokens, tokensPerSecond: (steps - warm) / seconds };
}

const api = {
  async run(
    o: RunOptions,
    progress: (phase: string, done: number, total: number) => void,
  ): Promise<RunResult> {
    const choice = createEngineBackend(
      o.forceCpu ? { simulateMissing: 'EXT_color_buffer_float' } : {},
    );
    const be = choice.backend;
    try {
      const weights = randomGpt2Weights(o.config, 1, 'float32');
      const results: ModeResult[] = [];
      const allLogits: Float32Array[][] = [];
      for (const mode of ['standard', 'slim'] as const) {
        const model = new Gpt2Model(be, o.config, weights, { mode, decodeOption: 2 });
        try {
          const lose =
            mode === 'slim' && o.loseContext && be instanceof WebGLBackend
              ? () => be.loseContext()
              : undefined;
          const r = await runMode(
            model,
            o.prompt,
            o.steps,
            (d) => progress(mode, d, o.steps),
            lose,
          );
          const cache = model.cacheBytes();
          results.push({
            mode,
            tokens: r.tokens,
            tokensPerSecond: r.tokensPerSecond,
            kCacheBytes: cache.kCache,
            vCacheBytes: cache.vCache,
            weightBytes: model.weightBytes,
          });
          allLogits.push(r.logits);
        } finally {
          if (!(be instanceof WebGLBackend && be.lost)) model.dispose();
        }
      }
      let maxAbs = 0;
      allLogits[0].forEach((row, s) => {
        for (let i = 0; i < row.length; i++)
          maxAbs = Math.max(maxAbs, Math.abs(row[i] - allLogits[1][s][i]));
      });
      return {
        backend: choice.kind,
        notice: choice.notice,
        device: be instanceof WebGLBackend ? be.renderer : 'CPU (JavaScript, float32)',
        standard: results[0],
        slim: results[1],
        maxAbsLogitDiff: maxAbs,
        tokensIdentical: results[0].tokens.join() === results[1].tokens.join(),
      };
    } finally {
      if (be instanceof WebGLBackend) be.destroy();
    }
  },
};

export type EngineWorkerApi = typeof api;
Comlink.expose(api);
