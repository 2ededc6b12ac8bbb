/**
 * `npx tsx bench/cpu-decode.ts`: whole-model greedy decode on the float32 CPU backend, ms per
 * token (the median of every timed step of every round), standard (KV-cache) and slim (K-cache,
 * k-first) schemes:
 *   - moby-gpt2 (public/models/moby-gpt2, read by engine/models' loader): an 8-token prompt,
 *     then 128 greedy tokens;
 *   - GPT-2 small's shapes (d 768, 12 heads) with random weights, 2 layers, vocab 8192 (the
 *     bench's quick mode): an 8-token prompt, then --small-steps greedy tokens (default 32).
 *
 * Wall-clock and process CPU time per token are both reported (on a shared machine the CPU time
 * is the steadier of the two).
 *
 * --baseline DIR also loads the engine of another checkout (DIR/engine, e.g. a worktree of the
 * main branch) in the same process and runs the two in lockstep, one token of each per step in an
 * order rotated every step, so both see the same load: the table then shows both medians, their
 * ratio and whether the greedy tokens are identical.
 * --rounds N (default 3), --steps N (moby-gpt2 tokens, default 128), --small-steps N,
 * --no-small, --kernels js (ours on the TypeScript kernels, the fallback where WebAssembly SIMD
 * cannot run), --json.
 */
import mobyConfig from '../public/models/moby-gpt2/config.json';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The engine entry points the bench uses; the same in every checkout since the loader landed. */
interface EngineModules {
  CpuBackend: new (o: { dtype: 'float32' | 'float64'; kernels?: 'auto' | 'js' }) => {
    dispose(): void;
    stats(): { liveTensors: number; liveBytes: number };
  };
  directorySources: (dir: string) => Promise<unknown>;
  readModel: (files: unknown) => Promise<{ build: (b: unknown, o: unknown) => Model }>;
  Gpt2Model: new (b: unknown, config: unknown, weights: unknown, o: unknown) => Model;
  randomGpt2Weights: (config: unknown, seed: number, dtype: 'float32' | 'float64') => unknown;
}

interface Model {
  prefill(ids: readonly number[]): { dispose(): void };
  decode(id: number): { dispose(): void };
  argmax(logits: unknown): Promise<number>;
  dispose(): void;
}

async function loadEngine(root: string): Promise<EngineModules> {
  const url = (p: string) => pathToFileURL(resolve(root, p)).href;
  const cpu = (await import(url('engine/cpu/index.ts'))) as Pick<EngineModules, 'CpuBackend'>;
  const io = (await import(url('engine/io/node.ts'))) as Pick<EngineModules, 'directorySources'>;
  const models = (await import(url('engine/models/index.ts'))) as Omit<
    EngineModules,
    'CpuBackend' | 'directorySources'
  >;
  return {
    CpuBackend: cpu.CpuBackend,
    directorySources: io.directorySources,
    readModel: models.readModel,
    Gpt2Model: models.Gpt2Model,
    randomGpt2Weights: models.randomGpt2Weights,
  };
}

const SCHEMES = ['kv', 'k-cache'] as const;
type Scheme = (typeof SCHEMES)[number];

interface Workload {
  name: string;
  prompt: number[];
  steps: number;
  build: (engine: EngineModules, backend: unknown, scheme: Scheme) => Model;
}

/** One engine's model mid-decode: the logits of the last step, the tokens so far, its times. */
interface Run {
  model: Model;
  out: { dispose(): void };
  tokens: number[];
  wallMs: number[];
  cpuMs: number[];
}

/**
 * Greedy decode on every engine in lockstep: each step runs one token on each engine, in an order
 * rotated by one per step, so that all see the same load; per-step wall and CPU times.
 */
async function decodeInLockstep(models: Model[], prompt: number[], steps: number): Promise<Run[]> {
  const runs: Run[] = models.map((model) => ({
    model,
    out: model.prefill(prompt),
    tokens: [],
    wallMs: [],
    cpuMs: [],
  }));
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < runs.length; i++) {
      const r = runs[(s + i) % runs.length];
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const next = await r.model.argmax(r.out);
      r.out.dispose();
      r.out = r.model.decode(next);
      const c = process.cpuUsage(c0);
      r.wallMs.push(performance.now() - t0);
      r.cpuMs.push((c.user + c.system) / 1000);
      r.tokens.push(next);
    }
  }
  for (const r of runs) r.out.dispose();
  return runs;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function parseArgs(argv: string[]) {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, fallback: number) => {
    const v = value(name);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return {
    baseline: value('baseline'),
    rounds: int('rounds', 3),
    steps: int('steps', 128),
    smallSteps: int('small-steps', 32),
    small: !argv.includes('--no-small'),
    kernels: value('kernels') === 'js' ? ('js' as const) : ('auto' as const),
    json: argv.includes('--json'),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const here = resolve(import.meta.dirname, '..');
  const engines: [string, EngineModules][] = [['ours', await loadEngine(here)]];
  if (args.baseline) engines.unshift(['baseline', await loadEngine(resolve(args.baseline))]);

  const mobyDir = resolve(here, 'public/models/moby-gpt2');
  const reference = JSON.parse(readFileSync(`${mobyDir}/reference.json`, 'utf8')) as {
    promptIds: number[];
    greedyIds: number[];
  };
  const prompt = [...reference.promptIds, ...reference.greedyIds].slice(0, 8);
  const hostModels = new Map<string, { build: (b: unknown, o: unknown) => Model }>();
  for (const [name, e] of engines)
    hostModels.set(name, await e.readModel(await e.directorySources(mobyDir)));
  const small = { vocabSize: 8192, nPositions: 1024, d: 768, heads: 12, layers: 2, lnEps: 1e-5 };
  const smallWeights = new Map<string, unknown>();
  for (const [name, e] of engines) smallWeights.set(name, e.randomGpt2Weights(small, 1, 'float32'));

  const workloads: (Workload & { engineKey?: never })[] = [
    {
      name: `moby-gpt2 (d ${mobyConfig.n_embd}, ${mobyConfig.n_layer} layers, vocab ${mobyConfig.vocab_size})`,
      prompt,
      steps: args.steps,
      build: (e, b, scheme) =>
        hostModels.get(engineName(e))!.build(b, { scheme, decodeOrder: 'k-first' }),
    },
  ];
  if (args.small)
    workloads.push({
      name: 'GPT-2 small shapes (d 768, 12 heads, 2 layers, vocab 8192)',
      prompt,
      steps: args.smallSteps,
      build: (e, b, scheme) =>
        new e.Gpt2Model(b, small, smallWeights.get(engineName(e)), {
          scheme,
          decodeOrder: 'k-first',
        }),
    });
  function engineName(e: EngineModules): string {
    return engines.find(([, x]) => x === e)![0];
  }

  const rows: Record<string, unknown>[] = [];
  for (const w of workloads) {
    for (const scheme of SCHEMES) {
      const wall = new Map<string, number[]>(engines.map(([n]) => [n, []]));
      const cpu = new Map<string, number[]>(engines.map(([n]) => [n, []]));
      const tokens = new Map<string, number[]>();
      // A short warm-up run (JIT), then the rounds: fresh backends and models each round.
      for (let round = -1; round < args.rounds; round++) {
        // --kernels applies to ours; the baseline's constructor ignores the field.
        const backends = engines.map(
          ([, e]) => new e.CpuBackend({ dtype: 'float32', kernels: args.kernels }),
        );
        const models = engines.map(([, e], i) => w.build(e, backends[i], scheme));
        const steps = round < 0 ? Math.min(8, w.steps) : w.steps;
        const runs = await decodeInLockstep(models, w.prompt, steps);
        for (const [i, [name]] of engines.entries()) {
          models[i].dispose();
          const left = backends[i].stats();
          backends[i].dispose();
          if (left.liveTensors !== 0) throw new Error(`${name}: ${left.liveTensors} leaked`);
          if (round < 0) continue;
          wall.get(name)!.push(...runs[i].wallMs);
          cpu.get(name)!.push(...runs[i].cpuMs);
          const before = tokens.get(name);
          if (before && before.join() !== runs[i].tokens.join())
            throw new Error(`${name}: tokens differ between rounds`);
          tokens.set(name, runs[i].tokens);
        }
      }
      const row: Record<string, unknown> = { workload: w.name, scheme, steps: w.steps };
      for (const [name] of engines) {
        row[`${name}Ms`] = median(wall.get(name)!);
        row[`${name}CpuMs`] = median(cpu.get(name)!);
      }
      if (args.baseline) {
        row.speedup = (row.baselineMs as number) / (row.oursMs as number);
        row.cpuSpeedup = (row.baselineCpuMs as number) / (row.oursCpuMs as number);
        const a = tokens.get('baseline')!;
        const b = tokens.get('ours')!;
        row.tokensIdentical = a.join() === b.join();
        if (!row.tokensIdentical) row.firstDivergence = a.findIndex((t, i) => t !== b[i]);
      }
      row.tokens = tokens.get('ours')!.slice(0, 12).join(' ') + ' …';
      rows.push(row);
      if (!args.json) printRow(row, !!args.baseline);
    }
  }
  if (args.json) console.log(JSON.stringify(rows, null, 2));
}

function printRow(r: Record<string, unknown>, baseline: boolean) {
  const f = (v: unknown) => (v as number).toFixed(3);
  const parts = [
    `${r.workload}  ${r.scheme}: ours ${f(r.oursMs)} ms/token (cpu ${f(r.oursCpuMs)})`,
  ];
  if (baseline) {
    parts.push(
      `baseline ${f(r.baselineMs)} ms/token (cpu ${f(r.baselineCpuMs)})`,
      `speedup ${f(r.speedup)}x (cpu ${f(r.cpuSpeedup)}x)`,
      `tokens ${r.tokensIdentical ? 'identical' : `differ at ${r.firstDivergence}`}`,
    );
  }
  console.log(parts.join(', '));
}

await main();
