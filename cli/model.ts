/**
 * Shared by `slim run`, `slim check` and `slim convert`: a model directory (config.json plus
 * model.safetensors or an index and shards, tokenizer files optional) opened through engine's
 * loader, with every checkpoint or config problem turned into a usage error (exit 2) whose
 * message names the file.
 */
import { stat } from 'node:fs/promises';
import {
  CheckpointFormatError,
  CheckpointMissingError,
  EngineInputError,
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

/** "gpt2, 12 layers, d 768, 12 heads, vocabulary 50257" */
export function describeModel(opened: OpenedModel): string {
  const s = opened.spec;
  return (
    `${s.family}, ${s.layers} layers, d ${s.d}, ${s.heads} heads, vocabulary ${s.vocabSize}` +
    (s.slim ? ', slim checkpoint' : '')
  );
}
