import {
  checkModel,
  CpuBackend,
  decodeSideBySide,
  EngineInputError,
  isGreedy,
  loadTokenizer,
  planFromEstimates,
  planFromReport,
  streamModel,
  samplingProblem,
  type Backend,
  type DecoderOptions,
  type HostModel,
  type WeightLookup,
  type LayerDirection,
  type OpenedModel,
  type Sampling,
} from '../../engine';
import { parseCount, requireString } from '../args';
import type { RunJson } from '../contract';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from '../errors';
import { formatBytes } from '../format';
import { describeModel, familiesHelp, openModelDir, withInputErrors } from '../model';
import { printJson, stringValue, type Command } from './types';

const MODES = ['standard', 'slim'] as const;
type Mode = (typeof MODES)[number];

/** "1,2,3" → [1, 2, 3]: non-negative integers separated by commas. */
export function parseTokenList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !/^[0-9]+$/.test(p)))
    throw new CliUsageError(
      `--tokens must be token ids separated by commas (e.g. 1,2,3), got '${value}'`,
    );
  return parts.map(Number);
}

function parseMode(value: string | undefined): Mode {
  const v = requireString(value, 'mode', 'standard or slim');
  if (!(MODES as readonly string[]).includes(v))
    throw new CliUsageError(`--mode must be standard or slim, got '${v}'`);
  return v as Mode;
}

/**
 * The directions of the slim run, by the engine's one policy: a checkpoint's stored directions
 * (`slim convert`) with the cheap condition estimate (warnings on stderr), others the measured
 * per-layer check of `slim check`. Throws a CliUsageError naming the layers that cannot be made
 * slim within the tolerance.
 */
export async function slimDirections(
  opened: OpenedModel,
  dir: string,
  /** The checkpoint opened to build from, if it is already (a converted one's estimate reads it). */
  host?: HostModel<WeightLookup>,
  warn: (line: string) => void = () => {},
): Promise<LayerDirection[]> {
  const { spec } = opened;
  const plan = spec.slim
    ? planFromEstimates(
        spec,
        (host ?? (await withInputErrors(dir, () => streamModel(opened)))).weights,
        spec.slim.layers,
      )
    : planFromReport(await withInputErrors(dir, () => checkModel(opened)));
  for (const w of plan.warnings) warn(w);
  if (!plan.directions)
    throw new CliUsageError(`${dir}: ${plan.problem} (see 'slim check'); use --mode standard`);
  return plan.directions;
}

/** A number option: absent → undefined; otherwise a finite decimal (sign and exponent allowed). */
function parseNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/i.test(value.trim()) ? +value : NaN;
  if (!Number.isFinite(n)) throw new CliUsageError(`--${option} must be a number, got '${value}'`);
  return n;
}

/** --temperature --top-k --top-p --seed --repetition-penalty → the engine's Sampling. */
export function parseSampling(values: Record<string, unknown>): Sampling {
  const get = (name: string) =>
    parseNumber(typeof values[name] === 'string' ? (values[name] as string) : undefined, name);
  const sampling: Sampling = {
    temperature: get('temperature'),
    topK: get('top-k'),
    topP: get('top-p'),
    seed: get('seed'),
    repetitionPenalty: get('repetition-penalty'),
  };
  const problem = samplingProblem(sampling);
  if (problem) throw new CliUsageError(problem);
  return sampling;
}

/**
 * Bytes of the filled caches of a model built with `options` after `tokens` (one prefill), or
 * null when that model cannot be built (no usable inverse in any direction).
 */
function cacheBytesAfter(
  host: HostModel<WeightLookup>,
  backend: Backend,
  options: readonly DecoderOptions[],
  tokens: readonly number[],
): number | null {
  for (const o of options) {
    let model;
    try {
      model = host.build(backend, o);
    } catch (error) {
      if (error instanceof Error && /inverse|singular/i.test(error.message)) continue;
      throw error;
    }
    try {
      model.prefill(tokens).dispose();
      return model.cacheBytes().total;
    } finally {
      model.dispose();
    }
  }
  return null;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'greedy or sampled decoding of a Hugging Face checkpoint on the CPU, standard or slim',
  help: `Usage: slim run --model DIR (--prompt TEXT | --tokens 1,2,3) --steps N
                --mode standard|slim [--decode-order k-first|v-first]
                [--temperature T [--top-k K] [--top-p P] [--seed S]]
                [--repetition-penalty R] [--json]

Loads a checkpoint of a supported family (below) from DIR (config.json and model.safetensors,
or model.safetensors.index.json and its shards; a checkpoint written by 'slim convert' loads
as is) and decodes N tokens on the CPU backend (float32): greedily, or with --temperature > 0
by seeded sampling with Hugging Face generate's semantics (repetition penalty, then
temperature, top-k, top-p). The same seed draws the same tokens in both modes.

  --mode standard   the usual KV-cache
  --mode slim       slim attention: each layer caches K only (V = K·W_KV, paper §1) or V only
                    (K = V·W_VK, Appendix C), the direction 'slim check' picks for it; half
                    the cache either way

Options:
  --model DIR        the model directory
  --prompt TEXT      text, encoded by the directory's tokenizer.json (or vocab.json + merges.txt)
  --tokens 1,2,3     token ids instead of text; needs no tokenizer files
  --steps N          tokens to generate (prompt + N must fit the model's positions)
  --mode M           standard or slim
  --decode-order O   slim decode order: k-first (paper §2 option 2, default) or v-first (option 1)
  --temperature T    sample from softmax(logits / T); 0 or absent: greedy
  --top-k K          keep the K most likely tokens (0: off)
  --top-p P          keep the smallest set of most likely tokens whose probability is ≥ P (1: off)
  --seed S           seed of the draws, a whole number ≥ 0 (default 0)
  --repetition-penalty R
                     divide the positive logits of tokens already seen by R, multiply the
                     negative ones (1: off; greedy too)
  --json             print one JSON document (a contract):
                     {generated: [token ids], lastLogits: [the full logits vector from
                      which the last generated token was chosen], cacheBytes: {standard, slim}
                      (bytes of the filled caches after the run, both schemes, the same
                      tokens; slim null when no slim model can be built), slimScheme}
  -h, --help         show this help

${familiesHelp()}
Example: slim run --model public/models/moby-gpt2 --prompt "Call me" --steps 20 --mode slim
`,
  options: {
    model: { type: 'string' },
    prompt: { type: 'string' },
    tokens: { type: 'string' },
    steps: { type: 'string' },
    mode: { type: 'string' },
    'decode-order': { type: 'string' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    seed: { type: 'string' },
    'repetition-penalty': { type: 'string' },
  },
  async run(values, { io, json }) {
    const dir = requireString(stringValue(values, 'model'), 'model', 'a model directory');
    const promptText = stringValue(values, 'prompt');
    const tokenText = stringValue(values, 'tokens');
    if ((promptText === undefined) === (tokenText === undefined))
      throw new CliUsageError('give exactly one of --prompt TEXT and --tokens 1,2,3');
    const steps = parseCount(stringValue(values, 'steps'), 'steps');
    const mode = parseMode(stringValue(values, 'mode'));
    const order = stringValue(values, 'decode-order') ?? 'k-first';
    if (order !== 'k-first' && order !== 'v-first')
      throw new CliUsageError(`--decode-order must be k-first or v-first, got '${order}'`);
    const sampling = parseSampling(values);

    const opened = await openModelDir(dir);
    const { spec } = opened;
    let prompt: number[];
    let decode: ((ids: readonly number[]) => string) | undefined;
    if (tokenText !== undefined) {
      prompt = parseTokenList(tokenText);
    } else {
      const tokenizer = await withInputErrors(dir, () => loadTokenizer(opened.files));
      if (!tokenizer)
        throw new CliUsageError(
          `${dir} has no tokenizer (tokenizer.json, or vocab.json + merges.txt); use --tokens`,
        );
      prompt = tokenizer.encode(promptText as string);
      decode = (ids) => tokenizer.decode(ids);
      if (prompt.length === 0) throw new CliUsageError('--prompt encodes to no tokens');
    }
    const badId = prompt.find((id) => id >= spec.vocabSize);
    if (badId !== undefined)
      throw new CliUsageError(
        `token id ${badId} is outside the vocabulary of ${dir} (ids 0 … ${spec.vocabSize - 1})`,
      );
    if (prompt.length + steps > spec.maxPositions)
      throw new CliUsageError(
        `${prompt.length} prompt tokens + ${steps} steps exceed the ${spec.maxPositions} positions of the model`,
      );
    for (const note of spec.notes) io.stderr(`slim run: note: ${note}\n`);
    if (mode === 'slim' && spec.slimNote) io.stderr(`slim run: note: ${spec.slimNote}\n`);

    // Tensor by tensor: the backend's copy is the only full copy of the weights.
    const host = await withInputErrors(dir, () => streamModel(opened));
    const warn = (line: string) =>
      io.stderr(`slim run: warning: ${line}
`);
    // Per-layer directions are the K-cache's (MHA); a grouped-query model's slim cache needs none.
    const kCache = mode === 'slim' && spec.slimScheme === 'k-cache';
    const directions = kCache ? await slimDirections(opened, dir, host, warn) : undefined;
    const backend = new CpuBackend({ dtype: 'float32' });
    const standardOptions: DecoderOptions = { scheme: 'kv' };
    const slimOptions: DecoderOptions = { scheme: 'k-cache', decodeOrder: order, directions };
    const vCaches: LayerDirection[] = Array.from({ length: spec.layers }, () => 'v-cache');
    const model = await withInputErrors(dir, async () =>
      host.build(backend, mode === 'slim' ? slimOptions : standardOptions),
    );
    let lastLogits: number[] = [];
    try {
      const run = await decodeSideBySide([model], {
        prompt,
        steps,
        sampling,
        feedLast: false,
        onStep: (s) => {
          if (s.step === steps) lastLogits = Array.from(s.logits[0]);
        },
      });
      const generated = run.tokens[0];
      const cache = model.cacheBytes();
      if (json) {
        // The other scheme's cache after the same tokens (one prefill of what this run cached).
        const cached = [...prompt, ...generated].slice(0, model.length);
        const other =
          mode === 'slim'
            ? cacheBytesAfter(host, backend, [standardOptions], cached)
            : cacheBytesAfter(
                host,
                backend,
                // A layer with no usable W_K inverse caches V instead (the same bytes).
                spec.rope ? [slimOptions] : [slimOptions, { ...slimOptions, directions: vCaches }],
                cached,
              );
        const doc: RunJson = {
          generated,
          lastLogits,
          cacheBytes: {
            standard: mode === 'standard' ? cache.total : (other as number),
            slim: mode === 'slim' ? cache.total : other,
          },
          slimScheme: spec.slimScheme,
        };
        printJson(io, doc);
        return EXIT_OK;
      }
      const where =
        mode === 'standard'
          ? 'standard (KV-cache)'
          : directions
            ? `slim (${summarise(directions)}; decode order ${order})`
            : `slim (${spec.slimScheme} in every layer, paper Appendix G)`;
      io.stdout(
        `model: ${dir} (${describeModel(opened)})\nmode: ${where}\n` +
          `decoding: ${describeSampling(sampling)}\n` +
          `prompt: ${prompt.length} tokens\ngenerated: ${generated.join(' ')}\n` +
          (decode ? `text: ${decode([...prompt, ...generated])}\n` : '') +
          `cache after ${model.length} tokens: ${formatBytes(cache.total)} ` +
          `(K ${formatBytes(cache.kCache)}, V ${formatBytes(cache.vCache)})\n`,
      );
      return EXIT_OK;
    } catch (error) {
      if (error instanceof EngineInputError) {
        io.stderr(`slim run: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    } finally {
      model.dispose();
    }
  },
};

function describeSampling(s: Sampling): string {
  const penalty =
    (s.repetitionPenalty ?? 1) !== 1 ? `, repetition penalty ${s.repetitionPenalty}` : '';
  if (isGreedy(s)) return `greedy${penalty}`;
  return (
    `sampling, temperature ${s.temperature}` +
    (s.topK ? `, top-k ${s.topK}` : '') +
    ((s.topP ?? 1) < 1 ? `, top-p ${s.topP}` : '') +
    `, seed ${s.seed ?? 0}${penalty}`
  );
}

function summarise(directions: readonly LayerDirection[]): string {
  const v = directions.filter((d) => d === 'v-cache').length;
  if (v === 0) return 'K-cache in every layer';
  if (v === directions.length) return 'V-cache in every layer';
  return `K-cache in ${directions.length - v} layers, V-cache in ${v}`;
}
