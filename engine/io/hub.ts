/**
 * Hugging Face Hub downloads: files by repo id and revision through the Hub's `resolve` URL
 * layout `${endpoint}/${repo}/resolve/${revision}/${file}`, streamed with progress, cancellable
 * (AbortSignal), resumable (a retry after a broken transfer asks for the rest with an HTTP
 * Range request and keeps the bytes it has when the server answers 206; it starts over on 200),
 * and cached (Cache Storage in the browser, or any HubCache) so a second load makes no request.
 */
import { HubError } from './errors';
import { INDEX_FILE, parseShardIndex, SINGLE_FILE } from './checkpoint';

/** The public Hub. Tests and mirrors pass their own endpoint. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export interface DownloadProgress {
  repo: string;
  revision: string;
  file: string;
  /** Bytes of the file received so far (including bytes kept from an earlier attempt). */
  received: number;
  /** Size of the file when the server said (Content-Length / Content-Range), else undefined. */
  total: number | undefined;
  /** 0–100 when the total is known. */
  percent: number | undefined;
  /** Average rate of this attempt so far, bytes per second. */
  bytesPerSecond: number;
  /** True once this file is complete (the last event for it). */
  done: boolean;
  /** True when the bytes came from the cache, not the network. */
  fromCache: boolean;
}

/** Where downloaded files are kept. A key is the file's resolve URL. */
export interface HubCache {
  /** The bytes, 'missing' when the Hub said 404 before, or undefined when not cached. */
  get(key: string): Promise<Uint8Array | 'missing' | undefined>;
  put(key: string, value: Uint8Array | 'missing'): Promise<void>;
}

/** A cache in memory (for Node, tests, or a session without Cache Storage). */
export class MemoryHubCache implements HubCache {
  readonly entries = new Map<string, Uint8Array | 'missing'>();
  get(key: string): Promise<Uint8Array | 'missing' | undefined> {
    return Promise.resolve(this.entries.get(key));
  }
  put(key: string, value: Uint8Array | 'missing'): Promise<void> {
    this.entries.set(key, value);
    return Promise.resolve();
  }
}

const MISSING_HEADER = 'x-slim-attention-lab-missing';

/** The browser's Cache Storage (`caches.open(name)`), which outlives the page. */
export class CacheStorageHubCache implements HubCache {
  constructor(
    private readonly storage: CacheStorage,
    private readonly name = 'slim-attention-lab-hub',
  ) {}
  async get(key: string): Promise<Uint8Array | 'missing' | undefined> {
    const cache = await this.storage.open(this.name);
    const hit = await cache.match(key);
    if (!hit) return undefined;
    if (hit.headers.get(MISSING_HEADER) === '1') return 'missing';
    return new Uint8Array(await hit.arrayBuffer());
  }
  async put(key: string, value: Uint8Array | 'missing'): Promise<void> {
    const cache = await this.storage.open(this.name);
    const response =
      value === 'missing'
        ? new Response(null, { headers: { [MISSING_HEADER]: '1' } })
        : new Response(value.slice().buffer, {
            headers: { 'content-length': String(value.byteLength) },
          });
    await cache.put(key, response);
  }
}

/** Cache Storage where the platform has it (browser, worker), otherwise no cache. */
export function defaultHubCache(): HubCache | null {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  return storage ? new CacheStorageHubCache(storage) : null;
}

export interface HubOptions {
  /** Hub address, default the public Hub. */
  endpoint?: string;
  /** Access token for gated or private repos (sent as a Bearer token). */
  token?: string;
  /** Cache; default Cache Storage when available, none otherwise. null turns caching off. */
  cache?: HubCache | null;
  /** fetch to use (default the global one). */
  fetch?: typeof fetch;
}

export interface DownloadOptions {
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /**
   * How many times to continue by itself after a broken transfer before reporting it
   * (default 0: report at once; a later call for the same file resumes).
   */
  autoResume?: number;
}

const NAME = /^[A-Za-z0-9_.-]{1,96}$/;

/** Checks a repo id ("name" or "owner/name") as the Hub does; returns a reason, or null. */
export function repoIdProblem(repo: string): string | null {
  if (typeof repo !== 'string' || repo === '') return 'a repo id cannot be empty';
  const parts = repo.split('/');
  if (parts.length > 2) return 'a repo id has at most one "/" (owner/name)';
  for (const p of parts) {
    if (!NAME.test(p)) return 'each part of a repo id is 1–96 letters, digits, "-", "_" or "."';
    if (p.startsWith('-') || p.startsWith('.') || p.endsWith('-') || p.endsWith('.'))
      return 'a repo id part cannot start or end with "-" or "."';
    if (p.includes('--') || p.includes('..')) return 'a repo id cannot contain "--" or ".."';
  }
  return null;
}

function checkRequest(repo: string, revision: string, file: string): void {
  const where = { repo, revision, file };
  const repoProblem = repoIdProblem(repo);
  if (repoProblem)
    throw new HubError(
      'invalid-request',
      where,
      `"${repo}" is not a valid repo id: ${repoProblem}.`,
    );
  if (typeof revision !== 'string' || revision === '' || revision.split('/').includes('..'))
    throw new HubError(
      'invalid-request',
      where,
      `"${revision}" is not a valid revision (a branch, tag or commit hash).`,
    );
  if (
    typeof file !== 'string' ||
    file === '' ||
    file.startsWith('/') ||
    file.split('/').some((s) => s === '' || s === '.' || s === '..')
  )
    throw new HubError('invalid-request', where, `"${file}" is not a valid file path in a repo.`);
}

/** The Hub's resolve URL of a file. */
export function resolveUrl(
  repo: string,
  revision: string,
  file: string,
  endpoint = DEFAULT_HUB_ENDPOINT,
): string {
  checkRequest(repo, revision, file);
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`;
}

/** A broken transfer kept for the next call, which asks for the rest (resume). */
interface PartialDownload {
  chunks: Uint8Array[];
  received: number;
  total: number | undefined;
  /** Validator of the first response, sent as If-Range so a changed file restarts. */
  validator: string | undefined;
}

function abortError(where: { repo: string; revision: string; file: string }, cause: unknown) {
  return new HubError(
    'aborted',
    where,
    `Download of ${where.file} from ${where.repo} was cancelled.`,
    {
      cause,
    },
  );
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].byteLength === length) return chunks[0];
  const out = new Uint8Array(length);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.byteLength;
  }
  return out;
}

/** Total length from "bytes start-end/total"; returns [start, total]. */
function parseContentRange(value: string | null): [number, number | undefined] | null {
  const m = value ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim()) : null;
  if (!m) return null;
  return [Number(m[1]), m[3] === '*' ? undefined : Number(m[3])];
}

/** Downloads files from one Hub endpoint, keeping partial transfers so a retry can resume. */
export class HubClient {
  readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly cache: HubCache | null;
  private readonly fetchImpl: typeof fetch;
  private readonly partials = new Map<string, PartialDownload>();
  private readonly inFlight = new Set<string>();

  constructor(options: HubOptions = {}) {
    this.endpoint = (options.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
    this.token = options.token;
    this.cache = options.cache === undefined ? defaultHubCache() : options.cache;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Bytes kept from an interrupted download of this file (0 when none). */
  partialBytes(repo: string, revision: string, file: string): number {
    return this.partials.get(resolveUrl(repo, revision, file, this.endpoint))?.received ?? 0;
  }

  /** Downloads one file; throws HubError (kind 'not-found' for a 404). */
  async download(
    repo: string,
    revision: string,
    file: string,
    options: DownloadOptions = {},
  ): Promise<Uint8Array> {
    const result = await this.tryDownload(repo, revision, file, options);
    if (result === 'missing')
      throw new HubError(
        'not-found',
        { repo, revision, file, status: 404 },
        `Repo ${repo} has no file ${file} at revision ${revision}.`,
      );
    return result;
  }

  /** Like download, but a file the Hub does not have gives 'missing' instead of an error. */
  async tryDownload(
    repo: string,
    revision: string,
    file: string,
    options: DownloadOptions = {},
  ): Promise<Uint8Array | 'missing'> {
    const url = resolveUrl(repo, revision, file, this.endpoint);
    const where = { repo, revision, file };
    if (options.signal?.aborted) throw abortError(where, options.signal.reason);
    const cached = this.cache ? await this.cache.get(url) : undefined;
    if (cached !== undefined) {
      if (cached !== 'missing')
        options.onProgress?.({
          ...where,
          received: cached.byteLength,
          total: cached.byteLength,
          percent: 100,
          bytesPerSecond: 0,
          done: true,
          fromCache: true,
        });
      return cached;
    }
    if (this.inFlight.has(url))
      throw new HubError(
        'invalid-request',
        where,
        `${file} from ${repo} is already being downloaded; wait for that download to finish.`,
      );
    this.inFlight.add(url);
    try {
      let attemptsLeft = Math.max(0, options.autoResume ?? 0);
      for (;;) {
        try {
          const result = await this.fetchOnce(url, where, options);
          if (this.cache) await this.cache.put(url, result);
          return result;
        } catch (err) {
          if (err instanceof HubError && err.kind === 'truncated' && attemptsLeft > 0) {
            attemptsLeft--;
            continue;
          }
          throw err;
        }
      }
    } finally {
      this.inFlight.delete(url);
    }
  }

  private async fetchOnce(
    url: string,
    where: { repo: string; revision: string; file: string },
    options: DownloadOptions,
  ): Promise<Uint8Array | 'missing'> {
    const { signal, onProgress } = options;
    let partial = this.partials.get(url);
    // Ask for the bytes as stored, so Content-Length is the file size (browsers drop this
    // header and decide themselves).
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
    if (this.token) headers['Authorization'] = `Bearer ${this.token}`;
    if (partial && partial.received > 0) {
      headers['Range'] = `bytes=${partial.received}-`;
      if (partial.validator) headers['If-Range'] = partial.validator;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(url, { headers, signal });
    } catch (err) {
      if (signal?.aborted) throw abortError(where, err);
      const detail = err instanceof Error ? err.message : String(err);
      throw new HubError(
        'network',
        where,
        `Could not reach ${this.endpoint} to download ${where.file} from ${where.repo} ` +
          `(${detail}). Check the connection and try again.`,
        { cause: err },
      );
    }
    const status = response.status;
    const at = { ...where, status };
    if (status === 404) {
      await response.body?.cancel();
      const code = response.headers.get('x-error-code');
      if (code === 'RepoNotFound' || code === 'RevisionNotFound') {
        const what =
          code === 'RepoNotFound'
            ? `Repo ${where.repo} does not exist`
            : `Repo ${where.repo} has no revision ${where.revision}`;
        throw new HubError('not-found', at, `${what} (while looking for ${where.file}).`);
      }
      return 'missing';
    }
    if (status === 401 || status === 403) {
      await response.body?.cancel();
      throw new HubError(
        'unauthorized',
        at,
        status === 401
          ? `Repo ${where.repo} is gated or private (or does not exist): the Hub refused ` +
              `${where.file} without ${this.token ? 'a token that has access' : 'an access token'}.`
          : `Repo ${where.repo} is gated: this token has no access to ${where.file}; accept the ` +
              'license on the model page, or use a token that has access.',
      );
    }
    if (status === 416 && partial) {
      // Our kept bytes do not fit the file any more: start over.
      await response.body?.cancel();
      this.partials.delete(url);
      return this.fetchOnce(url, where, options);
    }
    if (status !== 200 && status !== 206) {
      await response.body?.cancel();
      throw new HubError(
        'http',
        at,
        `The Hub answered ${status} ${response.statusText} for ${where.file} in ${where.repo} ` +
          `at revision ${where.revision}.`,
      );
    }
    const contentLength = response.headers.get('content-length');
    const encoding = response.headers.get('content-encoding');
    // A compressed body's Content-Length counts compressed bytes, not the file's.
    const length =
      contentLength !== null &&
      /^\d+$/.test(contentLength) &&
      (!encoding || encoding === 'identity')
        ? Number(contentLength)
        : undefined;
    if (status === 206 && partial) {
      const range = parseContentRange(response.headers.get('content-range'));
      if (!range || range[0] !== partial.received) {
        await response.body?.cancel();
        this.partials.delete(url);
        throw new HubError(
          'http',
          at,
          `The Hub answered a resume of ${where.file} with the wrong range ` +
            `(${response.headers.get('content-range')}); the partial download was dropped, ` +
            'try again.',
        );
      }
      partial.total =
        range[1] ?? (length !== undefined ? partial.received + length : partial.total);
    } else {
      // 200 (or a 206 we did not ask for, treated alike only when it covers everything): fresh.
      if (status === 206) {
        const range = parseContentRange(response.headers.get('content-range'));
        if (!range || range[0] !== 0) {
          await response.body?.cancel();
          throw new HubError('http', at, `The Hub sent part of ${where.file} unasked.`);
        }
      }
      partial = {
        chunks: [],
        received: 0,
        total: length,
        validator:
          response.headers.get('etag') ?? response.headers.get('last-modified') ?? undefined,
      };
    }
    this.partials.set(url, partial);

    const state = partial;
    const started = Date.now();
    const startBytes = state.received;
    const report = (done: boolean) => {
      const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
      onProgress?.({
        ...where,
        received: state.received,
        total: state.total,
        percent: state.total
          ? Math.min(100, (100 * state.received) / state.total)
          : state.total === 0
            ? 100
            : undefined,
        bytesPerSecond: (state.received - startBytes) / seconds,
        done,
        fromCache: false,
      });
    };
    report(false);
    const body = response.body;
    if (body) {
      const reader = body.getReader();
      try {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (err) {
            // The connection broke (or was aborted) mid-body: keep what arrived for a resume.
            if (signal?.aborted) throw abortError(where, err);
            throw this.truncated(at, state, err);
          }
          if (chunk.done) break;
          state.chunks.push(chunk.value);
          state.received += chunk.value.byteLength;
          if (state.total !== undefined && state.received > state.total) {
            if (status === 200) {
              // A content-encoded body (its header hidden from us) is longer than the
              // Content-Length it was sent with: the size is simply unknown.
              state.total = undefined;
            } else {
              this.partials.delete(url);
              throw new HubError(
                'http',
                at,
                `The Hub sent more than the announced ${state.total} bytes of ${where.file}; ` +
                  'the download was dropped, try again.',
              );
            }
          }
          report(false);
        }
      } catch (err) {
        // Whatever stopped us (a callback that threw included), let go of the connection.
        await reader.cancel().catch(() => undefined);
        throw err;
      } finally {
        reader.releaseLock();
      }
    }
    if (state.total !== undefined && state.received < state.total) throw this.truncated(at, state);
    this.partials.delete(url);
    const bytes = concat(state.chunks, state.received);
    state.total = state.received;
    report(true);
    return bytes;
  }

  private truncated(
    at: { repo: string; revision: string; file: string; status: number },
    state: PartialDownload,
    cause?: unknown,
  ): HubError {
    const of = state.total !== undefined ? ` of ${state.total}` : '';
    const detail = cause instanceof Error ? ` (${cause.message})` : '';
    return new HubError(
      'truncated',
      at,
      `The download of ${at.file} from ${at.repo} broke off after ${state.received}${of} ` +
        `bytes${detail}. Try again: the download resumes from byte ${state.received}.`,
      { cause },
    );
  }
}

/** One tokenizer layout: tokenizer.json, or GPT-2's vocab.json + merges.txt. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'vocab.json', 'merges.txt'];

export interface HubModelFiles {
  repo: string;
  revision: string;
  /** File name → bytes: config.json, the weights (single file or index + shards), tokenizer. */
  files: Map<string, Uint8Array>;
  /** The weight files, in download order (model.safetensors, or the index then its shards). */
  weightFiles: string[];
  /** The tokenizer files found. */
  tokenizerFiles: string[];
}

export interface ModelDownloadOptions extends DownloadOptions {
  /** Called before each file starts, with its place in the list known so far. */
  onFile?: (file: string, index: number, knownCount: number) => void;
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
  const files = new Map<string, Uint8Array>();
  const weightFiles: string[] = [];
  const tokenizerFiles: string[] = [];
  let known = 2 + TOKENIZER_FILES.length;
  let step = 0;
  const get = (file: string) => {
    options.onFile?.(file, step++, known);
    return client.tryDownload(repo, revision, file, options);
  };
  const config = await get('config.json');
  if (config === 'missing')
    throw new HubError(
      'not-found',
      { repo, revision, file: 'config.json', status: 404 },
      `Repo ${repo} has no file config.json at revision ${revision}, so it is not a ` +
        'Transformers model this lab can load.',
    );
  files.set('config.json', config);

  const single = await get(SINGLE_FILE);
  if (single !== 'missing') {
    files.set(SINGLE_FILE, single);
    weightFiles.push(SINGLE_FILE);
  } else {
    const index = await get(INDEX_FILE);
    if (index === 'missing')
      throw new HubError(
        'not-found',
        { repo, revision, file: SINGLE_FILE, status: 404 },
        `Repo ${repo} has neither ${SINGLE_FILE} nor ${INDEX_FILE} at revision ${revision}: ` +
          'it has no safetensors weights.',
      );
    files.set(INDEX_FILE, index);
    weightFiles.push(INDEX_FILE);
    const { shards } = parseShardIndex(new TextDecoder().decode(index), INDEX_FILE);
    known += shards.length;
    for (const shard of shards) {
      const bytes = await get(shard);
      if (bytes === 'missing')
        throw new HubError(
          'not-found',
          { repo, revision, file: shard, status: 404 },
          `Repo ${repo} has no file ${shard} at revision ${revision}, though ${INDEX_FILE} ` +
            'names it as a shard.',
        );
      files.set(shard, bytes);
      weightFiles.push(shard);
    }
  }

  for (const file of TOKENIZER_FILES) {
    if (file === 'vocab.json' && files.has('tokenizer.json')) continue;
    if (file === 'merges.txt' && !files.has('vocab.json')) continue;
    const bytes = await get(file);
    if (bytes !== 'missing') {
      files.set(file, bytes);
      tokenizerFiles.push(file);
    }
  }
  return { repo, revision, files, weightFiles, tokenizerFiles };
}
