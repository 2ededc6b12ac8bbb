/**
 * Weights from the Hub as sources read by ranges (HubClient.tryDownloadSource): the body is
 * gathered as Blob parts, never as chunks plus their concatenation; the cache receives the Blob;
 * a cached weights file is checked through its header and tensor tiling, never read whole; a
 * resumed download across Blob parts gives back the exact bytes.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ByteSource } from '../../engine/io/bytes';
import { HubError } from '../../engine/io/errors';
import { BLOB_PART_BYTES, HubClient, MemoryHubCache } from '../../engine/io/hub';
import { writeSafetensors } from '../../engine/io/safetensors';
import { startLocalServer, stopLocalServer } from './local-server';

const served = new Map<string, Uint8Array>();
/** Paths whose next answer breaks off after this many bytes. */
const cutOnce = new Map<string, number>();
const requests: string[] = [];
let server: Server;
let endpoint: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = decodeURIComponent(req.url ?? '');
  requests.push(`${req.method} ${path.split('/').pop()}${req.headers.range ? ' range' : ''}`);
  const body = served.get(path);
  if (!body) return void res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end();
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const headers = { 'content-length': String(body.byteLength - start), etag: '"v1"' };
  if (range)
    res.writeHead(206, {
      ...headers,
      'content-range': `bytes ${start}-${body.byteLength - 1}/${body.byteLength}`,
    });
  else res.writeHead(200, headers);
  const rest = body.subarray(start);
  const cut = cutOnce.get(path);
  if (cut !== undefined) {
    cutOnce.delete(path);
    res.write(rest.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.end(rest);
}

function serve(repo: string, file: string, bytes: Uint8Array): string {
  const path = `/${repo}/resolve/main/${file}`;
  served.set(path, bytes);
  return path;
}

async function whole(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** A memory cache that records what it is given and when a file is read whole. */
class RecordingCache extends MemoryHubCache {
  readonly puts: string[] = [];
  readonly wholeReads: string[] = [];
  override async put(key: string, value: Uint8Array | Blob | 'missing') {
    this.puts.push(value === 'missing' ? 'missing' : value instanceof Blob ? 'Blob' : 'bytes');
    return super.put(key, value);
  }
  override get(key: string) {
    this.wholeReads.push(key.split('/').pop() as string);
    return super.get(key);
  }
}

const weights = (n: number, seed: number) =>
  writeSafetensors([
    {
      name: 'w',
      dtype: 'F32',
      shape: [n],
      data: Float32Array.from({ length: n }, (_, i) => i * seed),
    },
  ]);

beforeAll(async () => {
  ({ server, endpoint } = await startLocalServer(handle));
});
afterAll(() => stopLocalServer(server));
beforeEach(() => {
  requests.length = 0;
});

describe('HubClient.tryDownloadSource', () => {
  it('caches the downloaded Blob; a second load checks the cached file by ranges only', async () => {
    const bytes = weights(1000, 3);
    serve('acme/src', 'model.safetensors', bytes);
    const cache = new RecordingCache();
    const first = await new HubClient({ endpoint, cache }).tryDownloadSource(
      'acme/src',
      'main',
      'model.safetensors',
    );
    expect(cache.puts).toEqual(['Blob']);
    expect(first).not.toBe('missing');
    expect(sameBytes(await whole(first as ByteSource), bytes)).toBe(true);

    requests.length = 0;
    const fromCache: boolean[] = [];
    const second = await new HubClient({ endpoint, cache }).tryDownloadSource(
      'acme/src',
      'main',
      'model.safetensors',
      { onProgress: (p) => fromCache.push(p.fromCache) },
    );
    expect(requests).toEqual([]);
    expect(fromCache).toEqual([true]);
    expect(cache.wholeReads).toEqual([]);
    expect(sameBytes(await whole(second as ByteSource), bytes)).toBe(true);
  });

  it('a cached weights file whose header no longer checks out is dropped and fetched again', async () => {
    const bytes = weights(64, 5);
    serve('acme/stale', 'model.safetensors', bytes);
    const cache = new RecordingCache();
    const key = `${endpoint}/acme/stale/resolve/main/model.safetensors`;
    await cache.put(key, bytes.slice(0, bytes.byteLength - 4));
    const got = await new HubClient({ endpoint, cache }).tryDownloadSource(
      'acme/stale',
      'main',
      'model.safetensors',
    );
    expect(requests).toEqual(['GET model.safetensors']);
    expect(sameBytes(await whole(got as ByteSource), bytes)).toBe(true);
    expect(cache.wholeReads).toEqual([]);
  });

  it('a body that is not safetensors is refused and not cached', async () => {
    serve('acme/html', 'model.safetensors', new TextEncoder().encode('<html>oops</html>'));
    const cache = new RecordingCache();
    const error = await new HubClient({ endpoint, cache })
      .tryDownloadSource('acme/html', 'main', 'model.safetensors')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).kind).toBe('malformed');
    expect(cache.entries.size).toBe(0);
  });

  it('a body of several Blob parts, broken off and resumed, comes back byte for byte', async () => {
    // A little over one part, cut past it: the resume appends to the kept part and chunks.
    const bytes = weights((BLOB_PART_BYTES + 8192) / 4, 7);
    const path = serve('acme/big', 'model.safetensors', bytes);
    cutOnce.set(path, BLOB_PART_BYTES + 1234);
    const got = await new HubClient({ endpoint, cache: null }).tryDownloadSource(
      'acme/big',
      'main',
      'model.safetensors',
      { autoResume: 1 },
    );
    expect(requests).toEqual(['GET model.safetensors', 'GET model.safetensors range']);
    expect((got as ByteSource).size).toBe(bytes.byteLength);
    expect(sameBytes(await whole(got as ByteSource), bytes)).toBe(true);
  });
});
