/**
 * The one decode loop: prefill the prompt, then step one or more models side by side (the
 * standard KV-cache and slim attention's K-cache, paper §1–§2), each choosing its next token
 * with its own identically seeded chooser (engine/sampling.ts, Hugging Face `generate`
 * semantics), so "tokens identical" proves the identity under sampling as under greedy.
 * `compareSchemes` (engine/compare.ts), the CLI's `slim run` and the Playground's worker all
 * decode through it.
 */
import type { DecoderModel } from './models';
import { GREEDY, isGreedy, samplingProblem, tokenChooser, type Sampling } from './sampling';
import { EngineInputError, type Tensor } from './tensor';

/** One step of every side, as onStep reports it. */
export interface DecodeStep {
  /** 1-based count of generated tokens. */
  step: number;
  /** The token each side chose at this step (in the order of the models). */
  tokens: number[];
  /** The logits row each side chose it from. */
  logits: Float32Array[];
  /** Generated tokens per second of each side so far (timed steps only; 0 before any). */
  tokensPerSecond: number[];
  /**
   * Seconds of this step per side (choice, decode, read of the next logits); null for the last
   * step, whose logits are not read.
   */
  stepSeconds: (number | null)[];
}

export interface DecodeOptions {
  prompt: readonly number[];
  /** Tokens to generate; each is fed back (the last one only with feedLast). */
  steps: number;
  /**
   * Decode the last generated token too, so the caches end with prompt + steps tokens (true by
   * default); false saves that forward pass (the caches hold prompt + steps − 1).
   */
  feedLast?: boolean;
  /** Greedy when absent. */
  sampling?: Sampling;
  /** Keep every side's logits rows (one per step) in the result. */
  keepLogits?: boolean;
  /** Ends the run between steps (checked before each one). */
  signal?: AbortSignal;
  /** Ends the run between steps when it returns true (checked before each one). */
  shouldStop?: () => boolean;
  /**
   * Awaited before each side's timed step and after each step's report: a worker passes a
   * message-queue yield, so a Stop is handled and neither side's step absorbs the other's
   * queued work.
   */
  pause?: () => Promise<void>;
  /** Awaited after each step. */
  onStep?: (step: DecodeStep) => void | Promise<void>;
  /** Called once, after step ⌊steps / 2⌋ + 1 (tests lose the WebGL context there). */
  midway?: () => void;
  /** Untimed first steps (shader compiles, the texture pool); 0 by default. */
  warmupSteps?: number;
}

export interface Decoded {
  /** Per side, the generated tokens. */
  tokens: number[][];
  /** Per side, the logits row that chose each token (empty unless keepLogits). */
  logits: Float32Array[][];
  /** Per side, decode steps per second (a step: choose, decode, read the next logits). */
  tokensPerSecond: number[];
  /** Steps done (fewer than asked when stopped). */
  steps: number;
  stopped: boolean;
}

interface Side {
  model: DecoderModel;
  out: Tensor | undefined;
  row: Float32Array;
  tokens: number[];
  logits: Float32Array[];
  choose: (row: Float32Array, seen: readonly number[]) => number;
  seconds: number;
  timed: number;
}

/** Logits as read (a fresh array: read() returns a copy), widened only from float64. */
const float32Row = (v: ArrayLike<number>): Float32Array =>
  v instanceof Float32Array ? v : Float32Array.from(v);

const rate = (s: Side) => (s.timed > 0 ? s.timed / s.seconds : 0);

/**
 * Prefills `prompt` on every model, then `steps` times: each side (in alternating order, so
 * neither always goes first) waits for `pause`, chooses its token from its last logits, decodes
 * it and reads the next logits, timed from the choice to the read. Every side draws from its
 * own chooser seeded with sampling.seed. Greedy without a penalty takes the backend's argmax.
 */
export async function decodeSideBySide(
  models: readonly DecoderModel[],
  options: DecodeOptions,
): Promise<Decoded> {
  const { prompt, steps, pause, onStep } = options;
  const sampling = options.sampling ?? GREEDY;
  const problem = samplingProblem(sampling);
  if (problem) throw new EngineInputError(problem);
  if (!Number.isInteger(steps) || steps < 0)
    throw new EngineInputError(`decode: steps must be a whole number ≥ 0, got ${steps}`);
  const backendArgmax = isGreedy(sampling) && (sampling.repetitionPenalty ?? 1) === 1;
  const warmup = options.warmupSteps ?? 0;
  const sides: Side[] = models.map((model) => ({
    model,
    out: undefined,
    row: new Float32Array(0),
    tokens: [],
    logits: [],
    choose: tokenChooser(sampling),
    seconds: 0,
    timed: 0,
  }));
  const stopped = () => options.signal?.aborted === true || options.shouldStop?.() === true;
  let done = 0;
  try {
    // The prefill is not timed: the rate counts decode steps only.
    for (const side of sides) {
      side.out = side.model.prefill(prompt);
      side.row = float32Row(await side.out.read());
    }
    for (let s = 0; s < steps && !stopped(); s++) {
      const rows = sides.map((side) => side.row);
      const stepSeconds: (number | null)[] = sides.map(() => null);
      const last = s === steps - 1;
      const order = s % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        await pause?.();
        const t0 = performance.now();
        const out = side.out as Tensor;
        const next = backendArgmax
          ? await side.model.argmax(out)
          : side.choose(side.row, [...prompt, ...side.tokens]);
        side.tokens.push(next);
        if (options.keepLogits) side.logits.push(side.row);
        out.dispose();
        side.out = undefined;
        if (last && options.feedLast === false) continue;
        side.out = side.model.decode(next);
        // The last token is fed (the caches hold every token) but needs no logits after it.
        if (!last) {
          side.row = float32Row(await side.out.read());
          const seconds = (performance.now() - t0) / 1000;
          stepSeconds[sides.indexOf(side)] = seconds;
          if (s >= warmup) {
            side.seconds += seconds;
            side.timed++;
          }
        }
      }
      done = s + 1;
      if (s === steps >> 1) options.midway?.();
      await onStep?.({
        step: done,
        tokens: sides.map((side) => side.tokens[s]),
        logits: rows,
        tokensPerSecond: sides.map(rate),
        stepSeconds,
      });
      await pause?.();
    }
  } finally {
    for (const side of sides) if (side.out && !side.out.disposed) side.out.dispose();
  }
  return {
    tokens: sides.map((side) => side.tokens),
    logits: sides.map((side) => side.logits),
    tokensPerSecond: sides.map(rate),
    steps: done,
    stopped: done < steps,
  };
}
