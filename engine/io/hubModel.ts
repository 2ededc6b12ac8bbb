/**
 * A whole model from the Hub, checked before any weight byte: config.json first (the caller's
 * check refuses an architecture it cannot run), then the size of the weights (the shard index's
 * `metadata.total_size`, or a HEAD request's Content-Length) against a budget, the index's shard
 * list (count, plain `*.safetensors` names), and only then the weights and the tokenizer files.
 * A file whose absence a later push could fix is never remembered as missing unless the load
 * succeeds.
 */
import { units } from '../../roofline';
import type { ByteSource } from './bytes';
import { INDEX_FILE, parseShardIndex, SINGLE_FILE, type ShardIndex } from './checkpoint';
import { CheckpointFormatError, HubError } from './errors';
import { HubClient, type DownloadOptions, type SizeLimit } from './hub';
import { sizeLimit } from './limits';

/** Shards an index may name: the largest public checkpoints have a few hundred. */
export const MAX_SHARDS = 512;

/**
 * Weights a Hub download brings into the browser: Cache Storage keeps them and the backend
 * holds them (built tensor by tensor from the cached files), so a model larger than this is
 * refused before any weight byte is fetched.
 */
export const MAX_HUB_WEIGHT_BYTES = 2 * 1024 * 1024 * 1024;

/** One tokenizer layout: tokenizer.json, or GPT-2's vocab.json + merges.txt. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'vocab.json', 'merges.txt'];

/** A shard name the index may give: a plain file name ending in .safetensors. */
const SHARD_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}\.safetensors$/;

export interface HubModelFiles {
  repo: string;
  revision: string;
  /**
   * File name → bytes: config.json, the index and the tokenizer as bytes; each weight file as a
   * source read by ranges: its Cache Storage Blob (not held in memory), or where nothing is
   * cached the downloaded Blob (in Node, an in-memory cache's bytes).
   */
  files: Map<string, Uint8Array | ByteSource>;
  /** The weight files, in download order (model.safetensors, or the index then its shards). */
  weightFiles: string[];
  /** The tokenizer files found. */
  tokenizerFiles: string[];
  /** Bytes of the weight files (the single file, or the shards). */
  weightBytes: number;
}

export interface ModelDownloadOptions extends DownloadOptions {
  /** Called before each file starts, with its place in the list known so far. */
  onFile?: (file: string, index: number, knownCount: number) => void;
  /**
   * Checks config.json's text before anything else is fetched; throw to refuse the model (the
   * Playground passes engine/models' readModelSpec, which names what it cannot run).
   */
  checkConfig?: (text: string) => void;
  /** The most weight bytes to download (default MAX_HUB_WEIGHT_BYTES). */
  maxWeightBytes?: number;
}

/** The size limit of a config, index or tokenizer file (engine/io/limits.ts). */
function textLimit(file: string): SizeLimit {
  const bytes = sizeLimit(file);
  if (bytes === undefined) throw new Error(`engine/io/limits.ts has no size limit for ${file}`);
  return { bytes, why: `the limit for a ${file} (real ones are far smaller)` };
}

/**
 * Fetches what a model needs: config.json, then model.safetensors or (when the repo has none)
 * model.safetensors.index.json and every shard it names, then the tokenizer files present.
 * The result's `files` map goes straight into openCheckpoint.
 */
export async function downloadModel(
  client: HubClient,
  repo: string,
  revision = 'main',
  options: ModelDownloadOptions = {},
): Promise<HubModelFiles> {
  const budget = options.maxWeightBytes ?? MAX_HUB_WEIGHT_BYTES;
  const files = new Map<string, Uint8Array | ByteSource>();
  const weightFiles: string[] = [];
  const tokenizerFiles: string[] = [];
  /** Files found missing, remembered in the cache only once the model has loaded. */
  const missing: string[] = [];
  let known = 2 + TOKENIZER_FILES.length;
  let step = 0;
  const fileOptions = {
    onProgress: options.onProgress,
    signal: options.signal,
    autoResume: options.autoResume,
    cacheMissing: false,
  };
  /** A required file's 404 is asked again next time; a tokenizer file's is believed. */
  const get = (file: string, limit: SizeLimit, required = true) => {
    options.onFile?.(file, step++, known);
    return client.tryDownload(repo, revision, file, {
      ...fileOptions,
      limit,
      trustCachedMissing: !required,
    });
  };
  const at = (file: string) => ({ repo, revision, file });

  const config = await get('config.json', textLimit('config.json'));
  if (config === 'missing')
    throw new HubError(
      'not-found',
      { ...at('config.json'), status: 404 },
      `Repo ${repo} has no file config.json at revision ${revision}, so it is not a ` +
        'Transformers model this lab can load.',
    );
  files.set('config.json', config);
  if (options.checkConfig)
    try {
      options.checkConfig(new TextDecoder().decode(config));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new HubError(
        'unsupported',
        at('config.json'),
        `Repo ${repo} cannot be loaded here: ${message} Only config.json was downloaded.`,
        { cause: err },
      );
    }

  /** Refuses weights over the budget; `how` says where the size came from. */
  const refuseSize = (bytes: number, how: string, fetched: string) => {
    if (bytes > budget)
      throw new HubError(
        'too-large',
        at(weightFiles[0] ?? SINGLE_FILE),
        `Repo ${repo} has ${units.formatBytes(bytes)} of weights (${how}), more than the ` +
          `${units.formatCapacity(budget)} this lab downloads and holds in the browser. ` +
          `Nothing beyond ${fetched} was downloaded.`,
      );
  };
  const signal = { signal: options.signal };
  let weightBytes = 0;
  const weightLimit = (): SizeLimit => ({
    bytes: budget - weightBytes,
    why: `what is left of the ${units.formatCapacity(budget)} of weights this lab downloads`,
  });

  const singleSize = await client.fileSize(repo, revision, SINGLE_FILE, signal);
  let shards: string[];
  if (singleSize !== 'missing') {
    if (singleSize !== undefined)
      refuseSize(singleSize, `the size of ${SINGLE_FILE} the server gave`, 'config.json');
    shards = [SINGLE_FILE];
  } else {
    missing.push(SINGLE_FILE);
    const index = await get(INDEX_FILE, textLimit(INDEX_FILE));
    if (index === 'missing' && (await client.forgetMissing(repo, revision, SINGLE_FILE)))
      // A 404 of model.safetensors remembered from before, yet no index now: ask again.
      return downloadModel(client, repo, revision, options);
    if (index === 'missing')
      throw new HubError(
        'not-found',
        { ...at(SINGLE_FILE), status: 404 },
        `Repo ${repo} has neither ${SINGLE_FILE} nor ${INDEX_FILE} at revision ${revision}: ` +
          'it has no safetensors weights.',
      );
    files.set(INDEX_FILE, index);
    weightFiles.push(INDEX_FILE);
    const checked = checkIndex(repo, revision, index);
    shards = checked.shards;
    known += shards.length;
    const total = checked.totalSize;
    const fetched = `config.json and ${INDEX_FILE}`;
    if (total !== undefined) refuseSize(total, `metadata.total_size in ${INDEX_FILE}`, fetched);
    else {
      // No total in the index: ask each shard's size before any weight byte.
      let sum = 0;
      for (const shard of shards) {
        const size = await client.fileSize(repo, revision, shard, signal);
        if (typeof size === 'number') sum += size;
      }
      refuseSize(sum, `the sizes of its ${shards.length} shards the server gave`, fetched);
    }
  }

  for (const shard of shards) {
    options.onFile?.(shard, step++, known);
    // A source read by ranges (the cached Blob): the weights are never held in memory whole.
    const source = await client.tryDownloadSource(repo, revision, shard, {
      ...fileOptions,
      limit: weightLimit(),
      trustCachedMissing: false,
    });
    if (source === 'missing')
      throw new HubError(
        'not-found',
        { ...at(shard), status: 404 },
        shard === SINGLE_FILE
          ? `Repo ${repo} has no file ${SINGLE_FILE} at revision ${revision}.`
          : `Repo ${repo} has no file ${shard} at revision ${revision}, though ${INDEX_FILE} ` +
              'names it as a shard.',
      );
    files.set(shard, source);
    weightFiles.push(shard);
    weightBytes += source.size;
  }

  for (const file of TOKENIZER_FILES) {
    if (file === 'vocab.json' && files.has('tokenizer.json')) continue;
    if (file === 'merges.txt' && !files.has('vocab.json')) continue;
    const bytes = await get(file, textLimit(file), false);
    if (bytes === 'missing') missing.push(file);
    else {
      files.set(file, bytes);
      tokenizerFiles.push(file);
    }
  }
  for (const file of missing) await client.rememberMissing(repo, revision, file);
  return { repo, revision, files, weightFiles, tokenizerFiles, weightBytes };
}

/** The index's shards, refused when too many or when a name is not a plain *.safetensors name. */
function checkIndex(repo: string, revision: string, index: Uint8Array): ShardIndex {
  const where = { repo, revision, file: INDEX_FILE };
  let parsed: ShardIndex;
  try {
    parsed = parseShardIndex(new TextDecoder().decode(index), INDEX_FILE);
  } catch (err) {
    if (!(err instanceof CheckpointFormatError)) throw err;
    throw new HubError('malformed', where, `Repo ${repo}: ${err.message}`, { cause: err });
  }
  if (parsed.shards.length > MAX_SHARDS)
    throw new HubError(
      'too-large',
      where,
      `Repo ${repo}: ${INDEX_FILE} names ${parsed.shards.length} shard files, more than the ` +
        `${MAX_SHARDS} this lab accepts; no shard was downloaded.`,
    );
  const { shards } = parsed;
  const bad = shards.find((s) => !SHARD_NAME.test(s));
  if (bad !== undefined)
    throw new HubError(
      'malformed',
      where,
      `Repo ${repo}: ${INDEX_FILE} names the shard ${JSON.stringify(bad.slice(0, 120))}; a shard ` +
        'must be a plain file name ending in .safetensors (letters, digits, "-", "_", "."); no ' +
        'shard was downloaded.',
    );
  return parsed;
}
