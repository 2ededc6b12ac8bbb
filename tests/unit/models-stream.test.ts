/**
 * Models built from a checkpoint tensor by tensor (engine/models streamModel): each tensor read
 * once, synchronously, as it is uploaded, and let go; the second model of a pair reads only its
 * attention tensors (the rest it shares); host memory never holds the checkpoint whole. The
 * models are the very ones readModel (everything read first) builds: same logits, same tokens.
 */
import { greedy } from '../shared/greedy';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine';
import { bufferSource, openCheckpoint, type ByteSource } from '../../engine/io';
import { directorySources } from '../../engine/io/node';
import {
  openModel,
  readModel,
  streamModel,
  type HostModel,
  type LoadedModel,
  type WeightLookup,
} from '../../engine/models';
import { convertModel } from '../../cli/commands/convert';
import {
  freshDir,
  TINY_GPT2,
  TINY_LLAMA,
  tinyCheckpoint,
  writeModelDir,
  type TinyFamily,
} from './models-helpers';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PROMPT = [3, 1, 4, 1, 5];

async function logits(m: LoadedModel): Promise<number[]> {
  const out = m.prefill(PROMPT);
  const values = Array.from(await out.read());
  out.dispose();
  m.reset();
  return values;
}

/**
 * Every read of a source recorded (its length, whether synchronous), and before each sync read
 * the host memory in ArrayBuffers beyond a baseline and beyond what the backend holds, after a
 * full collection: the bytes read earlier and not let go.
 */
class RecordingFiles {
  readonly reads: { file: string; length: number; sync: boolean }[] = [];
  /** The most such bytes seen before a read (every fifth). */
  maxHeldBytes = 0;
  private base = 0;
  private backend: CpuBackend | undefined;

  /** Starts measuring from now, against what `backend` holds. */
  watch(backend: CpuBackend): void {
    this.backend = backend;
    this.base = 0;
    this.base = this.heldBytes();
  }

  /** ArrayBuffer bytes beyond the baseline and the backend's tensors, after a collection. */
  heldBytes(): number {
    gc();
    const backendBytes = this.backend?.stats().liveBytes ?? 0;
    return process.memoryUsage().arrayBuffers - this.base - backendBytes;
  }

  wrap(files: ReadonlyMap<string, Uint8Array>): Map<string, ByteSource | Uint8Array> {
    const out = new Map<string, ByteSource | Uint8Array>();
    for (const [name, bytes] of files) {
      if (!name.endsWith('.safetensors')) {
        out.set(name, bytes);
        continue;
      }
      const inner = bufferSource(bytes, name);
      out.set(name, {
        name,
        size: inner.size,
        read: async (offset, length) => {
          this.reads.push({ file: name, length, sync: false });
          return (await inner.read(offset, length)).slice();
        },
        readSync: (offset, length) => {
          // Sampled every fifth read: a full collection is a few milliseconds.
          if (this.backend && this.reads.length % 5 === 0)
            this.maxHeldBytes = Math.max(this.maxHeldBytes, this.heldBytes());
          this.reads.push({ file: name, length, sync: true });
          return inner.readSync!(offset, length);
        },
      });
    }
    return out;
  }
}

/** Bytes of the tensor data of a single-file checkpoint, and of its largest tensor. */
async function tensorBytes(files: ReadonlyMap<string, Uint8Array>) {
  const ckpt = await openCheckpoint(files);
  const sizes = ckpt.tensorNames().map((n) => ckpt.info(n).byteLength);
  return { total: ckpt.totalBytes, largest: Math.max(...sizes) };
}

describe('streamModel: models built tensor by tensor', () => {
  // Sixteen layers and short positions: no one tensor is a large part of the checkpoint.
  for (const [family, config] of [
    ['gpt2', { ...TINY_GPT2, nPositions: 32, layers: 16 }],
    ['llama', { ...TINY_LLAMA, layers: 16 }],
  ] as [TinyFamily, typeof TINY_GPT2][]) {
    it(`${family}: one read per tensor, never the whole checkpoint held`, async () => {
      const { files } = tinyCheckpoint(family, config, { seed: 3 });
      const { total, largest } = await tensorBytes(files);
      const rec = new RecordingFiles();
      const opened = await openModel(rec.wrap(files));
      const headerReads = rec.reads.length;
      // Opening reads the headers only (asynchronously: the length field and the JSON).
      expect(rec.reads.every((r) => !r.sync)).toBe(true);
      expect(rec.reads.reduce((s, r) => s + r.length, 0)).toBeLessThan(total / 4);
      const host = await streamModel(opened);
      expect(host.streamed).toBe(true);
      const backend = new CpuBackend({ dtype: 'float32' });
      rec.watch(backend);
      const standard = host.build(backend, { scheme: 'kv' });
      const standardReads = rec.reads.slice(headerReads);
      // Every tensor read once, synchronously, each read one tensor's bytes, never more.
      expect(standardReads.every((r) => r.sync && r.length <= largest)).toBe(true);
      expect(standardReads.reduce((s, r) => s + r.length, 0)).toBe(total);
      // Before each read, host memory held about a layer's tensors more than the backend, never
      // the checkpoint: each tensor is let go once uploaded.
      expect(rec.maxHeldBytes).toBeLessThan(total / 4);
      const slim = host.build(backend, { scheme: 'k-cache' });
      // The slim model shares every tensor but the attention's: it reads only those again.
      const attention = opened.spec.shapes
        .filter(([n]) => /attn\./.test(n))
        .map(([n]) => opened.checkpoint.info(opened.stored(n)).byteLength);
      const slimReads = rec.reads.slice(headerReads + standardReads.length);
      expect(slimReads.map((r) => r.length).sort()).toEqual(attention.sort());
      // Once built, the models hold no host copy: the backend's is the only one.
      expect(rec.heldBytes()).toBeLessThan(total / 4);

      // The same models as from the checkpoint read whole first (readModel), which holds more
      // than the whole checkpoint in host memory (the measure above tells the two apart).
      rec.watch(backend);
      const eager = await readModel(files);
      expect(rec.heldBytes()).toBeGreaterThan(total);
      expect(eager.streamed).toBe(false);
      const reference = new CpuBackend({ dtype: 'float32' });
      const eagerStandard = eager.build(reference, { scheme: 'kv' });
      const eagerSlim = eager.build(reference, { scheme: 'k-cache' });
      expect(await logits(standard)).toEqual(await logits(eagerStandard));
      expect(await logits(slim)).toEqual(await logits(eagerSlim));
      const tokens = (await greedy(standard, PROMPT, 10)).tokens;
      expect((await greedy(slim, PROMPT, 10)).tokens).toEqual(tokens);
      expect((await greedy(eagerStandard, PROMPT, 10)).tokens).toEqual(tokens);
      for (const m of [standard, slim, eagerStandard, eagerSlim]) m.dispose();
      expect(backend.stats().liveTensors).toBe(0);
    });
  }

  it('files without sync reads (a Blob on a page) are read whole first, as readModel does', async () => {
    const { files } = tinyCheckpoint('gpt2', TINY_GPT2, { seed: 3 });
    const { total } = await tensorBytes(files);
    const rec = new RecordingFiles();
    const sources = rec.wrap(files);
    for (const [name, f] of sources)
      if (!(f instanceof Uint8Array)) sources.set(name, { ...f, readSync: undefined });
    const host: HostModel<WeightLookup> = await streamModel(sources);
    expect(host.streamed).toBe(false);
    expect(rec.reads.some((r) => r.sync)).toBe(false);
    expect(rec.reads.reduce((s, r) => s + r.length, 0)).toBeGreaterThan(total);
    const streamed = await streamModel(files);
    const a = host.build(new CpuBackend({ dtype: 'float32' }), { scheme: 'k-cache' });
    const b = streamed.build(new CpuBackend({ dtype: 'float32' }), { scheme: 'k-cache' });
    expect(await logits(a)).toEqual(await logits(b));
    a.dispose();
    b.dispose();
  });

  it('a converted checkpoint (W_KV stored) streams to the models readModel builds', async () => {
    const dir = writeModelDir(tinyCheckpoint('gpt2', TINY_GPT2, { seed: 9 }).files);
    const out = freshDir();
    await convertModel(dir, out);
    const streamed = await streamModel(await directorySources(out));
    expect(streamed.streamed).toBe(true);
    expect(streamed.spec.slim?.layers.length).toBe(TINY_GPT2.layers);
    const eager = await readModel(await directorySources(out));
    for (const scheme of ['kv', 'k-cache'] as const) {
      const a = streamed.build(new CpuBackend({ dtype: 'float32' }), { scheme });
      const b = eager.build(new CpuBackend({ dtype: 'float32' }), { scheme });
      expect(await logits(a)).toEqual(await logits(b));
      a.dispose();
      b.dispose();
    }
  });
});
