/**
 * The models shipped with the app (public/models/…, Hugging Face layout, trained by
 * scripts/train_default_models.py): their names, the files they are fetched as, and one fetch
 * used by the Playground's worker and by the lessons that run real weights.
 */
import gpt2Log from '../public/models/moby-gpt2/train_log.json';
import llamaLog from '../public/models/moby-llama/train_log.json';

export const DEFAULT_MODELS = {
  'moby-gpt2': 'GPT-2 family, trained on Moby-Dick and the State of the Union addresses',
  'moby-llama': 'Llama family, trained on Moby-Dick and the State of the Union addresses',
} as const;
export type DefaultModel = keyof typeof DEFAULT_MODELS;
export const DEFAULT_MODEL_NAMES = Object.keys(DEFAULT_MODELS) as DefaultModel[];

/** What a default model's training log (train_log.json, written by the training script) says. */
export interface DefaultModelCard {
  parameters: number;
  /** Cross-entropy on Moby-Dick's held-out chapters (nats per token). */
  valLoss: number;
  trainMinutes: number;
  /** The training text and its licence. */
  text: string;
}

const card = (log: {
  params: number;
  finalValLoss: number;
  trainSeconds: number;
  trainingText: string;
}) => ({
  parameters: log.params,
  valLoss: log.finalValLoss,
  trainMinutes: Math.round(log.trainSeconds / 60),
  text: log.trainingText,
});

export const DEFAULT_MODEL_CARDS: Record<DefaultModel, DefaultModelCard> = {
  'moby-gpt2': card(gpt2Log),
  'moby-llama': card(llamaLog),
};

/** The files a default model is fetched as. */
export const DEFAULT_MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'] as const;

/**
 * The models folder the app serves (public/models) as an absolute URL, for a worker (which
 * has no page address of its own to resolve against). Call it on the page.
 */
export const defaultModelsBase = (): string =>
  new URL(`${import.meta.env.BASE_URL}models/`, window.location.href).href;

/**
 * Fetches every file of a default model from `base` (see defaultModelsBase), by file name.
 * Throws an Error naming the file and the HTTP status when one cannot be fetched.
 */
export async function fetchDefaultModel(
  name: DefaultModel,
  base: string,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const file of DEFAULT_MODEL_FILES) {
    const url = new URL(`${name}/${file}`, base).href;
    const response = await fetch(url);
    if (!response.ok)
      throw new Error(
        `The default model file ${name}/${file} could not be fetched (HTTP ${response.status}).`,
      );
    files.set(file, new Uint8Array(await response.arrayBuffer()));
  }
  return files;
}
