/**
 * Checkpoints: single-file and a 3-shard checkpoint built with the writer, read back tensor by
 * tensor (only the needed bytes), index validation, missing shard / tensor errors, and the
 * Node file source over files on disk.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource, type ByteSource } from '../../engine/io/bytes';
import { openCheckpoint, parseShardIndex } from '../../engine/io/checkpoint';
import { CheckpointFormatError, CheckpointMissingError } from '../../engine/io/errors';
import { directorySources, fileSource } from '../../engine/io/node';
import { writeSafetensors, type TensorToWrite } from '../../engine/io/safetensors';

function ramp(n: number, start: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i * 0.25);
}

/** Three shards: layer 0 in F32, layer 1 in F16, the rest in BF16; values exact in each. */
const shardTensors: TensorToWrite[][] = [
  [
    { name: 'wte.weight', dtype: 'F32', shape: [4, 3], data: ramp(12, -1) },
    { name: 'h.0.attn.c_attn.weight', dtype: 'F32', shape: [3, 9], data: ramp(27, 0.5) },
  ],
  [{ name: 'h.1.attn.c_attn.weight', dtype: 'F16', shape: [3, 9], data: ramp(27, -2) }],
  [
    { name: 'ln_f.weight', dtype: 'BF16', shape: [3], data: [1, 0.5, -4] },
    { name: 'ln_f.bias', dtype: 'BF16', shape: [3], data: [0, 0.25, 2] },
  ],
];
const shardNames = shardTensors.map((_, i) => `model-0000${i + 1}-of-00003.safetensors`);
const weightMap: Record<string, string> = {};
shardTensors.forEach((ts, i) => ts.forEach((t) => (weightMap[t.name] = shardNames[i])));
const indexJson = JSON.stringify({
  metadata: { total_size: 12 * 4 + 27 * 4 + 27 * 2 + 12 },
  weight_map: weightMap,
});

/** A source that logs every read, to prove only the needed bytes are read. */
function loggingSource(bytes: Uint8Array, name: string, log: string[]): ByteSource {
  const inner = bufferSource(bytes, name);
  return {
    name,
    size: inner.size,
    read(offset, length) {
      log.push(`${name}@${offset}+${length}`);
      return inner.read(offset, length);
    },
  };
}

function shardedFiles(log: string[] = [], drop?: string): Map<string, ByteSource | Uint8Array> {
  const files = new Map<string, ByteSource | Uint8Array>();
  files.set('model.safetensors.index.json', new TextEncoder().encode(indexJson));
  shardTensors.forEach((ts, i) => {
    if (shardNames[i] !== drop)
      files.set(shardNames[i], loggingSource(writeSafetensors(ts), shardNames[i], log));
  });
  return files;
}

describe('a 3-shard checkpoint', () => {
  it('lists every tensor with its shard and reads each back exactly', async () => {
    const log: string[] = [];
    const ckpt = await openCheckpoint(shardedFiles(log));
    expect(ckpt.files).toEqual(shardNames);
    expect(ckpt.tensorNames().sort()).toEqual(Object.keys(weightMap).sort());
    expect(ckpt.totalBytes).toBe(12 * 4 + 27 * 4 + 27 * 2 + 12);
    // Opening reads only the headers: two reads (length, header) per shard.
    expect(log.length).toBe(6);
    expect(log.every((l) => /@(0\+8|8\+\d+)$/.test(l))).toBe(true);

    for (const [i, ts] of shardTensors.entries()) {
      for (const t of ts) {
        const info = ckpt.info(t.name);
        expect(info).toMatchObject({
          name: t.name,
          dtype: t.dtype,
          shape: t.shape,
          file: shardNames[i],
        });
        log.length = 0;
        const values = await ckpt.read(t.name);
        // Every test value is exact in its dtype (multiples of 1/4 within range).
        expect(Array.from(values)).toEqual(Array.from(t.data));
        expect(Array.from(await ckpt.readFloat64(t.name))).toEqual(Array.from(t.data));
        // One read per tensor: its own bytes in its own shard.
        expect(log).toHaveLength(2);
        expect(log[0]).toMatch(new RegExp(`^${shardNames[i]}@\\d+\\+${info.byteLength}$`));
      }
    }
  });

  it('names the missing shard', async () => {
    const err = await openCheckpoint(shardedFiles([], shardNames[1])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointMissingError);
    const e = err as CheckpointMissingError;
    expect(e.kind).toBe('shard');
    expect(e.missing).toBe(shardNames[1]);
    expect(e.message).toBe(
      `model.safetensors.index.json puts tensors (e.g. "h.1.attn.c_attn.weight") in the shard ` +
        `${shardNames[1]}, but that file is missing.`,
    );
  });

  it('names a tensor the index promises but the shard lacks, and one the index does not list', async () => {
    const files = shardedFiles();
    const map = { ...weightMap, 'lm_head.weight': shardNames[2] };
    files.set(
      'model.safetensors.index.json',
      new TextEncoder().encode(JSON.stringify({ weight_map: map })),
    );
    await expect(openCheckpoint(files)).rejects.toThrow(
      `model.safetensors.index.json says tensor "lm_head.weight" is in ${shardNames[2]}, but that shard has no such tensor.`,
    );
    const fewer = { ...weightMap };
    delete fewer['ln_f.bias'];
    files.set(
      'model.safetensors.index.json',
      new TextEncoder().encode(JSON.stringify({ weight_map: fewer })),
    );
    const err = await openCheckpoint(files).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointFormatError);
    expect((err as Error).message).toBe(
      `${shardNames[2]}: holds tensor "ln_f.bias", which model.safetensors.index.json does not list.`,
    );
  });

  it('names an unknown tensor on read', async () => {
    const ckpt = await openCheckpoint(shardedFiles());
    await expect(ckpt.read('nope')).rejects.toThrow(CheckpointMissingError);
    await expect(ckpt.readFloat64('nope')).rejects.toThrow(/"nope"/);
    expect(() => ckpt.info('nope')).toThrow(/has no tensor named "nope"/);
  });

  it('validates the index', () => {
    const bad = (text: string) => () => parseShardIndex(text);
    expect(bad('{')).toThrow(/model\.safetensors\.index\.json: not valid JSON/);
    expect(bad('[]')).toThrow(/must be a JSON object/);
    expect(bad('{"metadata":{}}')).toThrow(/no "weight_map" object/);
    expect(bad('{"weight_map":{}}')).toThrow(/lists no tensors/);
    expect(bad('{"weight_map":{"a":3}}')).toThrow(
      /"weight_map" entry "a" must name a shard file, not 3/,
    );
    expect(bad('{"weight_map":{"a":"../x.safetensors"}}')).toThrow(/plain file names/);
    expect(bad('{"metadata":{"total_size":-1},"weight_map":{"a":"x"}}')).toThrow(/total_size/);
    const ok = parseShardIndex(indexJson);
    expect(ok.shards).toEqual(shardNames);
    expect(ok.totalSize).toBe(12 * 4 + 27 * 4 + 27 * 2 + 12);
  });
});

describe('single-file checkpoints', () => {
  const single = writeSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: [1, 2] }], {
    format: 'pt',
  });

  it('opens model.safetensors, or the only .safetensors file', async () => {
    const a = await openCheckpoint(new Map([['model.safetensors', single]]));
    expect(a.files).toEqual(['model.safetensors']);
    expect(a.metadata).toEqual({ format: 'pt' });
    expect(Array.from(await a.read('w'))).toEqual([1, 2]);
    const b = await openCheckpoint(
      new Map([
        ['tiny.safetensors', single],
        ['config.json', new Uint8Array(2)],
      ]),
    );
    expect(b.info('w').file).toBe('tiny.safetensors');
  });

  it('says when there are no weights, or several files and no index', async () => {
    await expect(
      openCheckpoint(new Map([['config.json', new Uint8Array(2)]]), 'my/repo'),
    ).rejects.toThrow(
      'my/repo has no weights: neither model.safetensors nor model.safetensors.index.json is among its files.',
    );
    await expect(
      openCheckpoint(
        new Map([
          ['a.safetensors', single],
          ['b.safetensors', single],
        ]),
        'my/repo',
      ),
    ).rejects.toThrow(
      /2 \.safetensors files \(a\.safetensors, b\.safetensors\) but no model\.safetensors\.index\.json/,
    );
  });

  it('passes on format errors naming the file', async () => {
    const cut = single.slice(0, single.length - 1);
    await expect(openCheckpoint(new Map([['model.safetensors', cut]]))).rejects.toThrow(
      'model.safetensors: tensor "w" has data_offsets [0, 8] past the end of the data (7 bytes)',
    );
    const longer = new Uint8Array(single.length + 1);
    longer.set(single);
    await expect(openCheckpoint(new Map([['model.safetensors', longer]]))).rejects.toThrow(
      /^model\.safetensors: the tensors cover 8 bytes of data but the file holds 9/,
    );
  });
});

describe('Node file sources', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('read a sharded checkpoint from a directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'io-checkpoint-'));
    await writeFile(join(dir, 'model.safetensors.index.json'), indexJson);
    for (const [i, ts] of shardTensors.entries())
      await writeFile(join(dir, shardNames[i]), writeSafetensors(ts));
    const ckpt = await openCheckpoint(await directorySources(dir));
    expect(Array.from(await ckpt.read('ln_f.weight'))).toEqual([1, 0.5, -4]);
    expect(Array.from(await ckpt.read('h.1.attn.c_attn.weight'))).toEqual(ramp(27, -2));

    const src = await fileSource(join(dir, shardNames[2]));
    expect(src.name).toBe(shardNames[2]);
    await expect(src.read(src.size - 2, 4)).rejects.toThrow(CheckpointFormatError);
  });
});
