/**
 * Shared by `slim run`, `slim check` and `slim convert`: a model directory (config.json plus
 * model.safetensors or an index and shards, tokenizer files optional) opened through engine's
 * loader, with every checkpoint or config problem turned into a usage error (exit 2) whose
 * message names the file.
 */
import { stat } from 'node:fs/promises';
import {
  CheckpointFormatError,
  FAMILIES,
  CheckpointMissingError,
  EngineInputError,
  loadTokenizer,
  ModelLoadError,
  openModel,
  SingularMatrixError,
  type OpenedModel,
} from '../engine';
// engine/io/node: the Node-only file sources, the one engine path besides its index that cli uses.
import { directorySources, systemErrorText } from '../engine/io/node';
import { CliUsageError } from './errors';

/** True for the errors that mean "this input is malformed or unsupported". */
export function isInputError(error: unknown): error is Error {
  return (
    error instanceof ModelLoadError ||
    error instanceof CheckpointFormatError ||
    error instanceof CheckpointMissingError ||
    error instanceof EngineInputError ||
    error instanceof SingularMatrixError
  );
}

/** Runs fn; malformed input becomes a CliUsageError with the directory in front. */
export async function withInputErrors<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isInputError(error)) throw new CliUsageError(`${dir}: ${error.message}`);
    throw error;
  }
}

/** Checks the directory exists, then opens and validates the checkpoint in it. */
export async function openModelDir(dir: string): Promise<OpenedModel> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliUsageError(
      code === 'ENOENT'
        ? `--model ${dir}: no such directory`
        : `--model ${dir}: cannot be opened (${systemErrorText(error)})`,
    );
  }
  if (!isDir) throw new CliUsageError(`--model ${dir}: not a directory`);
  return withInputErrors(dir, async () => openModel(await directorySources(dir), dir));
}

/**
 * Builds the folder's tokenizer, if it has tokenizer files, to refuse a malformed or hostile
 * one (bad ids, a catastrophic pattern …) with its file named; `slim check` and `slim convert`
 * call it so that neither passes or copies a tokenizer `slim run` would refuse.
 */
export async function checkTokenizerFiles(dir: string, opened: OpenedModel): Promise<void> {
  const tokenizer = await withInputErrors(dir, () => loadTokenizer(opened.files));
  if (!tokenizer) return;
  const file = tokenizer.source === 'tokenizer.json' ? 'tokenizer.json' : 'vocab.json';
  const { vocabSize } = opened.spec;
  const largest = tokenizer.largestId;
  if (largest && largest.id >= vocabSize)
    throw new CliUsageError(
      `${dir}: ${file}: ${largest.entry} is token id ${largest.id}, outside the model's ` +
        `vocabulary (config.json: ids 0 … ${vocabSize - 1})`,
    );
  // A trial run: a tokenizer that fails or yields nothing on plain text is refused here too.
  const ids = await withInputErrors(dir, async () => tokenizer.encode(TRIAL_TEXT));
  if (ids.length === 0)
    throw new CliUsageError(`${dir}: ${file}: the tokenizer encodes "${TRIAL_TEXT}" to no tokens`);
  await withInputErrors(dir, async () => tokenizer.decode(ids));
}

const TRIAL_TEXT = 'Call me Ishmael.';

/** "gpt2, 12 layers, d 768, 12 heads, vocabulary 50257" */
export function describeModel(opened: OpenedModel): string {
  const s = opened.spec;
  return (
    `${s.family}, ${s.layers} layers, d ${s.d}, ${s.heads} heads, vocabulary ${s.vocabSize}` +
    (s.slim ? ', slim checkpoint' : '')
  );
}

/**
 * The supported families, from the engine's family table: one line each with its
 * architectures, model_type and an example repo id (the help of run, check and convert).
 */
export function familiesHelp(): string {
  const width = Math.max(...FAMILIES.map((f) => f.label.length));
  const lines = FAMILIES.map(
    (f) =>
      `  ${f.label.padEnd(width)}  ${f.architectures.join(', ')} (model_type ` +
      `${f.modelTypes.join(', ')}), e.g. ${f.exampleRepo}`,
  );
  return `Supported checkpoints (config.json "architectures"):\n${lines.join('\n')}\n`;
}

/** "Llama (MHA), GPT-NeoX (Pythia)": the families whose attention uses RoPE. */
export function ropeFamilies(): string {
  return FAMILIES.filter((f) => f.rope)
    .map((f) => f.label)
    .join(', ');
}

/** "  GPT-2: column blocks of the fused c_attn" …: where each family keeps W_K and W_V. */
export function kvTensorsHelp(): string {
  return FAMILIES.map((f) => `  ${f.label}: ${f.kvTensors}`).join('\n');
}
