/**
 * The Hub download against a misbehaving server on 127.0.0.1: checks before any weight byte
 * (an architecture the engine cannot run, a model over the size budget, an index naming
 * thousands of shards or odd names), bad answers never cached (an HTML page as config.json, a
 * cut-off model.safetensors, a 404 later fixed), size limits on a running count (an endless
 * body, a gzip bomb), memory let go on Cancel, redirects and Hub addresses explained.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalServer, stopLocalServer } from './local-server';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubError } from '../../engine/io/errors';
import type { ByteSource } from '../../engine/io/bytes';
import { HubClient, hubAddressProblem, MemoryHubCache } from '../../engine/io/hub';
import {
  downloadModel,
  MAX_HUB_WEIGHT_BYTES,
  MAX_SHARDS,
  type ModelDownloadOptions,
} from '../../engine/io/hubModel';
import { MAX_CONFIG_BYTES } from '../../engine/io/limits';
import { openModel, readModelSpec } from '../../engine/models';
import { TINY_GPT2, tinyCheckpoint, tinyTokenizerJson } from '../shared/tinyModels';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const requests: string[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  ({ server, endpoint } = await startLocalServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '');
    requests.push(`${req.method} ${path.replace(/^\/[^/]+\/[^/]+\/resolve\/[^/]+\//, '')}`);
    const route = routes.get(path);
    if (route) route(req, res);
    else res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
  }));
});

afterAll(() => stopLocalServer(server));

beforeEach(() => {
  routes.clear();
  requests.length = 0;
});

const at = (repo: string, file: string) => `/${repo}/resolve/main/${file}`;

/** Serves bytes (HEAD answers the length only). */
function serve(repo: string, file: string, body: Uint8Array | string, headers = {}): void {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  routes.set(at(repo, file), (req, res) => {
    res.writeHead(200, { 'content-length': String(bytes.byteLength), ...headers });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
}

/** Serves a whole model: config, weights (sharded or not), tokenizer. */
function serveModel(repo: string, files: Map<string, Uint8Array>): void {
  for (const [name, bytes] of files) serve(repo, name, bytes);
}

/** A body that never ends: 64 kB chunks until the client goes away. */
const endless: Handler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  if (req.method === 'HEAD') return void res.end();
  const chunk = new Uint8Array(65536).fill(32);
  const more = () => {
    if (!res.destroyed) res.write(chunk, () => setImmediate(more));
  };
  more();
};

const gpt2Files = () => {
  const files = tinyCheckpoint('gpt2', TINY_GPT2, { shards: 2 }).files;
  for (const [name, bytes] of tinyTokenizerJson()) files.set(name, bytes);
  return files;
};

const checked: ModelDownloadOptions = { checkConfig: (text) => void readModelSpec(text) };

async function hubError(p: Promise<unknown>): Promise<HubError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HubError);
  return err as HubError;
}

describe('checked before any weight byte', () => {
  const shape = {
    hidden_size: 64,
    num_attention_heads: 4,
    num_hidden_layers: 2,
    intermediate_size: 128,
    vocab_size: 100,
    max_position_embeddings: 256,
  };
  it.each([
    [
      'MistralForCausalLM',
      { ...shape, model_type: 'mistral', num_key_value_heads: 4, hidden_act: 'silu' },
    ],
    ['PhiForCausalLM', { ...shape, model_type: 'phi', hidden_act: 'gelu_new' }],
  ])('refuses %s after fetching config.json only', async (arch, fields) => {
    const files = gpt2Files();
    files.set(
      'config.json',
      new TextEncoder().encode(JSON.stringify({ architectures: [arch], ...fields })),
    );
    serveModel('acme/other', files);
    const client = new HubClient({ endpoint, cache: new MemoryHubCache() });
    const e = await hubError(downloadModel(client, 'acme/other', 'main', checked));
    expect(e.kind).toBe('unsupported');
    // The reason is engine/models' readModelSpec's own sentence, which lists the families.
    expect(e.message).toMatch(
      new RegExp(
        `^Repo acme/other cannot be loaded here: config\\.json: the architecture ${arch} is not ` +
          'supported; this engine loads .*GPT2LMHeadModel.* Only config\\.json was downloaded\\.$',
      ),
    );
    expect(requests).toEqual(['GET config.json']);
  });

  it('refuses weights over the budget from the index total, before any shard', async () => {
    const files = gpt2Files();
    const index = JSON.parse(new TextDecoder().decode(files.get('model.safetensors.index.json')));
    index.metadata = { total_size: 3_221_225_472 };
    files.set('model.safetensors.index.json', new TextEncoder().encode(JSON.stringify(index)));
    serveModel('acme/big', files);
    const e = await hubError(
      downloadModel(new HubClient({ endpoint, cache: null }), 'acme/big', 'main', checked),
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toBe(
      'Repo acme/big has 3.22 GB of weights (metadata.total_size in model.safetensors.index.json), ' +
        'more than the 2 GiB this lab downloads and holds in the browser. Nothing beyond ' +
        'config.json and model.safetensors.index.json was downloaded.',
    );
    expect(requests).toEqual([
      'GET config.json',
      'HEAD model.safetensors',
      'GET model.safetensors.index.json',
    ]);
  });

  it('refuses a single file over the budget from a HEAD request', async () => {
    serve('acme/big1', 'config.json', gpt2Files().get('config.json') as Uint8Array);
    routes.set(at('acme/big1', 'model.safetensors'), (req, res) => {
      res.writeHead(200, { 'content-length': String(MAX_HUB_WEIGHT_BYTES + 1) });
      if (req.method === 'HEAD') res.end();
      else res.destroy();
    });
    const e = await hubError(
      downloadModel(new HubClient({ endpoint, cache: null }), 'acme/big1', 'main', checked),
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(
      /^Repo acme\/big1 has 2\.15 GB of weights \(the size of model\.safetensors the server gave\), more than the 2 GiB/,
    );
    expect(requests).toEqual(['GET config.json', 'HEAD model.safetensors']);
  });

  it('without a total in the index, sums the shards’ sizes (HEAD) before any shard', async () => {
    serve('acme/nototal', 'config.json', gpt2Files().get('config.json') as Uint8Array);
    const shards = ['a-1.safetensors', 'a-2.safetensors'];
    serve(
      'acme/nototal',
      'model.safetensors.index.json',
      JSON.stringify({ weight_map: { x: shards[0], y: shards[1] } }),
    );
    for (const s of shards)
      routes.set(at('acme/nototal', s), (req, res) => {
        res.writeHead(200, { 'content-length': String(1.5 * 2 ** 30) });
        if (req.method === 'HEAD') res.end();
        else res.destroy();
      });
    const e = await hubError(
      downloadModel(new HubClient({ endpoint, cache: null }), 'acme/nototal', 'main', checked),
    );
    expect(e.message).toMatch(/has 3\.22 GB of weights \(the sizes of its 2 shards/);
    expect(requests.filter((r) => r.startsWith('GET'))).toEqual([
      'GET config.json',
      'GET model.safetensors.index.json',
    ]);
  });

  it('refuses an index naming too many shards, or a shard that is not a plain *.safetensors name', async () => {
    const config = gpt2Files().get('config.json') as Uint8Array;
    const many = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`t${i}`, `model-${i}.safetensors`]),
    );
    serve('acme/many', 'config.json', config);
    serve('acme/many', 'model.safetensors.index.json', JSON.stringify({ weight_map: many }));
    const client = new HubClient({ endpoint, cache: null });
    const e = await hubError(downloadModel(client, 'acme/many'));
    expect(e.kind).toBe('too-large');
    expect(e.message).toBe(
      `Repo acme/many: model.safetensors.index.json names 5000 shard files, more than the ${MAX_SHARDS} this lab accepts; no shard was downloaded.`,
    );
    for (const bad of ['vocab.json', '.hidden.safetensors', 'a b.safetensors']) {
      serve('acme/odd', 'config.json', config);
      serve('acme/odd', 'model.safetensors.index.json', JSON.stringify({ weight_map: { w: bad } }));
      const odd = await hubError(downloadModel(client, 'acme/odd'));
      expect(odd.kind).toBe('malformed');
      expect(odd.message).toContain(`names the shard "${bad}"`);
    }
    expect(requests.filter((r) => /GET .*\.safetensors$|vocab/.test(r))).toEqual([]);
  });

  it('a HEAD the server drops leaves the size unknown; the download still runs', async () => {
    const files = tinyCheckpoint('gpt2', TINY_GPT2).files;
    serveModel('acme/nohead', files);
    const weights = files.get('model.safetensors') as Uint8Array;
    routes.set(at('acme/nohead', 'model.safetensors'), (req, res) => {
      if (req.method === 'HEAD') return void res.destroy();
      res.writeHead(200, { 'content-length': String(weights.byteLength) }).end(weights);
    });
    const got = await downloadModel(new HubClient({ endpoint, cache: null }), 'acme/nohead');
    expect(got.weightBytes).toBe(weights.byteLength);
  });

  it('a supported model loads, and a second load makes no request', async () => {
    serveModel('acme/gpt2', gpt2Files());
    const cache = new MemoryHubCache();
    const got = await downloadModel(
      new HubClient({ endpoint, cache }),
      'acme/gpt2',
      'main',
      checked,
    );
    const opened = await openModel(got.files, 'acme/gpt2');
    expect(opened.spec.family).toBe('gpt2');
    expect(got.weightBytes).toBe(
      got.weightFiles
        .slice(1)
        .reduce((s, f) => s + ((got.files.get(f) as ByteSource | undefined)?.size ?? 0), 0),
    );
    requests.length = 0;
    await downloadModel(new HubClient({ endpoint, cache }), 'acme/gpt2', 'main', checked);
    expect(requests).toEqual([]);
  });
});

describe('a bad answer is never cached', () => {
  it('an HTML page as config.json is refused, not kept; the fixed file then loads', async () => {
    const files = gpt2Files();
    serveModel('acme/html', files);
    serve('acme/html', 'config.json', '<!doctype html><html><body>Sign in</body></html>');
    const cache = new MemoryHubCache();
    const e = await hubError(downloadModel(new HubClient({ endpoint, cache }), 'acme/html'));
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(
      /^config\.json from acme\/html \(revision main\) is not a usable file: it is not valid JSON \(.*\) — the server sent an HTML page, not the file\. It was not kept/,
    );
    expect(cache.entries.size).toBe(0);
    serve('acme/html', 'config.json', files.get('config.json') as Uint8Array);
    const got = await downloadModel(new HubClient({ endpoint, cache }), 'acme/html');
    expect(got.files.get('config.json')).toEqual(files.get('config.json'));
  });

  it('a cut-off model.safetensors (Content-Length 100) is refused, not kept', async () => {
    const files = tinyCheckpoint('gpt2', TINY_GPT2).files;
    serveModel('acme/cut', files);
    const whole = files.get('model.safetensors') as Uint8Array;
    serve('acme/cut', 'model.safetensors', whole.subarray(0, 100));
    const cache = new MemoryHubCache();
    const e = await hubError(downloadModel(new HubClient({ endpoint, cache }), 'acme/cut'));
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(
      /^model\.safetensors from acme\/cut .* is not a usable file: the header claims \d+ bytes but the file holds only 92/,
    );
    expect([...cache.entries.keys()].map((k) => k.split('/').pop())).toEqual(['config.json']);
    serve('acme/cut', 'model.safetensors', whole);
    const got = await downloadModel(new HubClient({ endpoint, cache }), 'acme/cut');
    expect((got.files.get('model.safetensors') as ByteSource).size).toBe(whole.byteLength);
  });

  it('a 404 of config.json is asked again next time; a poisoned entry from before is dropped', async () => {
    const cache = new MemoryHubCache();
    const client = new HubClient({ endpoint, cache });
    expect((await hubError(downloadModel(client, 'acme/later'))).kind).toBe('not-found');
    serveModel('acme/later', tinyCheckpoint('gpt2', TINY_GPT2).files);
    requests.length = 0;
    await downloadModel(client, 'acme/later');
    expect(requests[0]).toBe('GET config.json');

    // An entry an earlier version kept: an HTML page under config.json's key.
    serveModel('acme/poisoned', tinyCheckpoint('gpt2', TINY_GPT2).files);
    const key = `${endpoint}${at('acme/poisoned', 'config.json')}`;
    await cache.put(key, new TextEncoder().encode('<html>'));
    await downloadModel(client, 'acme/poisoned');
    expect(new TextDecoder().decode((await cache.get(key)) as Uint8Array)).toMatch(/^\{/);
  });

  it('clearCache removes a repo’s files at every revision and nothing else', async () => {
    const cache = new MemoryHubCache();
    const client = new HubClient({ endpoint, cache });
    serveModel('acme/one', tinyCheckpoint('gpt2', TINY_GPT2).files);
    serveModel('acme/one-2', tinyCheckpoint('gpt2', TINY_GPT2).files);
    await downloadModel(client, 'acme/one');
    await downloadModel(client, 'acme/one-2');
    await cache.put(`${endpoint}/acme/one/resolve/v2/config.json`, new Uint8Array([123, 125]));
    const before = cache.entries.size;
    const kept = [...cache.entries.keys()].filter((k) => k.includes('/acme/one-2/'));
    expect(await client.clearCache('acme/one')).toBe(before - kept.length);
    expect([...cache.entries.keys()]).toEqual(kept);
    requests.length = 0;
    await downloadModel(client, 'acme/one');
    expect(requests[0]).toBe('GET config.json');
  });
});

describe('size limits on a running count', () => {
  it('an endless config.json stops at its limit', async () => {
    routes.set(at('acme/endless', 'config.json'), endless);
    const e = await hubError(
      downloadModel(new HubClient({ endpoint, cache: null }), 'acme/endless'),
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(
      /^config\.json from acme\/endless is larger than 4 MB, the limit for a config\.json \(real ones are far smaller\); the download was stopped after 4\.\d+ MB and nothing was kept\.$/,
    );
  });

  it('a gzip bomb as config.json stops at its limit (counted after decompression)', async () => {
    const bomb = gzipSync(new Uint8Array(4 * MAX_CONFIG_BYTES).fill(32));
    expect(bomb.byteLength).toBeLessThan(MAX_CONFIG_BYTES / 32);
    serve('acme/bomb', 'config.json', bomb, { 'content-encoding': 'gzip' });
    const e = await hubError(downloadModel(new HubClient({ endpoint, cache: null }), 'acme/bomb'));
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(/is larger than 4 MB/);
  });

  it('a Content-Length over the limit is refused before the body', async () => {
    serve('acme/long', 'config.json', new Uint8Array(MAX_CONFIG_BYTES + 1).fill(32));
    const e = await hubError(downloadModel(new HubClient({ endpoint, cache: null }), 'acme/long'));
    expect(e.message).toMatch(/stopped after 0 B and nothing was kept/);
  });

  it('endless weights without a size stop at the weight budget', async () => {
    serve('acme/endless-w', 'config.json', gpt2Files().get('config.json') as Uint8Array);
    routes.set(at('acme/endless-w', 'model.safetensors'), endless);
    const e = await hubError(
      downloadModel(new HubClient({ endpoint, cache: null }), 'acme/endless-w', 'main', {
        maxWeightBytes: 1_000_000,
      }),
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(
      /^model\.safetensors from acme\/endless-w is larger than 1 MB, what is left of the 1 MB of weights/,
    );
  });

  it('Cancel lets go of the bytes received (no partial download kept)', async () => {
    routes.set(at('acme/cancel', 'model.safetensors'), endless);
    const client = new HubClient({ endpoint, cache: null });
    const controller = new AbortController();
    const e = await hubError(
      client.download('acme/cancel', 'main', 'model.safetensors', {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.received > 500_000) controller.abort();
        },
      }),
    );
    expect(e.kind).toBe('aborted');
    expect(client.partialBytes('acme/cancel', 'main', 'model.safetensors')).toBe(0);
  });
});

describe('redirects and Hub addresses are explained', () => {
  const redirect =
    (location: string): Handler =>
    (_req, res) =>
      res.writeHead(302, { location }).end();

  it.each([
    ['a loop', 'loop', /with a redirect loop \(.*\/b redirects back to .*\/a\)/],
    [
      'file:',
      'file:///etc/passwd',
      /with a redirect to a file: address \(file:\/\/\/etc\/passwd\), which is never followed/,
    ],
    ['javascript:', 'javascript:alert(1)', /with a redirect to a javascript: address/],
  ])('%s: the server was reached and answered a redirect', async (_name, target, message) => {
    if (target === 'loop') {
      routes.set(at('acme/r', 'config.json'), redirect(`${endpoint}/a`));
      routes.set('/a', redirect(`${endpoint}/b`));
      routes.set('/b', redirect(`${endpoint}/a`));
    } else routes.set(at('acme/r', 'config.json'), redirect(target));
    const e = await hubError(
      new HubClient({ endpoint, cache: null }).download('acme/r', 'main', 'config.json'),
    );
    expect(e.kind).toBe('redirect');
    expect(e.message).toMatch(
      new RegExp(
        `^${endpoint} was reached, but it answered the request for config\\.json from acme/r `,
      ),
    );
    expect(e.message).toMatch(message);
  });

  it('a redirect to another host that cannot be reached says so', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    routes.set(at('acme/r2', 'config.json'), redirect(`http://127.0.0.1:${port}/cdn/config.json`));
    const e = await hubError(
      new HubClient({ endpoint, cache: null }).download('acme/r2', 'main', 'config.json'),
    );
    expect(e.kind).toBe('redirect');
    expect(e.message).toContain(
      `with a redirect to http://127.0.0.1:${port}/cdn/config.json, which could not be reached`,
    );
  });

  it('validates the Hub address before any request or cache access', async () => {
    for (const good of [
      'https://huggingface.co',
      'http://127.0.0.1:8080/',
      'https://mirror.example/hf',
    ])
      expect(hubAddressProblem(good), good).toBeNull();
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['   ', /empty/],
      ['not a url', /not a URL/],
      ['huggingface.co', /not a URL/],
      ['data:text/plain,hello', /data: address; only http and https/],
      ['javascript:alert(1)', /javascript: address/],
      ['file:///etc', /file: address/],
      ['https://user:secret@huggingface.co', /user name or password/],
      ['https://huggingface.co/?x=1', /query/],
    ];
    let calls = 0;
    const fetchSpy: typeof fetch = () => {
      calls++;
      return Promise.reject(new Error('no request expected'));
    };
    const cache = new MemoryHubCache();
    for (const [address, why] of bad) {
      expect(hubAddressProblem(address), address).toMatch(why);
      const client = new HubClient({ endpoint: address, cache, fetch: fetchSpy });
      const e = await hubError(client.download('acme/x', 'main', 'config.json'));
      expect(e.kind).toBe('invalid-request');
      expect(e.message).toMatch(/^The Hub address ".*" cannot be used: /);
    }
    expect(calls).toBe(0);
    expect(cache.entries.size).toBe(0);
  });
});
