import {
  checkModel,
  CpuBackend,
  DEFAULT_SLIM_TOLERANCE,
  EngineInputError,
  loadModel,
  loadTokenizer,
  type LayerDirection,
  type OpenedModel,
} from '../../engine';
import { parseCount, requireString } from '../args';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from '../errors';
import { formatBytes } from '../format';
import { describeModel, openModelDir, withInputErrors } from '../model';
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
 * The per-layer directions of `slim check` (or a converted checkpoint's stored ones). Throws
 * a CliUsageError naming the layers that cannot be made slim within the tolerance.
 */
export async function slimDirections(opened: OpenedModel, dir: string): Promise<LayerDirection[]> {
  if (opened.spec.slim) return opened.spec.slim.layers;
  const report = await withInputErrors(dir, () => checkModel(opened));
  const bad = report.filter((r) => !r.ok || r.direction === null);
  if (bad.length > 0)
    throw new CliUsageError(
      `${dir}: layer${bad.length > 1 ? 's' : ''} ${bad.map((r) => r.layer).join(', ')} cannot ` +
        `be made slim within a float32 relative error of ${DEFAULT_SLIM_TOLERANCE} in either ` +
        "direction (see 'slim check'); use --mode standard",
    );
  return report.map((r) => r.direction as LayerDirection);
}

export const runCommand: Command = {
  name: 'run',
  summary: 'greedy decoding of a Hugging Face checkpoint on the CPU, standard or slim',
  help: `Usage: slim run --model DIR (--prompt TEXT | --tokens 1,2,3) --steps N
                --mode standard|slim [--decode-order k-first|v-first] [--json]

Loads a GPT-2, Llama (MHA) or GPT-NeoX checkpoint from DIR (config.json and model.safetensors,
or model.safetensors.index.json and its shards; a checkpoint written by 'slim convert' loads
as is) and decodes N tokens greedily on the CPU backend (float32).

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
  --json             print one JSON document (a contract):
                     {generated: [token ids], lastLogits: [the full logits vector from
                      which the last generated token was chosen]}
  -h, --help         show this help

Example: slim run --model public/models/moby-gpt2 --prompt "Call me" --steps 20 --mode slim
`,
  options: {
    model: { type: 'string' },
    prompt: { type: 'string' },
    tokens: { type: 'string' },
    steps: { type: 'string' },
    mode: { type: 'string' },
    'decode-order': { type: 'string' },
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

    // Per-layer directions are the K-cache's (MHA); a GQA model's slim cache needs none.
    const kCache = mode === 'slim' && spec.slimScheme === 'k-cache';
    const directions = kCache ? await slimDirections(opened, dir) : undefined;
    const backend = new CpuBackend({ dtype: 'float32' });
    const model = await withInputErrors(dir, () =>
      loadModel(opened, backend, {
        scheme: mode === 'slim' ? 'k-cache' : 'kv',
        decodeOrder: order,
        directions,
      }),
    );
    const generated: number[] = [];
    let lastLogits: number[] = [];
    try {
      let out = model.prefill(prompt);
      for (let s = 0; s < steps; s++) {
        const row = await out.read();
        const next = await model.argmax(out);
        out.dispose();
        generated.push(next);
        if (s === steps - 1) {
          lastLogits = Array.from(row);
          break;
        }
        out = model.decode(next);
      }
      const cache = model.cacheBytes();
      if (json) {
        printJson(io, { generated, lastLogits });
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
          `prompt: ${prompt.length} tokens\ngenerated: ${generated.join(' ')}\n` +
          (decode ? `text: ${decode([...prompt, ...generated])}\n` : '') +
          `cache after ${prompt.length + steps - 1} tokens: ${formatBytes(cache.total)} ` +
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

function summarise(directions: readonly LayerDirection[]): string {
  const v = directions.filter((d) => d === 'v-cache').length;
  if (v === 0) return 'K-cache in every layer';
  if (v === directions.length) return 'V-cache in every layer';
  return `K-cache in ${directions.length - v} layers, V-cache in ${v}`;
}
