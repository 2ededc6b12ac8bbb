/**
 * Hugging Face Hub downloads: files by repo id and revision through the Hub's `resolve` URL
 * layout `${endpoint}/${repo}/resolve/${revision}/${file}`, streamed with progress, cancellable
 * (AbortSignal; a cancelled transfer lets go of its bytes), resumable (a retry after a broken
 * transfer asks for the rest with an HTTP Range request and keeps the bytes it has when the
 * server answers 206; it starts over on 200), capped (a running count stops a body past its
 * limit), checked (a .json file must parse, a .safetensors file must have a valid header that
 * accounts for every byte) and only then cached (Cache Storage in the browser, or any HubCache),
 * so a second load makes no request and a bad answer is never kept. A body is gathered as a
 * Blob (its chunks folded into Blob parts as they come), never as chunks plus their
 * concatenation; weights are checked and read back through ranges of it (tryDownloadSource), so
 * a large file is never held twice.
 *
 * The server is untrusted input: a redirect it cannot be followed through, an address that is
 * not http(s), an HTML page in place of a file, an endless body are all reported as what they are.
 */
import { units } from '../../roofline';
import { blobSource, bufferSource, type ByteSource } from './bytes';
import { HubError } from './errors';
import { defaultHubCache, type HubCache } from './hubCache';
import {
  abortError,
  parseContentRange,
  refusal,
  send,
  storedLength,
  type HubEndpoint,
  type Where,
} from './hubHttp';
import type { FileOptions, HubOptions, SizeLimit } from './hubOptions';
import {
  DEFAULT_HUB_ENDPOINT,
  hubFileProblem,
  resolveUrl,
  sourceProblem,
  trimEndpoint,
} from './hubUrl';
export type {
  DownloadOptions,
  DownloadProgress,
  FileOptions,
  HubOptions,
  SizeLimit,
} from './hubOptions';

export { CacheStorageHubCache, defaultHubCache, MemoryHubCache, type HubCache } from './hubCache';
export {
  DEFAULT_HUB_ENDPOINT,
  hubAddressProblem,
  hubFileProblem,
  repoIdProblem,
  resolveUrl,
} from './hubUrl';

/** A broken transfer kept for the next call, which asks for the rest (resume). */
interface PartialDownload {
  /** The body so far: Blob parts, then the chunks not yet folded into one. */
  parts: Blob[];
  pending: Uint8Array[];
  pendingBytes: number;
  received: number;
  total: number | undefined;
  /** Validator of the first response, sent as If-Range so a changed file restarts. */
  validator: string | undefined;
}

/**
 * Received chunks are folded into a Blob part every this many bytes, so the stream's chunks are
 * let go as the download runs (a browser keeps Blob data outside the page's heap).
 */
export const BLOB_PART_BYTES = 16 * 1024 * 1024;

function foldPending(state: PartialDownload): void {
  if (state.pending.length === 0) return;
  state.parts.push(new Blob(state.pending as Uint8Array<ArrayBuffer>[]));
  state.pending = [];
  state.pendingBytes = 0;
}

/** A download as bytes or as a source read by ranges (tryDownload, tryDownloadSource). */
type Body<As extends 'bytes' | 'source'> = As extends 'bytes' ? Uint8Array : ByteSource;

/** Downloads files from one Hub endpoint, keeping partial transfers so a retry can resume. */
export class HubClient implements HubEndpoint {
  readonly endpoint: string;
  readonly token: string | undefined;
  private readonly cache: HubCache | null;
  readonly fetchImpl: typeof fetch;
  private readonly partials = new Map<string, PartialDownload>();
  private readonly inFlight = new Set<string>();

  constructor(options: HubOptions = {}) {
    this.endpoint = trimEndpoint(options.endpoint ?? DEFAULT_HUB_ENDPOINT);
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
    options: FileOptions = {},
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
  tryDownload(
    repo: string,
    revision: string,
    file: string,
    options: FileOptions = {},
  ): Promise<Uint8Array | 'missing'> {
    return this.fetchFile(repo, revision, file, options, 'bytes');
  }

  /**
   * Like tryDownload, but the file comes back as a source read by ranges: the cached entry read
   * in place (Cache Storage's Blob), or the downloaded Blob where nothing is cached; a cached
   * .safetensors file is checked through its header, never read whole. For weights: the file
   * is never held in memory as a whole, let alone twice.
   */
  tryDownloadSource(
    repo: string,
    revision: string,
    file: string,
    options: FileOptions = {},
  ): Promise<ByteSource | 'missing'> {
    return this.fetchFile(repo, revision, file, options, 'source');
  }

  private async fetchFile<As extends 'bytes' | 'source'>(
    repo: string,
    revision: string,
    file: string,
    options: FileOptions,
    as: As,
  ): Promise<Body<As> | 'missing'> {
    const url = resolveUrl(repo, revision, file, this.endpoint);
    const where = { repo, revision, file };
    if (options.signal?.aborted) throw abortError(where, options.signal.reason);
    const cached = await this.cached(url, file, options, as);
    if (cached !== undefined) {
      if (cached !== 'missing') {
        const size = cached instanceof Uint8Array ? cached.byteLength : cached.size;
        options.onProgress?.({
          ...where,
          received: size,
          total: size,
          percent: 100,
          bytesPerSecond: 0,
          done: true,
          fromCache: true,
        });
      }
      return cached as Body<As> | 'missing';
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
          if (result === 'missing') {
            if (this.cache && options.cacheMissing !== false) await this.cache.put(url, result);
            return result;
          }
          return (await this.keep(url, where, result, as)) as Body<As>;
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

  /** Checks a downloaded body, caches it, and gives it back as bytes or as a source. */
  private async keep(
    url: string,
    where: Where,
    blob: Blob,
    as: 'bytes' | 'source',
  ): Promise<Uint8Array | ByteSource> {
    const { file } = where;
    const bytes = as === 'bytes' ? new Uint8Array(await blob.arrayBuffer()) : undefined;
    const problem = bytes
      ? await hubFileProblem(file, bytes)
      : await sourceProblem(file, blobSource(blob, file));
    if (problem)
      throw new HubError(
        'malformed',
        where,
        `${file} from ${where.repo} (revision ${where.revision}) is not a usable file: ` +
          `${problem}. It was not kept, so the next try downloads it again.`,
      );
    if (this.cache) await this.cache.put(url, bytes ?? blob);
    if (bytes) return bytes;
    // Read in place from the cache where it can be, so the page lets go of the Blob.
    return (await this.cache?.source?.(url, file)) ?? blobSource(blob, file);
  }

  /** A cached entry that still passes the file's check (one that does not is dropped). */
  private async cached(
    url: string,
    file: string,
    options: FileOptions,
    as: 'bytes' | 'source',
  ): Promise<Uint8Array | ByteSource | 'missing' | undefined> {
    if (!this.cache) return undefined;
    let hit: Uint8Array | ByteSource | 'missing' | undefined;
    if (as === 'source' && this.cache.source) {
      const size = await this.cache.size(url);
      hit = size === 'missing' || size === undefined ? size : await this.cache.source(url, file);
    } else {
      hit = await this.cache.get(url);
      if (as === 'source' && hit instanceof Uint8Array) hit = bufferSource(hit, file);
    }
    if (hit === undefined) return undefined;
    const size = hit === 'missing' ? 0 : hit instanceof Uint8Array ? hit.byteLength : hit.size;
    const stale =
      hit === 'missing'
        ? options.trustCachedMissing === false
        : (options.limit !== undefined && size > options.limit.bytes) ||
          (hit instanceof Uint8Array
            ? await hubFileProblem(file, hit)
            : await sourceProblem(file, hit)) !== null;
    if (!stale) return hit;
    await this.cache.delete(url);
    return undefined;
  }

  /**
   * A cached file as a source read in place (Cache Storage's Blob), so the caller can drop the
   * bytes it downloaded; undefined where the cache cannot give one.
   */
  async storedSource(
    repo: string,
    revision: string,
    file: string,
  ): Promise<ByteSource | undefined> {
    return this.cache?.source?.(resolveUrl(repo, revision, file, this.endpoint), file);
  }

  /** Remembers that the Hub has no such file (a second load then asks nothing). */
  async rememberMissing(repo: string, revision: string, file: string): Promise<void> {
    await this.cache?.put(resolveUrl(repo, revision, file, this.endpoint), 'missing');
  }

  /** Drops a remembered 404 of this file; true when there was one. */
  async forgetMissing(repo: string, revision: string, file: string): Promise<boolean> {
    const url = resolveUrl(repo, revision, file, this.endpoint);
    return this.cache !== null && (await this.cache.get(url)) === 'missing'
      ? this.cache.delete(url)
      : false;
  }

  /**
   * The size of a file before downloading it: from the cache, else from a HEAD request's
   * Content-Length; 'missing' for a 404; undefined when the server does not say.
   */
  async fileSize(
    repo: string,
    revision: string,
    file: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<number | 'missing' | undefined> {
    const url = resolveUrl(repo, revision, file, this.endpoint);
    const where = { repo, revision, file };
    if (options.signal?.aborted) throw abortError(where, options.signal.reason);
    const cached = await this.cache?.size(url);
    if (cached !== undefined) return cached;
    let response: Response;
    try {
      response = await send(this, url, where, {
        method: 'HEAD',
        headers: this.headers(),
        signal: options.signal,
      });
    } catch (err) {
      // A HEAD that a server or its CDN will not answer leaves the size unknown: the download
      // then runs under its running limit and reports its own failure.
      if (err instanceof HubError && (err.kind === 'network' || err.kind === 'redirect'))
        return undefined;
      throw err;
    }
    await response.body?.cancel();
    if (response.status === 404 || response.status === 401 || response.status === 403)
      return refusal(this, response, where);
    if (response.status !== 200) return undefined;
    const linked = response.headers.get('x-linked-size');
    return storedLength(response) ?? (linked && /^\d+$/.test(linked) ? Number(linked) : undefined);
  }

  /**
   * Removes every cached file of a repo (all revisions) fetched from this Hub address, and any
   * bytes kept for a resume. Returns how many cache entries were removed.
   */
  async clearCache(repo: string): Promise<number> {
    const base = resolveUrl(repo, 'main', 'x', this.endpoint).replace(
      /resolve\/main\/x$/,
      'resolve/',
    );
    for (const key of [...this.partials.keys()])
      if (key.startsWith(base)) this.partials.delete(key);
    if (!this.cache) return 0;
    const normalized = new URL(base).href;
    let removed = 0;
    for (const key of await this.cache.keys())
      if ((key.startsWith(base) || key.startsWith(normalized)) && (await this.cache.delete(key)))
        removed++;
    return removed;
  }

  private headers(): Record<string, string> {
    // Ask for the bytes as stored, so Content-Length is the file size (browsers drop this
    // header and decide themselves).
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
    if (this.token) headers['Authorization'] = `Bearer ${this.token}`;
    return headers;
  }

  private tooLarge(at: Where & { status: number }, limit: SizeLimit, received: number) {
    return new HubError(
      'too-large',
      at,
      `${at.file} from ${at.repo} is larger than ${units.formatBytes(limit.bytes)}, ${limit.why}; ` +
        `the download was stopped after ${units.formatBytes(received)} and nothing was kept.`,
    );
  }

  private async fetchOnce(
    url: string,
    where: Where,
    options: FileOptions,
  ): Promise<Blob | 'missing'> {
    const { signal, onProgress, limit } = options;
    let partial = this.partials.get(url);
    const headers = this.headers();
    if (partial && partial.received > 0) {
      headers['Range'] = `bytes=${partial.received}-`;
      if (partial.validator) headers['If-Range'] = partial.validator;
    }
    const response = await send(this, url, where, { headers, signal });
    const status = response.status;
    const at = { ...where, status };
    if (status === 404 || status === 401 || status === 403) {
      await response.body?.cancel();
      return refusal(this, response, where);
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
    // A compressed body's Content-Length counts compressed bytes, not the file's.
    const length = storedLength(response);
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
        parts: [],
        pending: [],
        pendingBytes: 0,
        received: 0,
        total: length,
        validator:
          response.headers.get('etag') ?? response.headers.get('last-modified') ?? undefined,
      };
    }
    if (limit && partial.total !== undefined && partial.total > limit.bytes) {
      await response.body?.cancel();
      this.partials.delete(url);
      throw this.tooLarge(at, limit, partial.received);
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
            // Cancelled: let go of the bytes. The connection broke mid-body: keep them for a resume.
            if (signal?.aborted) throw abortError(where, err);
            throw this.truncated(at, state, err);
          }
          if (chunk.done) break;
          state.pending.push(chunk.value);
          state.pendingBytes += chunk.value.byteLength;
          state.received += chunk.value.byteLength;
          if (state.pendingBytes >= BLOB_PART_BYTES) foldPending(state);
          if (limit && state.received > limit.bytes) throw this.tooLarge(at, limit, state.received);
          if (state.total !== undefined && state.received > state.total) {
            if (status === 200) {
              // A content-encoded body (its header hidden from us) is longer than the
              // Content-Length it was sent with: the size is simply unknown.
              state.total = undefined;
            } else {
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
        // Whatever stopped us (a callback that threw included), let go of the connection, and
        // of the bytes unless a resume can use them.
        if (!(err instanceof HubError && err.kind === 'truncated')) this.partials.delete(url);
        await reader.cancel().catch(() => undefined);
        throw err;
      } finally {
        reader.releaseLock();
      }
    }
    if (state.total !== undefined && state.received < state.total) throw this.truncated(at, state);
    this.partials.delete(url);
    foldPending(state);
    const blob = new Blob(state.parts);
    state.parts = [];
    state.total = state.received;
    report(true);
    return blob;
  }

  private truncated(
    at: Where & { status: number },
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
