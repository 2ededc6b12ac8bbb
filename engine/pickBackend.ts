/**
 * The backend picker. A request is 'webgl', 'cpu' or 'auto'; the choice always says which
 * backend runs and why, as a sentence for the page.
 *
 * 'auto' takes the float32 CPU backend when WebGL2 is missing or when its renderer is a software
 * rasterizer (SwiftShader, llvmpipe, …): there every draw is run by the CPU anyway, through a
 * shader interpreter, and the bench measured our WebGL path 7.5x slower than our CPU path on
 * such a machine (moby-gpt2, `npm run bench`). On a hardware GPU 'auto' keeps WebGL2; a caller
 * with a model at hand can then time a few decode steps on both (`decodeMsPerToken`) and take the
 * faster, since for a small model the per-draw overhead can cost more than the arithmetic saves.
 */
import type { Backend } from './backend';
import { decodeSideBySide } from './generate';
import type { DecoderModel } from './models';
import { CpuBackend } from './cpu';
import { WebGLBackend, WebGLUnavailableError, type WebGLBackendOptions } from './webgl';

export type BackendRequest = 'auto' | 'webgl' | 'cpu';
export type BackendKind = 'webgl' | 'cpu';

export interface BackendChoice {
  backend: Backend;
  kind: BackendKind;
  /** Why this backend runs: one sentence for the page. */
  reason: string;
  /** Set when the request could not be honoured (WebGL2 missing): why, and what runs instead. */
  notice?: string;
}

/** Renderer strings of rasterizers that run on the CPU (as WEBGL_debug_renderer_info names them). */
const SOFTWARE_RENDERER =
  /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render driver|mesa offscreen/i;

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer);
}

/** The float32 CPU backend as a choice, with its reason (and a notice when a request failed). */
export const cpuChoice = (reason: string, notice?: string): BackendChoice => ({
  backend: new CpuBackend({ dtype: 'float32' }),
  kind: 'cpu',
  reason,
  ...(notice ? { notice } : {}),
});

export function pickBackend(
  request: BackendRequest = 'auto',
  options: WebGLBackendOptions = {},
): BackendChoice {
  if (request === 'cpu') return cpuChoice('CPU (float32), as chosen.');
  let webgl: WebGLBackend;
  try {
    webgl = new WebGLBackend(options);
  } catch (error) {
    if (!(error instanceof WebGLUnavailableError)) throw error;
    const why = `${error.message}. Running on the CPU backend instead (same results).`;
    return cpuChoice(`CPU (float32): ${why}`, why);
  }
  if (request === 'auto' && isSoftwareRenderer(webgl.renderer)) {
    const renderer = webgl.renderer;
    webgl.destroy();
    return cpuChoice(
      `CPU (float32): WebGL2 here is a software rasterizer (${renderer}), which runs every draw on the CPU through a shader interpreter, so the CPU backend is faster. Choose WebGL2 to run it anyway.`,
    );
  }
  return {
    backend: webgl,
    kind: 'webgl',
    reason:
      request === 'auto'
        ? `WebGL2 on ${webgl.renderer}: a hardware GPU.`
        : `WebGL2 on ${webgl.renderer}, as chosen.`,
  };
}

/**
 * Milliseconds per decode step of `model` (the median of `steps` timed steps after `warmup`
 * untimed ones, which also compile any shaders), greedy, through the one decode loop
 * (engine/generate.ts). The model's cache is left filled: time a model built for the purpose.
 */
export async function decodeMsPerToken(
  model: DecoderModel,
  prompt: readonly number[],
  steps = 4,
  warmup = 2,
): Promise<number> {
  const times: number[] = [];
  // One more step than timed: the last step's logits are not read, so it has no time.
  await decodeSideBySide([model], {
    prompt,
    steps: warmup + steps + 1,
    feedLast: false,
    onStep: (s) => {
      const seconds = s.stepSeconds[0];
      if (s.step > warmup && seconds !== null) times.push(seconds * 1000);
    },
  });
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
