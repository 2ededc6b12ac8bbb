/**
 * The models shipped with the app (public/models/…, Hugging Face layout, trained by
 * scripts/train_default_models.py): their names, the files they are fetched as, and one fetch
 * used by the Playground's worker and by the lessons that run real weights.
 */
export const DEFAULT_MODELS = {
  'moby-gpt2': 'GPT-2 family, trained on Moby-Dick',
  'moby-llama': 'Llama family, trained on Moby-Dick',
} as const;
export type DefaultModel = keyof typeof DEFAULT_MODELS;
export const DEFAULT_MODEL_NAMES = Object.keys(DEFAULT_MODELS) as DefaultModel[];

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
