/**
 * Hub downloads against a real HTTP server on 127.0.0.1 that serves files in the Hub's layout
 * `/{owner}/{repo}/resolve/{revision}/{file}` with Range support: progress, 404 / 401, a
 * truncated body then a resume with a Range request, a 200 answer to a resume (clean restart),
 * cancellation, network failure, repo id validation and the cache (zero requests on reload).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalServer, stopLocalServer } from './local-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../engine/io/checkpoint';
import { HubError } from '../../engine/io/errors';
import type { ByteSource } from '../../engine/io/bytes';
import {
  CacheStorageHubCache,
  defaultHubCache,
  HubClient,
  MemoryHubCache,
  repoIdProblem,
  resolveUrl,
  type DownloadProgress,
} from '../../engine/io/hub';
import { downloadModel } from '../../engine/io/hubModel';
import { writeSafetensors } from '../../engine/io/safetensors';

interface Behaviour {
  /** Send this many bytes of the full answer, then drop the connection (first request only). */
  truncateOnceAt?: number;
  /** Ignore Range headers (answer 200 with the whole file). */
  ignoreRange?: boolean;
  /** Send the first chunk, then stall until the client goes away. */
  stall?: boolean;
  /** Answer with this status and no body. */
  status?: number;
}

const files = new Map<string, Uint8Array>();
const behaviours = new Map<string, Behaviour>();
const requests: {
  path: string;
  range: string | undefined;
  auth: string | undefined;
  method?: string;
}[] = [];
let server: Server;
let endpoint: string;

function pattern(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = decodeURIComponent(req.url ?? '');
  const head = req.method === 'HEAD';
  requests.push({
    path,
    range: req.headers.range,
    auth: req.headers.authorization,
    ...(head ? { method: 'HEAD' } : {}),
  });
  const b = behaviours.get(path) ?? {};
  if (b.status) {
    res.writeHead(b.status, { 'x-error-code': b.status === 401 ? 'GatedRepo' : 'Other' }).end();
    return;
  }
  const body = files.get(path);
  if (!body) {
    res.writeHead(404, { 'x-error-code': 'EntryNotFound', 'content-type': 'text/plain' });
    res.end('Entry not found');
    return;
  }
  let start = 0;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range && !b.ignoreRange) {
    start = Number(range[1]);
    if (start >= body.byteLength) {
      res.writeHead(416, { 'content-range': `bytes */${body.byteLength}` }).end();
      return;
    }
    res.writeHead(206, {
      'content-length': String(body.byteLength - start),
      'content-range': `bytes ${start}-${body.byteLength - 1}/${body.byteLength}`,
      'accept-ranges': 'bytes',
    });
  } else {
    res.writeHead(200, { 'content-length': String(body.byteLength), 'accept-ranges': 'bytes' });
  }
  if (head) {
    res.end();
    return;
  }
  const rest = body.subarray(start);
  if (b.truncateOnceAt !== undefined) {
    const cut = b.truncateOnceAt;
    delete b.truncateOnceAt;
    res.write(rest.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  if (b.stall) {
    res.write(rest.subarray(0, 1024));
    return; // never ends; the client's abort closes the connection
  }
  // Several writes, so the client sees several chunks.
  const step = Math.ceil(rest.byteLength / 4) || 1;
  let p = 0;
  const next = () => {
    if (p >= rest.byteLength) {
      res.end();
      return;
    }
    const chunk = rest.subarray(p, p + step);
    p += step;
    res.write(chunk, () => setTimeout(next, 2));
  };
  next();
}

function serve(repo: string, file: string, bytes: Uint8Array, revision = 'main'): Uint8Array {
  files.set(`/${repo}/resolve/${revision}/${file}`, bytes);
  return bytes;
}

beforeAll(async () => {
  ({ server, endpoint } = await startLocalServer(handle));
});

afterAll(() => stopLocalServer(server));

beforeEach(() => {
  requests.length = 0;
  behaviours.clear();
});

/** File name → bytes, weight sources read whole. */
async function contents(files: ReadonlyMap<string, Uint8Array | ByteSource>) {
  const out = new Map<string, Uint8Array>();
  for (const [name, f] of files)
    out.set(name, f instanceof Uint8Array ? f : await f.read(0, f.size));
  return out;
}

/** Byte equality without toEqual's per-element diffing (slow on 100 kB arrays). */
function expectBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual?.byteLength).toBe(expected.byteLength);
  expect(Buffer.compare(actual as Uint8Array, expected)).toBe(0);
}

async function hubError(p: Promise<unknown>): Promise<HubError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HubError);
  return err as HubError;
}

describe('downloading one file', () => {
  it('streams with progress: monotonic, ending at the total', async () => {
    const body = serve('acme/tiny', 'weights.bin', pattern(300_000, 1));
    const events: DownloadProgress[] = [];
    const client = new HubClient({ endpoint, cache: null });
    const got = await client.download('acme/tiny', 'main', 'weights.bin', {
      onProgress: (p) => events.push(p),
    });
    expectBytes(got, body);
    expect(requests).toEqual([
      { path: '/acme/tiny/resolve/main/weights.bin', range: undefined, auth: undefined },
    ]);
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < events.length; i++) {
      expect(events[i].received).toBeGreaterThanOrEqual(events[i - 1].received);
      expect(events[i].percent as number).toBeGreaterThanOrEqual(events[i - 1].percent as number);
    }
    const last = events[events.length - 1];
    expect(last).toMatchObject({
      received: 300_000,
      total: 300_000,
      percent: 100,
      done: true,
      fromCache: false,
    });
    expect(last.bytesPerSecond).toBeGreaterThan(0);
    expect(events.filter((e) => e.done)).toHaveLength(1);
    expect(events.every((e) => e.total === 300_000 && e.file === 'weights.bin')).toBe(true);
  });

  it('404: says the repo has no such file at that revision', async () => {
    const client = new HubClient({ endpoint, cache: null });
    const e = await hubError(client.download('acme/tiny', 'v1.0', 'missing.bin'));
    expect(e.kind).toBe('not-found');
    expect(e.status).toBe(404);
    expect(e.message).toBe('Repo acme/tiny has no file missing.bin at revision v1.0.');
    expect(await client.tryDownload('acme/tiny', 'v1.0', 'missing.bin')).toBe('missing');
  });

  it('401 / 403: gated or private', async () => {
    behaviours.set('/acme/gated/resolve/main/config.json', { status: 401 });
    behaviours.set('/acme/gated/resolve/main/tokenizer.json', { status: 403 });
    const client = new HubClient({ endpoint, cache: null, token: 'hf_test' });
    const e401 = await hubError(client.download('acme/gated', 'main', 'config.json'));
    expect(e401.kind).toBe('unauthorized');
    expect(e401.message).toMatch(/^Repo acme\/gated is gated or private/);
    const e403 = await hubError(client.download('acme/gated', 'main', 'tokenizer.json'));
    expect(e403.kind).toBe('unauthorized');
    expect(e403.message).toMatch(/accept the license/);
    expect(requests.every((r) => r.auth === 'Bearer hf_test')).toBe(true);
  });

  it('other statuses are reported with the status', async () => {
    behaviours.set('/acme/tiny/resolve/main/x.bin', { status: 500 });
    const e = await hubError(
      new HubClient({ endpoint, cache: null }).download('acme/tiny', 'main', 'x.bin'),
    );
    expect(e.kind).toBe('http');
    expect(e.message).toMatch(/answered 500/);
  });

  it('a truncated body is an error that says so; the retry resumes with a Range request', async () => {
    const body = serve('acme/tiny', 'big.bin', pattern(200_000, 2));
    const path = '/acme/tiny/resolve/main/big.bin';
    behaviours.set(path, { truncateOnceAt: 65_536 });
    const client = new HubClient({ endpoint, cache: null });
    const e = await hubError(client.download('acme/tiny', 'main', 'big.bin'));
    expect(e.kind).toBe('truncated');
    const kept = client.partialBytes('acme/tiny', 'main', 'big.bin');
    expect(kept).toBe(65_536);
    expect(e.message).toMatch(
      /^The download of big\.bin from acme\/tiny broke off after 65536 of 200000 bytes.*resumes from byte 65536\.$/,
    );

    const events: DownloadProgress[] = [];
    const got = await client.download('acme/tiny', 'main', 'big.bin', {
      onProgress: (p) => events.push(p),
    });
    expectBytes(got, body);
    expect(requests.map((r) => r.range)).toEqual([undefined, 'bytes=65536-']);
    expect(events[0].received).toBe(65_536); // progress continues from the kept bytes
    expect(events[events.length - 1]).toMatchObject({
      received: 200_000,
      total: 200_000,
      percent: 100,
    });
    expect(client.partialBytes('acme/tiny', 'main', 'big.bin')).toBe(0);
  });

  it('autoResume continues by itself', async () => {
    const body = serve('acme/tiny', 'auto.bin', pattern(100_000, 3));
    behaviours.set('/acme/tiny/resolve/main/auto.bin', { truncateOnceAt: 40_000 });
    const client = new HubClient({ endpoint, cache: null });
    expectBytes(await client.download('acme/tiny', 'main', 'auto.bin', { autoResume: 1 }), body);
    expect(requests.map((r) => r.range)).toEqual([undefined, 'bytes=40000-']);
  });

  it('a server that answers a resume with 200 restarts the file cleanly', async () => {
    const body = serve('acme/tiny', 'norange.bin', pattern(120_000, 4));
    behaviours.set('/acme/tiny/resolve/main/norange.bin', {
      truncateOnceAt: 50_000,
      ignoreRange: true,
    });
    const client = new HubClient({ endpoint, cache: null });
    expect((await hubError(client.download('acme/tiny', 'main', 'norange.bin'))).kind).toBe(
      'truncated',
    );
    const got = await client.download('acme/tiny', 'main', 'norange.bin');
    expect(got.byteLength).toBe(120_000);
    expectBytes(got, body);
    expect(requests.map((r) => r.range)).toEqual([undefined, 'bytes=50000-']);
  });

  it('a slow response is cancelled through an AbortSignal', async () => {
    serve('acme/tiny', 'slow.bin', pattern(50_000, 5));
    behaviours.set('/acme/tiny/resolve/main/slow.bin', { stall: true });
    const client = new HubClient({ endpoint, cache: null });
    const controller = new AbortController();
    const received: number[] = [];
    const pending = client.download('acme/tiny', 'main', 'slow.bin', {
      signal: controller.signal,
      onProgress: (p) => {
        received.push(p.received);
        if (p.received >= 1024) controller.abort();
      },
    });
    // The stalled body never ends, so only the abort can settle this (else the test times out).
    const e = await hubError(pending);
    expect(e.kind).toBe('aborted');
    expect(e.message).toBe('Download of slow.bin from acme/tiny was cancelled.');
    // No progress after the abort, and the body was not read to its end.
    const abortedAt = received.findIndex((r) => r >= 1024);
    expect(abortedAt).toBe(received.length - 1);
    expect(received.at(-1)).toBeLessThan(50_000);
    // An already aborted signal makes no request at all.
    requests.length = 0;
    const again = await hubError(
      client.download('acme/tiny', 'main', 'x', { signal: AbortSignal.abort() }),
    );
    expect(again.kind).toBe('aborted');
    expect(requests).toHaveLength(0);
  });

  it('an error thrown by the progress callback passes through unchanged', async () => {
    serve('acme/tiny', 'cb.bin', pattern(40_000, 6));
    const client = new HubClient({ endpoint, cache: null });
    const boom = new Error('callback failed');
    const err = await client
      .download('acme/tiny', 'main', 'cb.bin', {
        onProgress: (p) => {
          if (p.received > 0) throw boom;
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBe(boom);
  });

  it('refuses a second simultaneous download of the same file', async () => {
    const body = serve('acme/tiny', 'twice.bin', pattern(30_000, 7));
    const client = new HubClient({ endpoint, cache: null });
    const first = client.download('acme/tiny', 'main', 'twice.bin');
    const e = await hubError(client.download('acme/tiny', 'main', 'twice.bin'));
    expect(e.kind).toBe('invalid-request');
    expect(e.message).toMatch(/already being downloaded/);
    expectBytes(await first, body);
  });

  it('an unreachable endpoint is a network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new HubClient({ endpoint: `http://127.0.0.1:${port}`, cache: null });
    const e = await hubError(client.download('acme/tiny', 'main', 'config.json'));
    expect(e.kind).toBe('network');
    expect(e.message).toMatch(
      /^Could not reach http:\/\/127\.0\.0\.1:\d+ to download config\.json from acme\/tiny/,
    );
  });

  it('validates repo ids, revisions and paths before any request', async () => {
    expect(repoIdProblem('openai-community/gpt2')).toBeNull();
    expect(repoIdProblem('gpt2')).toBeNull();
    expect(repoIdProblem('EleutherAI/pythia-70m-deduped')).toBeNull();
    for (const bad of [
      '',
      'a/b/c',
      'a b/c',
      'owner/-x',
      'owner/x.',
      'a--b/c',
      'a/b..c',
      'x'.repeat(97),
    ])
      expect(repoIdProblem(bad), bad).not.toBeNull();
    const client = new HubClient({ endpoint, cache: null });
    const e = await hubError(client.download('a/b/c', 'main', 'config.json'));
    expect(e.kind).toBe('invalid-request');
    expect(e.message).toMatch(/^"a\/b\/c" is not a valid repo id: a repo id has at most one "\/"/);
    expect((await hubError(client.download('a/b', '', 'config.json'))).message).toMatch(
      /not a valid revision/,
    );
    expect((await hubError(client.download('a/b', 'main', '../x'))).message).toMatch(
      /not a valid file path/,
    );
    expect(requests).toHaveLength(0);
    expect(resolveUrl('a/b', 'refs/pr/1', 'sub dir/f.json', 'https://example.test/')).toBe(
      'https://example.test/a/b/resolve/refs%2Fpr%2F1/sub%20dir/f.json',
    );
  });
});

describe('downloadModel and the cache', () => {
  const config = new TextEncoder().encode('{"model_type":"gpt2","n_embd":4}');

  it('single file + GPT-2 tokenizer; a second load makes zero requests', async () => {
    serve('acme/single', 'config.json', config);
    const weights = serve(
      'acme/single',
      'model.safetensors',
      writeSafetensors([{ name: 'wte.weight', dtype: 'F32', shape: [2, 2], data: [1, 2, 3, 4] }]),
    );
    serve('acme/single', 'vocab.json', new TextEncoder().encode('{"a":0}'));
    serve('acme/single', 'merges.txt', new TextEncoder().encode('#version: 0.2\n'));
    const cache = new MemoryHubCache();
    const client = new HubClient({ endpoint, cache });
    const first = await downloadModel(client, 'acme/single');
    expect([...first.files.keys()]).toEqual([
      'config.json',
      'model.safetensors',
      'vocab.json',
      'merges.txt',
    ]);
    expect(first.weightFiles).toEqual(['model.safetensors']);
    expect(first.tokenizerFiles).toEqual(['vocab.json', 'merges.txt']);
    // The weights come back as a source read by ranges (here over the memory cache's bytes).
    const source = first.files.get('model.safetensors') as ByteSource;
    expectBytes(await source.read(0, source.size), weights);
    expect(requests.map((r) => `${r.method ?? 'GET'} ${r.path.split('/').pop()}`)).toEqual([
      'GET config.json',
      'HEAD model.safetensors', // its size, before any weight byte
      'GET model.safetensors',
      'GET tokenizer.json',
      'GET tokenizer_config.json',
      'GET vocab.json',
      'GET merges.txt',
    ]);

    requests.length = 0;
    const fromCache: boolean[] = [];
    const second = await downloadModel(new HubClient({ endpoint, cache }), 'acme/single', 'main', {
      onProgress: (p) => fromCache.push(p.fromCache),
    });
    expect(requests).toHaveLength(0);
    expect(fromCache.length).toBe(4);
    expect(fromCache.every(Boolean)).toBe(true);
    expect(await contents(second.files)).toEqual(await contents(first.files));
    const ckpt = await openCheckpoint(second.files, 'acme/single');
    expect(Array.from(await ckpt.read('wte.weight'))).toEqual([1, 2, 3, 4]);
  });

  it('sharded weights through the index; tokenizer.json; cached on reload', async () => {
    const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    serve('acme/sharded', 'config.json', config);
    serve(
      'acme/sharded',
      shards[0],
      writeSafetensors([{ name: 'a', dtype: 'F16', shape: [2], data: [0.5, -1] }]),
    );
    serve(
      'acme/sharded',
      shards[1],
      writeSafetensors([{ name: 'b', dtype: 'BF16', shape: [1], data: [3] }]),
    );
    serve(
      'acme/sharded',
      'model.safetensors.index.json',
      new TextEncoder().encode(
        JSON.stringify({ metadata: { total_size: 6 }, weight_map: { a: shards[0], b: shards[1] } }),
      ),
    );
    serve('acme/sharded', 'tokenizer.json', new TextEncoder().encode('{"model":{}}'));
    const cache = new MemoryHubCache();
    const seen: string[] = [];
    const first = await downloadModel(new HubClient({ endpoint, cache }), 'acme/sharded', 'main', {
      onFile: (f) => seen.push(f),
    });
    expect(first.weightFiles).toEqual(['model.safetensors.index.json', ...shards]);
    expect(first.tokenizerFiles).toEqual(['tokenizer.json']);
    expect(seen).toEqual([
      'config.json',
      'model.safetensors.index.json',
      ...shards,
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const ckpt = await openCheckpoint(first.files);
    expect(Array.from(await ckpt.read('a'))).toEqual([0.5, -1]);
    expect(Array.from(await ckpt.read('b'))).toEqual([3]);

    requests.length = 0;
    await downloadModel(new HubClient({ endpoint, cache }), 'acme/sharded');
    expect(requests).toHaveLength(0); // the 404s were cached too
  });

  it('names what is missing: config.json, the weights, a shard', async () => {
    const client = new HubClient({ endpoint, cache: null });
    expect((await hubError(downloadModel(client, 'acme/empty'))).message).toBe(
      'Repo acme/empty has no file config.json at revision main, so it is not a Transformers model this lab can load.',
    );
    serve('acme/noweights', 'config.json', config);
    expect((await hubError(downloadModel(client, 'acme/noweights'))).message).toBe(
      'Repo acme/noweights has neither model.safetensors nor model.safetensors.index.json at revision main: it has no safetensors weights.',
    );
    serve('acme/noshard', 'config.json', config);
    serve(
      'acme/noshard',
      'model.safetensors.index.json',
      new TextEncoder().encode(
        JSON.stringify({ weight_map: { a: 'model-00001-of-00001.safetensors' } }),
      ),
    );
    expect((await hubError(downloadModel(client, 'acme/noshard'))).message).toBe(
      'Repo acme/noshard has no file model-00001-of-00001.safetensors at revision main, though model.safetensors.index.json names it as a shard.',
    );
  });
});

/** A minimal stand-in for the browser's CacheStorage (Node 20 has none). */
function fakeCacheStorage(): {
  storage: CacheStorage;
  names: string[];
  stored: Map<string, Response>;
} {
  const stored = new Map<string, Response>();
  const names: string[] = [];
  const cache = {
    match: (key: string) => Promise.resolve(stored.get(key)?.clone()),
    put: (key: string, response: Response) => {
      stored.set(key, response);
      return Promise.resolve();
    },
    delete: (key: string) => Promise.resolve(stored.delete(key)),
    keys: () => Promise.resolve([...stored.keys()].map((url) => ({ url }))),
  };
  const storage = {
    open: (name: string) => {
      names.push(name);
      return Promise.resolve(cache);
    },
  } as unknown as CacheStorage;
  return { storage, names, stored };
}

describe('Cache Storage cache', () => {
  it('is not the default where there is no Cache Storage (Node)', () => {
    expect(defaultHubCache()).toBeNull();
  });

  it('keeps bytes and 404s under the resolve URL; a second load makes no request', async () => {
    const body = serve('acme/cs', 'config.json', new TextEncoder().encode('{"n_embd":4}'));
    const { storage, names, stored } = fakeCacheStorage();
    const cache = new CacheStorageHubCache(storage);
    const client = new HubClient({ endpoint, cache });
    expectBytes(await client.download('acme/cs', 'main', 'config.json'), body);
    expect(await client.tryDownload('acme/cs', 'main', 'tokenizer.json')).toBe('missing');
    expect(names.every((n) => n === 'slim-attention-lab-hub')).toBe(true);
    expect([...stored.keys()]).toEqual([
      `${endpoint}/acme/cs/resolve/main/config.json`,
      `${endpoint}/acme/cs/resolve/main/tokenizer.json`,
    ]);
    requests.length = 0;
    const again = new HubClient({ endpoint, cache: new CacheStorageHubCache(storage) });
    expectBytes(await again.download('acme/cs', 'main', 'config.json'), body);
    expect(await again.tryDownload('acme/cs', 'main', 'tokenizer.json')).toBe('missing');
    await expect(again.download('acme/cs', 'main', 'tokenizer.json')).rejects.toThrow(
      'Repo acme/cs has no file tokenizer.json at revision main.',
    );
    expect(requests).toHaveLength(0);
  });
  it('gives the weights as the cached Blob, read in place, not the downloaded bytes', async () => {
    serve('acme/blob', 'config.json', new TextEncoder().encode('{"model_type":"gpt2"}'));
    serve(
      'acme/blob',
      'model.safetensors',
      writeSafetensors([{ name: 'w', dtype: 'F32', shape: [3], data: [1.5, -2, 4] }]),
    );
    const { storage } = fakeCacheStorage();
    const got = await downloadModel(
      new HubClient({ endpoint, cache: new CacheStorageHubCache(storage) }),
      'acme/blob',
    );
    const weights = got.files.get('model.safetensors');
    // A ByteSource over the cached body (Blob), not a Uint8Array kept in memory.
    expect(weights).not.toBeInstanceOf(Uint8Array);
    expect(weights).toMatchObject({ name: 'model.safetensors' });
    expect(got.files.get('config.json')).toBeInstanceOf(Uint8Array);
    const ckpt = await openCheckpoint(got.files, 'acme/blob');
    expect(Array.from(await ckpt.read('w'))).toEqual([1.5, -2, 4]);
  });

  it('sizes an entry from its header; clearCache removes one repo’s entries', async () => {
    const body = serve('acme/cs2', 'config.json', new TextEncoder().encode('{"n_embd":8}'));
    serve('acme/cs3', 'config.json', body);
    const { storage, stored } = fakeCacheStorage();
    const cache = new CacheStorageHubCache(storage);
    const client = new HubClient({ endpoint, cache });
    await client.download('acme/cs2', 'main', 'config.json');
    await client.download('acme/cs3', 'main', 'config.json');
    expect(await client.tryDownload('acme/cs2', 'main', 'tokenizer.json')).toBe('missing');
    requests.length = 0;
    expect(await client.fileSize('acme/cs2', 'main', 'config.json')).toBe(body.byteLength);
    expect(await client.fileSize('acme/cs2', 'main', 'tokenizer.json')).toBe('missing');
    expect(requests).toHaveLength(0);
    expect(await client.clearCache('acme/cs2')).toBe(2);
    expect([...stored.keys()]).toEqual([`${endpoint}/acme/cs3/resolve/main/config.json`]);
    expect(await cache.size(`${endpoint}/acme/cs2/resolve/main/config.json`)).toBeUndefined();
  });
});
