/**
 * Size limits for what engine/io reads whole into memory from a server or a folder, in one place.
 * A file over its limit is refused as it streams in (a running count, so an endless body or a
 * compression bomb stops at the limit, not at the end of the memory).
 */

/** config.json: real ones are a few kilobytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** model.safetensors.index.json: a 400B-parameter model's index is about 100 kB. */
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;

/** One tokenizer file (tokenizer.json, vocab.json, merges.txt, …): large vocabularies reach 35 MB. */
export const MAX_TOKENIZER_BYTES = 64 * 1024 * 1024;

/** Shards an index may name: the largest public checkpoints have a few hundred. */
export const MAX_SHARDS = 512;

/**
 * Weights a Hub download brings into the browser: the page holds them in memory and the backend
 * uploads them, so a model larger than this is refused before any weight byte is fetched.
 */
export const MAX_HUB_WEIGHT_BYTES = 2 * 1024 * 1024 * 1024;
