/**
 * `npm run bench:real-size`: a GPT-2-small-shaped model (124M parameters, vocab 50257, 1,024
 * positions, random weights) run through the Playground's worker in headless Chromium, from the
 * production build.
 *
 * Writes the checkpoint to a temporary folder per dtype (F32 and F16 by default), each twice
 * (one model.safetensors; an index and three shards), with a tokenizer (the default model's
 * byte-level BPE, its vocabulary padded to 50257 entries), serves them from a local Hub stand-in
 * on 127.0.0.1 (the Hub's resolve layout, HEAD and Range requests), and for each, in a fresh
 * browser: loads the repo through the worker (download, Cache Storage, header checks), then
 * generates standard and slim side by side from a prompt of about 1,000 tokens to the model's
 * 1,024 positions. Prints time to load, first-token time (models built, both prompts prefilled,
 * first step), ms/token standard vs slim, the cache bytes at the last position, the backend's
 * live bytes at the end (both models' weights and caches: what the backend needs), and the
 * renderer process's peak resident memory (the worker runs in it) against the model's float32
 * weights, per phase: load (download, check, Cache Storage), build (both models built from the
 * cached checkpoint tensor by tensor) and generate (prefill and decode with both caches). A
 * phase's peak is the larger of VmHWM (reset through /proc/PID/clear_refs before each phase)
 * and the resident size sampled every 25 ms: memory given back with madvise, as V8 does, never
 * reaches VmHWM.
 *
 * Last measured (2 cores, load average ≈ 1.3; README's real-size paragraph has the table):
 * whole-renderer peaks of 1.74x the float32 weights for F32 (1.47–1.48x above the idle page;
 * the backend ends with 1.28x) and 1.24–1.25x for BF16 and F16 (0.97–0.98x above the idle
 * page; the backend keeps the weights in 16 bits and ends with 0.79x).
 *
 * Flags: --dtype F32,F16,BF16 (any of them; default F32,F16), --variants single,sharded
 * (default both), --backend cpu|webgl (default cpu: what 'auto' picks on a software renderer),
 * --prompt-tokens N (about; default 1000), --timeline MS (print every renderer's resident
 * memory every MS ms), --json, --keep (leave the temporary folder).
 */
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { writeSafetensors } from '../engine/io';
import { GPT2_SMALL, gpt2ParameterShapes, randomGpt2Weights } from '../engine/models';
import { CHROMIUM_FLAGS, findChromium } from '../tests/browser/chromium';
import { buildAndServe } from '../tests/browser/serve';
import type { RealSizeGenerate, RealSizeLoad, RealSizeOptions } from './pages/real-size';
import { runMain } from './runMain';

const REPOS = { single: 'bench/gpt2-small-random', sharded: 'bench/gpt2-small-random-sharded' };
const SHARDS = 3;

function args(argv: string[]) {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const backend = get('--backend') ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'webgl')
    throw new Error(`--backend must be cpu or webgl, got '${backend}'`);
  const promptTokens = Number(get('--prompt-tokens') ?? 1000);
  if (!Number.isInteger(promptTokens) || promptTokens < 1 || promptTokens > 1020)
    throw new Error('--prompt-tokens must be a whole number from 1 to 1020');
  const variants = (get('--variants') ?? 'single,sharded').split(',');
  for (const v of variants)
    if (!(v in REPOS)) throw new Error(`--variants takes single and/or sharded, got '${v}'`);
  const dtypes = (get('--dtype') ?? 'F32,F16').toUpperCase().split(',');
  for (const d of dtypes)
    if (d !== 'F32' && d !== 'F16' && d !== 'BF16')
      throw new Error(`--dtype takes F32, F16 and/or BF16, got '${d}'`);
  const timeline = Number(get('--timeline') ?? 0);
  if (!Number.isFinite(timeline) || timeline < 0)
    throw new Error('--timeline takes a sampling interval in ms');
  return {
    backend,
    promptTokens,
    variants,
    dtypes: dtypes as StoredDtype[],
    timeline,
    json: argv.includes('--json'),
    keep: argv.includes('--keep'),
  };
}

/** The default model's tokenizer with its vocabulary padded to `size` entries (never merged). */
function paddedTokenizer(size: number): string {
  const t = JSON.parse(readFileSync('public/models/moby-gpt2/tokenizer.json', 'utf8')) as {
    model: { vocab: Record<string, number> };
    added_tokens?: { id: number }[];
  };
  const vocab = t.model.vocab;
  const taken = new Set(Object.values(vocab));
  for (const a of t.added_tokens ?? []) taken.add(a.id);
  for (let id = 0; id < size; id++) if (!taken.has(id)) vocab[`Ġpad${id}`] = id;
  return JSON.stringify(t);
}

type StoredDtype = 'F32' | 'F16' | 'BF16';

/** The repo of a variant and dtype (one Hub stand-in serves them all). */
const repoOf = (variant: keyof typeof REPOS, dtype: StoredDtype) =>
  `${REPOS[variant]}-${dtype.toLowerCase()}`;

/**
 * Writes both repos of `dtype` under `root` (the same random weights, rounded to the dtype);
 * returns the float32 bytes of the weights and the single file's size.
 */
function writeCheckpoints(
  root: string,
  dtype: StoredDtype,
): { weightBytes: number; fileBytes: number } {
  const config = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: GPT2_SMALL.vocabSize,
    n_positions: GPT2_SMALL.nPositions,
    n_embd: GPT2_SMALL.d,
    n_layer: GPT2_SMALL.layers,
    n_head: GPT2_SMALL.heads,
    layer_norm_epsilon: GPT2_SMALL.lnEps,
    activation_function: 'gelu_new',
    tie_word_embeddings: true,
  };
  const weights = randomGpt2Weights(GPT2_SMALL, 1, 'float32');
  const entries = gpt2ParameterShapes(GPT2_SMALL).map(([name, shape]) => ({
    name: `transformer.${name}`,
    dtype,
    shape,
    data: weights.get(name)!.data,
  }));
  const values = entries.reduce((s, e) => s + e.data.length, 0);
  const weightBytes = values * 4;
  const tokenizer = paddedTokenizer(GPT2_SMALL.vocabSize);
  for (const variant of Object.keys(REPOS) as (keyof typeof REPOS)[]) {
    const dir = join(root, repoOf(variant, dtype));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
    writeFileSync(join(dir, 'tokenizer.json'), tokenizer);
  }
  const single = writeSafetensors(entries, { format: 'pt' });
  writeFileSync(join(root, repoOf('single', dtype), 'model.safetensors'), single);
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < SHARDS; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(SHARDS).padStart(5, '0')}.safetensors`;
    const part = entries.filter((_, i) => i % SHARDS === s);
    for (const e of part) weightMap[e.name] = file;
    writeFileSync(
      join(root, repoOf('sharded', dtype), file),
      writeSafetensors(part, { format: 'pt' }),
    );
  }
  writeFileSync(
    join(root, repoOf('sharded', dtype), 'model.safetensors.index.json'),
    JSON.stringify({
      metadata: { total_size: values * (dtype === 'F32' ? 4 : 2) },
      weight_map: weightMap,
    }),
  );
  return { weightBytes, fileBytes: single.byteLength };
}

/** The Hub's resolve layout over `root`: /{owner}/{repo}/resolve/main/{file}; HEAD and Range. */
async function hubStandIn(root: string): Promise<{ server: Server; url: string }> {
  const server = createHttpServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, ETag');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const m = /^\/([\w.-]+\/[\w.-]+)\/resolve\/main\/([\w.-]+)$/.exec(req.url ?? '');
    const path = m && join(root, m[1], m[2]);
    let size = -1;
    try {
      if (path) size = statSync(path).size;
    } catch {
      size = -1;
    }
    if (!path || size < 0) return void res.writeHead(404).end('Entry not found');
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) : size - 1;
    const headers: Record<string, string> = {
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
      etag: `"${size}"`,
    };
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Resident memory of each renderer process this process started: pid → peak (VmHWM, over the
 * process's life) and now (VmRSS), in bytes.
 */
function rendererMemory(rootPid: number): Map<number, { peak: number; now: number }> {
  const children = new Map<number, number[]>();
  const renderers: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('--type=renderer'))
        renderers.push(Number(name));
    } catch {
      // A process that ended while listed.
    }
  }
  const ours = new Set<number>();
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      if (ours.has(c)) continue;
      ours.add(c);
      walk(c);
    }
  };
  walk(rootPid);
  const out = new Map<number, { peak: number; now: number }>();
  for (const pid of renderers.filter((p) => ours.has(p))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) =>
        Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      out.set(pid, { peak: kb('VmHWM') * 1024, now: kb('VmRSS') * 1024 });
    } catch {
      // Ended meanwhile.
    }
  }
  return out;
}

/** Resets a process's peak resident memory (VmHWM) to its resident memory now; false if refused. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

type Snapshot = Map<number, { peak: number; now: number }>;

/** A process's resident memory now (VmRSS), in bytes; 0 if it ended. */
function residentNow(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Every renderer's resident memory sampled every `ms`, the largest per renderer kept until
 * taken. VmHWM alone misses memory that grows and is given back with madvise (which does not
 * update the high-water mark), as V8 and PartitionAlloc give memory back; a phase's peak is the
 * larger of the two.
 */
function sampleRenderers(rootPid: number, ms: number) {
  let pids = [...rendererMemory(rootPid).keys()];
  const largest = new Map<number, number>();
  let ticks = 0;
  const timer = setInterval(() => {
    if (++ticks % 40 === 0) pids = [...rendererMemory(rootPid).keys()];
    for (const pid of pids) largest.set(pid, Math.max(largest.get(pid) ?? 0, residentNow(pid)));
  }, ms);
  return {
    /** The largest samples since the last take, by renderer. */
    take(): Map<number, number> {
      const out = new Map(largest);
      largest.clear();
      return out;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Every renderer's memory now and its peak since the last reset, then every peak reset; false
 * in `reset` where the kernel refused (the peaks are then over each process's life).
 */
function snapshot(rootPid: number): { memory: Snapshot; reset: boolean } {
  const memory = rendererMemory(rootPid);
  let reset = true;
  for (const pid of memory.keys()) reset = resetPeak(pid) && reset;
  return { memory, reset };
}

const PROMPT_SENTENCE =
  'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, I thought I would sail about a little and see the watery part of the world. ';

/** A phase's peak resident memory (since the reset before it) and the resident memory after it. */
interface PhaseMemory {
  peakBytes: number;
  afterBytes: number;
  peakOverWeights: number;
}

type Row = RealSizeGenerate & {
  variant: string;
  /** The checkpoint's stored dtype. */
  dtype: StoredDtype;
  repo: string;
  parameters: number;
  weightBytesFloat32: number;
  fileBytes: number;
  loadMs: number;
  rendererIdleBytes: number;
  /** False where the kernel refused the reset: each phase's peak is then the peak so far. */
  peaksReset: boolean;
  load: PhaseMemory;
  build: PhaseMemory;
  generate: PhaseMemory;
  rendererPeakBytes: number;
  peakOverWeights: number;
  peakAboveIdleOverWeights: number;
};

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const o = args(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'slim-real-size-'));
  const log = (line: string) => console.error(`[real-size] ${line}`);
  const written = new Map<StoredDtype, { weightBytes: number; fileBytes: number }>();
  for (const dtype of o.dtypes) {
    log(`writing the checkpoints (124M parameters, ${dtype}, single file and ${SHARDS} shards)`);
    written.set(dtype, writeCheckpoints(root, dtype));
  }
  const weightBytes = [...written.values()][0].weightBytes;
  const hub = await hubStandIn(root);
  // The production build, as visitors get the Playground's worker.
  const app = await buildAndServe({
    testPages: false,
    pages: { realSize: 'bench/pages/real-size.html' },
  });
  const rows: Row[] = [];
  try {
    const runs = o.dtypes.flatMap((dtype) =>
      (Object.keys(REPOS) as (keyof typeof REPOS)[])
        .filter((variant) => o.variants.includes(variant))
        .map((variant) => ({ dtype, variant, repo: repoOf(variant, dtype) })),
    );
    for (const { dtype, variant, repo } of runs) {
      const { fileBytes } = written.get(dtype)!;
      // A fresh browser per variant, so each peak is its own; a persistent profile, as a
      // visitor's (an incognito context's Cache Storage quota is too small for 500 MB).
      const profile = mkdtempSync(join(tmpdir(), 'slim-real-size-profile-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: findChromium(),
        args: CHROMIUM_FLAGS,
        headless: true,
      });
      const page = await context.newPage();
      page.setDefaultTimeout(0);
      page.on('console', (m) => {
        if (m.type() === 'error') log(`[page error] ${m.text()}`);
      });
      // Which renderer runs the page (and its worker) shows at the end: the one holding the
      // models. Every renderer's peak is read and reset between phases.
      const marks = new Map<string, Snapshot>();
      let phaseNow = 'load';
      let peaksReset = true;
      let sampler: ReturnType<typeof sampleRenderers> | undefined = undefined;
      const mark = (phase: string) => {
        const sampled = sampler?.take();
        const { memory, reset } = snapshot(process.pid);
        for (const [pid, m] of memory) m.peak = Math.max(m.peak, sampled?.get(pid) ?? 0);
        phaseNow = { idle: 'load', load: 'build', built: 'generate' }[phase] ?? 'end';
        marks.set(phase, memory);
        peaksReset &&= reset;
      };
      // The page calls this between phases (the worker waits for it): each phase's peak.
      await page.exposeFunction('realSizeMark', mark);
      await page.goto(`${app.url}/bench/pages/real-size.html`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
      mark('idle');
      sampler = sampleRenderers(process.pid, 25);
      // --timeline N: the largest renderer's resident memory every N ms, with the phase.
      const started = Date.now();
      const timer =
        o.timeline > 0
          ? setInterval(() => {
              const now = [...rendererMemory(process.pid)].map(([p, m]) => `${p} ${mb(m.now)}`);
              log(`${((Date.now() - started) / 1000).toFixed(1)} s ${phaseNow}: ${now.join(', ')}`);
            }, o.timeline)
          : undefined;
      // About prompt-tokens tokens: the sentence is 57 tokens with this tokenizer; the page
      // reports the exact count, and steps fill the model's positions.
      const prompt = PROMPT_SENTENCE.repeat(Math.max(1, Math.floor(o.promptTokens / 57)));
      const options: RealSizeOptions = {
        endpoint: hub.url,
        repo,
        prompt,
        steps: 1,
        backend: o.backend as 'cpu' | 'webgl',
      };
      log(`${dtype} ${variant}: loading ${repo}`);
      const load: RealSizeLoad = await page.evaluate((x) => window.realSize.load(x), options);
      mark('load');
      log(`${dtype} ${variant}: loaded in ${(load.loadMs / 1000).toFixed(1)} s; generating`);
      // Fill the positions: steps = 1024 − prompt tokens (the worker caps steps at the room left).
      options.steps = GPT2_SMALL.nPositions;
      const gen: RealSizeGenerate = await page.evaluate(
        (x) => window.realSize.generate(x),
        options,
      );
      mark('generate');
      sampler.stop();
      clearInterval(timer);
      let pid = 0;
      for (const [p, m] of marks.get('generate') ?? [])
        if (m.now > (marks.get('generate')?.get(pid)?.now ?? -1)) pid = p;
      const idle = marks.get('idle')?.get(pid)?.now ?? 0;
      const phase = (name: string): PhaseMemory => {
        const m = marks.get(name)?.get(pid) ?? { peak: 0, now: 0 };
        return { peakBytes: m.peak, afterBytes: m.now, peakOverWeights: m.peak / weightBytes };
      };
      const peak = Math.max(...[...marks.values()].map((m) => m.get(pid)?.peak ?? 0));
      rows.push({
        variant,
        dtype,
        repo,
        parameters: load.parameters,
        weightBytesFloat32: weightBytes,
        fileBytes,
        loadMs: Math.round(load.loadMs),
        ...gen,
        rendererIdleBytes: idle,
        peaksReset,
        load: phase('load'),
        build: phase('built'),
        generate: phase('generate'),
        rendererPeakBytes: peak,
        peakOverWeights: peak / weightBytes,
        peakAboveIdleOverWeights: (peak - idle) / weightBytes,
      });
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  } finally {
    await app.close();
    await new Promise((resolve) => hub.server.close(resolve));
    if (!o.keep) rmSync(root, { recursive: true, force: true });
  }
  const load = `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${availableParallelism()} cores`;
  if (o.json) {
    console.log(JSON.stringify({ date: new Date().toISOString(), load, rows }, null, 2));
    return;
  }
  console.log(`GPT-2-small shapes, random weights (${mb(weightBytes)} in float32), ${load}`);
  for (const r of rows) {
    console.log(
      [
        `${r.dtype} ${r.variant} (${mb(r.fileBytes)} file): load ${(r.loadMs / 1000).toFixed(1)} s`,
        `first token ${(r.firstTokenMs / 1000).toFixed(1)} s (${r.promptTokens}-token prompt, both sides)`,
        `${r.backend} ${r.standardMsPerToken.toFixed(1)} ms/token standard, ${r.slimMsPerToken.toFixed(1)} slim`,
        `cache at ${r.cachedTokens} tokens ${mb(r.standardCacheBytes)} standard, ${mb(r.slimCacheBytes)} slim`,
        `tokens identical ${r.tokensIdentical ? 'yes' : 'NO'}`,
        `weights read tensor by tensor ${r.weightsStreamed ? 'yes' : 'NO (read whole first)'}; backend holds ${mb(r.backendBytes)} at the end (both models' weights and caches)`,
        `renderer peak ${mb(r.rendererPeakBytes)} = ${r.peakOverWeights.toFixed(2)}x the float32 weights (idle ${mb(r.rendererIdleBytes)})${r.peaksReset ? '' : ' (peaks could not be reset: each is the peak so far)'}`,
        ...(['load', 'build', 'generate'] as const).map(
          (p) =>
            `  ${p}: peak ${mb(r[p].peakBytes)} = ${r[p].peakOverWeights.toFixed(2)}x, resident after ${mb(r[p].afterBytes)}`,
        ),
      ].join('\n  '),
    );
  }
}

runMain(main);
