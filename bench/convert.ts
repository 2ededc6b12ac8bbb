/**
 * `slim convert` streams: this benchmark proves it on a generated multi-shard checkpoint of at
 * least 1 GB. It writes a Llama-shaped checkpoint (d 256, 4 heads, MLP width 16384, 20 layers,
 * untied head: 1.04 GB of float32 in 5 shards of about 208 MB), converts it in a fresh process
 * and reports that process's peak resident memory against the largest shard.
 *
 *   npx tsx bench/convert.ts [--layers N] [--shards S] [--json] [--keep]
 *
 * Printed: checkpoint bytes, shard count, largest shard, the converting process's resident
 * memory before converting (Node + tsx + the CLI loaded) and its peak, and the time taken.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeSafetensors } from '../engine/io/index';
import {
  familyRow,
  isLlamaGain,
  llamaParameterShapes,
  randomWeights,
  type LlamaConfig,
} from '../engine/models/index';

export interface ConvertBenchResult {
  layers: number;
  shards: number;
  checkpointBytes: number;
  largestShardBytes: number;
  /** Resident memory of the converting process once loaded, before it converts. */
  baselineRssBytes: number;
  /** Peak resident memory of the converting process (getrusage maxrss). */
  peakRssBytes: number;
  /** peakRssBytes / largestShardBytes. */
  peakOverLargestShard: number;
  convertSeconds: number;
}

function configFor(layers: number): LlamaConfig {
  return {
    vocabSize: 4096,
    maxPositions: 2048,
    d: 256,
    heads: 4,
    layers,
    ffnDim: 16384,
    normEps: 1e-6,
    ropeTheta: 10000,
    tiedEmbeddings: false,
  };
}

/** Writes the checkpoint shard by shard (one shard's tensors in memory at a time). */
function generate(dir: string, c: LlamaConfig, shards: number): { bytes: number; largest: number } {
  const shapes = llamaParameterShapes(c);
  const layerOf = (name: string) => {
    const m = /^layers\.(\d+)\./.exec(name);
    return m ? Number(m[1]) : name === 'embed_tokens.weight' ? 0 : c.layers - 1;
  };
  const perShard = Math.ceil(c.layers / shards);
  const weightMap: Record<string, string> = {};
  let bytes = 0;
  let largest = 0;
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const mine = shapes.filter(([n]) => Math.floor(layerOf(n) / perShard) === s);
    const weights = randomWeights(mine, 1000 + s, isLlamaGain, 0.05);
    const entries = [...weights].map(([name, t]) => ({
      name: `model.${name}`.replace('model.lm_head', 'lm_head'),
      dtype: 'F32' as const,
      shape: t.shape,
      data: t.data,
    }));
    for (const e of entries) weightMap[e.name] = file;
    const data = writeSafetensors(entries, { format: 'pt' });
    const fd = openSync(join(dir, file), 'w');
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    bytes += data.byteLength;
    largest = Math.max(largest, data.byteLength);
  }
  const write = (name: string, text: string) => {
    const fd = openSync(join(dir, name), 'w');
    writeSync(fd, text);
    closeSync(fd);
  };
  write(
    'model.safetensors.index.json',
    JSON.stringify({ metadata: { total_size: bytes }, weight_map: weightMap }),
  );
  write(
    'config.json',
    JSON.stringify(familyRow('llama').configJson({ ...c, tiedEmbeddings: false })),
  );
  return { bytes, largest };
}

/** The child: converts and prints {baselineRssBytes, peakRssBytes, seconds} as JSON. */
async function child(input: string, output: string): Promise<void> {
  const { convertModel } = await import('../cli/commands/convert');
  const baselineRssBytes = process.memoryUsage().rss;
  const t0 = performance.now();
  await convertModel(input, output);
  const seconds = (performance.now() - t0) / 1000;
  // getrusage ru_maxrss is in kilobytes on Linux.
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ baselineRssBytes, peakRssBytes, seconds }));
}

export function runConvertBench(layers = 20, shards = 5, keep = false): ConvertBenchResult {
  const root = mkdtempSync(join(tmpdir(), 'slim-convert-bench-'));
  const input = join(root, 'in');
  const output = join(root, 'out');
  mkdirSync(input);
  try {
    const { bytes, largest } = generate(input, configFor(layers), shards);
    const r = spawnSync('npx', ['tsx', 'bench/convert.ts', '--child', input, output], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(`convert failed (exit ${r.status}): ${r.stderr}`);
    const m = JSON.parse(r.stdout) as {
      baselineRssBytes: number;
      peakRssBytes: number;
      seconds: number;
    };
    const marker = (
      JSON.parse(readFileSync(join(output, 'config.json'), 'utf8')) as {
        slim_attention?: { layers: string[] };
      }
    ).slim_attention;
    if (marker?.layers.length !== layers) throw new Error('convert wrote no slim config.json');
    return {
      layers,
      shards,
      checkpointBytes: bytes,
      largestShardBytes: largest,
      baselineRssBytes: m.baselineRssBytes,
      peakRssBytes: m.peakRssBytes,
      peakOverLargestShard: m.peakRssBytes / largest,
      convertSeconds: m.seconds,
    };
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    await child(argv[1], argv[2]);
  } else {
    const value = (name: string, fallback: number) => {
      const i = argv.indexOf(`--${name}`);
      const n = i >= 0 ? Number(argv[i + 1]) : fallback;
      if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
      return n;
    };
    const result = runConvertBench(
      value('layers', 20),
      value('shards', 5),
      argv.includes('--keep'),
    );
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else
      process.stdout.write(
        `slim convert, streaming: ${result.layers}-layer Llama-shaped checkpoint, ` +
          `${mb(result.checkpointBytes)} in ${result.shards} shards (largest ${mb(result.largestShardBytes)})\n` +
          `  converting process: ${mb(result.baselineRssBytes)} resident once loaded, ` +
          `peak ${mb(result.peakRssBytes)} = ${result.peakOverLargestShard.toFixed(2)}× the largest shard\n` +
          `  time: ${result.convertSeconds.toFixed(1)} s\n`,
      );
  }
}
