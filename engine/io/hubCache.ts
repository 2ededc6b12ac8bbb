/**
 * Where Hub downloads are kept: Cache Storage in the browser (it outlives the page), a Map
 * elsewhere. A key is the file's resolve URL; a value is the file's bytes, or 'missing' for a
 * file the Hub said it does not have. The client puts a file here only after it has checked it
 * (see hub.ts), and drops an entry that no longer passes that check.
 */

import { blobSource, bufferSource, type ByteSource } from './bytes';

/** Where downloaded files are kept. A key is the file's resolve URL. */
export interface HubCache {
  /** The bytes, 'missing' when the Hub said 404 before, or undefined when not cached. */
  get(key: string): Promise<Uint8Array | 'missing' | undefined>;
  /** The size of a cached file without reading it (or 'missing', or undefined). */
  size(key: string): Promise<number | 'missing' | undefined>;
  /** A Blob is stored as it is where the cache can (Cache Storage), never copied into memory. */
  put(key: string, value: Uint8Array | Blob | 'missing'): Promise<void>;
  /** Removes one entry; true when there was one. */
  delete(key: string): Promise<boolean>;
  /** Every key, as put (Cache Storage gives them back as normalized URLs). */
  keys(): Promise<string[]>;
  /**
   * A cached file read in place, without copying it into memory (Cache Storage: its body as a
   * Blob, read by ranges); absent where the cache has no such storage.
   */
  source?(key: string, name: string): Promise<ByteSource | undefined>;
}

/** A cache in memory (for Node, tests, or a session without Cache Storage). */
export class MemoryHubCache implements HubCache {
  readonly entries = new Map<string, Uint8Array | 'missing'>();
  get(key: string): Promise<Uint8Array | 'missing' | undefined> {
    return Promise.resolve(this.entries.get(key));
  }
  size(key: string): Promise<number | 'missing' | undefined> {
    const e = this.entries.get(key);
    return Promise.resolve(e === undefined || e === 'missing' ? e : e.byteLength);
  }
  async put(key: string, value: Uint8Array | Blob | 'missing'): Promise<void> {
    this.entries.set(
      key,
      value instanceof Blob ? new Uint8Array(await value.arrayBuffer()) : value,
    );
  }
  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(key));
  }
  keys(): Promise<string[]> {
    return Promise.resolve([...this.entries.keys()]);
  }
  /** A cached file read in place: views of the bytes held here (no copy). */
  source(key: string, name: string): Promise<ByteSource | undefined> {
    const e = this.entries.get(key);
    return Promise.resolve(e === undefined || e === 'missing' ? undefined : bufferSource(e, name));
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
  async size(key: string): Promise<number | 'missing' | undefined> {
    const cache = await this.storage.open(this.name);
    const hit = await cache.match(key);
    if (!hit) return undefined;
    if (hit.headers.get(MISSING_HEADER) === '1') return 'missing';
    const length = hit.headers.get('content-length');
    if (length !== null && /^\d+$/.test(length)) {
      // Not awaited: a body that is one branch of a tee settles its cancel only with the other.
      void hit.body?.cancel().catch(() => undefined);
      return Number(length);
    }
    return (await hit.arrayBuffer()).byteLength;
  }
  async put(key: string, value: Uint8Array | Blob | 'missing'): Promise<void> {
    const cache = await this.storage.open(this.name);
    const size = value === 'missing' ? 0 : value instanceof Blob ? value.size : value.byteLength;
    const response =
      value === 'missing'
        ? new Response(null, { headers: { [MISSING_HEADER]: '1' } })
        : // The Blob or view itself, not a copy: a 500 MB file must not be held twice.
          new Response(value as Blob | Uint8Array<ArrayBuffer>, {
            headers: { 'content-length': String(size) },
          });
    await cache.put(key, response);
  }
  async delete(key: string): Promise<boolean> {
    const cache = await this.storage.open(this.name);
    return cache.delete(key);
  }
  async keys(): Promise<string[]> {
    const cache = await this.storage.open(this.name);
    return (await cache.keys()).map((request) => request.url);
  }
  async source(key: string, name: string): Promise<ByteSource | undefined> {
    const cache = await this.storage.open(this.name);
    const hit = await cache.match(key);
    if (!hit || hit.headers.get(MISSING_HEADER) === '1') return undefined;
    return blobSource(await hit.blob(), name);
  }
}

/** Cache Storage where the platform has it (browser, worker), otherwise no cache. */
export function defaultHubCache(): HubCache | null {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  return storage ? new CacheStorageHubCache(storage) : null;
}
