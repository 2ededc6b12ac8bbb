import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  chips,
  comparePrinted,
  complexityKeys,
  computeDtype,
  decodeStepTimes,
  encoderDecoderCache,
  generateComplexity,
  memoryReport,
  models,
  paperTable1,
  paperTable3,
  paperTable7,
  paramBytes,
  requireChip,
  requireModel,
  slimPeakIntensity,
  whisperTable,
  xCacheValues,
} from '../../roofline';
import type { Model } from '../../roofline';
import {
  capacityFrontier,
  chipRidge,
  chipsNeeded,
  computeBoundFrom,
  contextGrid,
  contextRange,
  intensitySeries,
  maxFittingBatch,
  maxFittingContext,
  memoryBytes,
  memorySeries,
  memoryLines,
  minContext,
  operatingPoints,
  roofSeries,
  speedupBatches,
  speedupSeries,
  type Formats,
} from '../../explorer/series';

const phi3 = requireModel('phi-3-mini-128k');
const h200 = requireChip('nvidia-h200');
const oneByte: Formats = { weightFormat: 'fp8', cacheFormat: 'fp8' };
const twoBytes: Formats = { weightFormat: 'fp16', cacheFormat: 'fp16' };

/** Relative closeness: series are built from the same float64 functions, so 1e-12 is plenty. */
function close(a: number, b: number, rel = 1e-12) {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(a), Math.abs(b)));
}

describe('contextGrid', () => {
  it('gives increasing integers from min to max, log-spaced', () => {
    const grid = contextGrid(128, 2 ** 20, 512);
    expect(grid).toHaveLength(512); // ratio per step ≈ 1.018, never two equal integers
    expect(grid[0]).toBe(128);
    expect(grid[511]).toBe(2 ** 20);
    for (let i = 1; i < grid.length; i++) expect(grid[i]).toBeGreaterThan(grid[i - 1]);
    // Log spacing: the middle point is the geometric mean of the ends (±1 for rounding).
    expect(Math.abs(grid[Math.floor(511 / 2)] - Math.sqrt(128 * 2 ** 20))).toBeLessThan(
      0.02 * Math.sqrt(128 * 2 ** 20),
    );
  });
  it('deduplicates narrow ranges and rejects bad ranges', () => {
    expect(contextGrid(1, 4, 50)).toEqual([1, 2, 3, 4]);
    expect(() => contextGrid(0, 10, 5)).toThrow(/context range/);
    expect(() => contextGrid(10, 5, 5)).toThrow(/context range/);
    expect(() => contextGrid(1, 10, 1)).toThrow(/points/);
  });
});

describe('memory series equal the cost model at sampled points', () => {
  const contexts = contextGrid(128, 2 ** 20, 64);
  it('standard and slim totals equal memoryReport when weights and cache share a format', () => {
    for (const [formats, bytesPerValue] of [
      [oneByte, 1],
      [twoBytes, 2],
    ] as const) {
      for (const batch of [1, 16]) {
        const series = memorySeries(phi3, batch, formats, contexts);
        for (const n of contexts.filter((_, i) => i % 7 === 0)) {
          const report = memoryReport(phi3, { contextLength: n, batch, bytesPerValue });
          const at = (v: string) =>
            series.find((p) => p.contextLength === n && p.line === v)!.bytes;
          close(at('kv'), report.totalBytes.standard);
          close(at('slim'), report.totalBytes.slim);
          close(at('weights'), report.paramBytes);
        }
      }
    }
  });

  it('separate formats: weights in one, cache in the other', () => {
    const m = memoryBytes(phi3, 'kv', 4096, 4, { weightFormat: 'int4', cacheFormat: 'fp16' });
    close(m.weights, paramBytes(phi3, 0.5));
    close(
      m.cache,
      2 *
        memoryReport(phi3, { contextLength: 4096, batch: 4, bytesPerValue: 1 }).kvCacheBytes
          .standard,
    );
  });

  it('slim halves an MHA cache exactly (paper §1)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          ...models.filter(
            (m) =>
              m.architecture === 'decoder' && m.kvHeads === m.heads && m.heads * m.headDim === m.d,
          ),
        ),
        fc.integer({ min: 1, max: 1 << 20 }),
        fc.integer({ min: 1, max: 64 }),
        (model, n, batch) => {
          const std = memoryBytes(model, 'kv', n, batch, oneByte);
          const slim = memoryBytes(model, 'slim', n, batch, oneByte);
          close(slim.cache * 2, std.cache);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('X-cache for non-square MHA without RoPE (T5-11B: 2r = 32x, paper §3) and E-cache for Whisper', () => {
    // T5 is an encoder–decoder: it gets the E-cache variant; a decoder copy of T5-11B's
    // shape exercises the X-cache.
    const t5 = requireModel('t5-11b');
    const decoderT5: Model = {
      ...t5,
      architecture: 'decoder',
      encoderLength: undefined,
      decoderLength: undefined,
    };
    // Slim is the X-cache itself (smallest stored total, no extra weights, paper §3 option 2), so the
    // view draws no separate X-cache line; its label names the scheme.
    const variants = memoryLines(decoderT5);
    expect(variants.map((v) => v.line)).toEqual(['kv', 'slim']);
    expect(variants[1].label).toMatch(/X-cache/);
    const x = memoryBytes(decoderT5, 'slim', 1000, 1, oneByte);
    const std = memoryBytes(decoderT5, 'kv', 1000, 1, oneByte);
    // d·layers·n = 1024·24·1000 values, 2r = 2·16384/1024 = 32 times smaller.
    close(x.cache, 1024 * 24 * 1000);
    close(x.cache, xCacheValues(decoderT5, 1000));
    close(std.cache / x.cache, (2 * t5.heads * t5.headDim) / t5.d);
    close(std.cache / x.cache, 32);
    // No extra weights: option 1's e×e W_KV would add 24·(e² − d·e) values.
    close(x.weights, t5.params);

    const whisper = requireModel('whisper-tiny');
    // Whisper: option 2 (self K-cache + E-cache, paper §4) stores least, so slim is option 2 and no
    // separate E-cache line is drawn.
    const wv = memoryLines(whisper);
    expect(wv.map((v) => v.line)).toEqual(['kv', 'slim']);
    expect(wv[1].label).toMatch(/option 2/);
    const ref = encoderDecoderCache(whisper);
    const e = memoryBytes(whisper, 'e-cache', 1500 + 448, 1, oneByte);
    close(e.cache, ref.option2 + ref.eCache);
    close(memoryBytes(whisper, 'slim', 1948, 1, oneByte).cache, ref.option2 + ref.eCache);
    // Baseline of paper §4 = standard cache at p + 448 positions.
    close(memoryBytes(whisper, 'kv', 1948, 1, oneByte).cache, ref.baseline);
  });

  it('RoPE models get no X-cache; GQA with c ≤ 1 gets slim = standard', () => {
    expect(memoryLines(phi3).map((v) => v.line)).toEqual(['kv', 'slim']);
    const llama3 = requireModel('llama-3-8b');
    const s = memoryBytes(llama3, 'slim', 8192, 1, oneByte);
    const t = memoryBytes(llama3, 'kv', 8192, 1, oneByte);
    expect(s.total).toBe(t.total);
  });
});

describe('capacity: fitting context, batch, chips', () => {
  it('maxFittingContext is the last context that fits (checked against memoryReport)', () => {
    for (const batch of [1, 16]) {
      for (const v of ['kv', 'slim'] as const) {
        const n = maxFittingContext(phi3, v, batch, oneByte, h200.memoryCapacity, 2 ** 24);
        expect(n).toBeGreaterThan(0);
        const total = (k: number) =>
          memoryReport(phi3, { contextLength: k, batch, bytesPerValue: 1 }).totalBytes[
            v === 'kv' ? 'standard' : 'slim'
          ];
        expect(total(n)).toBeLessThanOrEqual(h200.memoryCapacity);
        expect(total(n + 1)).toBeGreaterThan(h200.memoryCapacity);
      }
    }
    // Slim fits about twice the context when the cache dominates.
    const std = maxFittingContext(phi3, 'kv', 16, oneByte, h200.memoryCapacity, 2 ** 24);
    const slim = maxFittingContext(phi3, 'slim', 16, oneByte, h200.memoryCapacity, 2 ** 24);
    expect(slim / std).toBeGreaterThan(1.9);
    expect(slim / std).toBeLessThanOrEqual(2.0001);
  });

  it('returns 0 when the weights alone do not fit, and the limit when everything fits', () => {
    const bloom = requireModel('bloom');
    expect(maxFittingContext(bloom, 'slim', 1, twoBytes, h200.memoryCapacity, 2 ** 20)).toBe(0);
    expect(maxFittingBatch(bloom, 'slim', 1024, twoBytes, h200.memoryCapacity)).toBe(0);
    expect(maxFittingContext(phi3, 'slim', 1, oneByte, 1e15, 2 ** 20)).toBe(2 ** 20);
  });

  it('maxFittingBatch fits B and not B + 1; chipsNeeded is the ceiling of bytes / capacity', () => {
    for (const v of ['kv', 'slim'] as const) {
      const b = maxFittingBatch(phi3, v, 32768, oneByte, h200.memoryCapacity);
      expect(memoryBytes(phi3, v, 32768, b, oneByte).total).toBeLessThanOrEqual(
        h200.memoryCapacity,
      );
      expect(memoryBytes(phi3, v, 32768, b + 1, oneByte).total).toBeGreaterThan(
        h200.memoryCapacity,
      );
      const k = chipsNeeded(phi3, v, 100, 131072, oneByte, h200.memoryCapacity);
      expect(memoryBytes(phi3, v, 131072, 100, oneByte).total).toBeLessThanOrEqual(
        k * h200.memoryCapacity,
      );
      expect(memoryBytes(phi3, v, 131072, 100, oneByte).total).toBeGreaterThan(
        (k - 1) * h200.memoryCapacity,
      );
    }
    const frontier = capacityFrontier(phi3, oneByte, h200.memoryCapacity, [1024, 65536]);
    expect(frontier.find((p) => p.line === 'slim' && p.contextLength === 65536)!.maxBatch).toBe(
      maxFittingBatch(phi3, 'slim', 65536, oneByte, h200.memoryCapacity),
    );
  });
});

describe('intensity series equal Table 2 (paper §2, Table 2)', () => {
  const contexts = contextGrid(128, 2 ** 20, 32);
  it('matches generateComplexity at every sampled point, and the printed Table 2 values', () => {
    const model = requireModel('codellama-7b'); // d 4096, h 32, square MHA
    for (const batch of [1, 8]) {
      const series = intensitySeries(model, batch, oneByte, contexts);
      expect(series).toHaveLength(3 * contexts.length);
      for (const p of series) {
        const c = generateComplexity({ d: 4096, h: 32, n: p.contextLength, batch })[
          complexityKeys[p.scheme]
        ];
        close(
          p.layerOpsPerByte,
          (c.projection.ops + c.mha.ops) / (c.projection.reads + c.mha.reads),
        );
        close(p.mhaOpsPerByte, c.mha.intensity);
        // Independent check against the printed Table 2: MHA intensity 2, 4, 2h + 2 per value.
        const printed = { kv: 2, 'v-first': 4, 'k-first': slimPeakIntensity(32) }[p.scheme];
        close(p.mhaOpsPerByte, printed);
      }
    }
    // Batch 1, vanilla: the whole layer sits at 2 OPs per value (projection 2, MHA 2).
    for (const p of intensitySeries(model, 1, oneByte, contexts).filter((q) => q.scheme === 'kv'))
      close(p.layerOpsPerByte, 2);
  });

  it('halves OPs per byte when the cache is two bytes per value', () => {
    const model = requireModel('codellama-7b');
    const [one] = intensitySeries(model, 1, oneByte, [4096]).filter((p) => p.scheme === 'k-first');
    const [two] = intensitySeries(model, 1, twoBytes, [4096]).filter((p) => p.scheme === 'k-first');
    close(two.mhaOpsPerByte * 2, one.mhaOpsPerByte);
  });

  it('h = 64 on Apple M4 Max: option 2 turns compute bound, H200 stays memory bound (paper Table 3)', () => {
    const aya = requireModel('aya-23-35b'); // h = 64, 2h + 2 = 130
    const points = intensitySeries(aya, 1, oneByte, contextGrid(128, 2 ** 20, 512));
    const m4 = requireChip('apple-m4-max');
    const from = computeBoundFrom(points, 'k-first', chipRidge(m4, 'fp8'));
    expect(from).toBeDefined();
    expect(computeBoundFrom(points, 'k-first', chipRidge(h200, 'int4'))).toBeUndefined();
    expect(computeBoundFrom(points, 'kv', chipRidge(m4, 'fp8'))).toBeUndefined();
  });
});

describe('roofline series and operating points', () => {
  it('chip ridges at int8 reproduce paper Table 3 OPs/byte (printed as integers)', () => {
    for (const chip of chips.filter((c) => c.paperTable3)) {
      expect(computeDtype(chip, 'int4').dtype).toBe('int8');
      expect(Math.abs(chipRidge(chip, 'int4') - chip.paperTable3!.opsPerByte)).toBeLessThanOrEqual(
        0.5 + 1e-9,
      );
    }
  });

  it('the roof is I·bandwidth below the ridge and the peak above it', () => {
    const series = roofSeries([h200], 'fp8', 0.5, 5000, 64);
    const ridge = chipRidge(h200, 'fp8');
    expect(series.some((p) => p.opsPerByte === ridge)).toBe(true);
    for (const p of series) {
      if (p.opsPerByte <= ridge) close(p.opsPerSecond, p.opsPerByte * h200.memoryBandwidth);
      else close(p.opsPerSecond, h200.peakOpsPerSecond.fp8!);
    }
  });

  it('places attention at Table 2 intensities and the weights at 2B / bytes', () => {
    const model = requireModel('codellama-7b');
    const points = operatingPoints({
      model,
      chip: h200,
      batch: 16,
      contextLength: 16384,
      ...oneByte,
    });
    const byId = (id: string) => points.find((p) => p.id === id)!;
    close(byId('mha-kv').opsPerByte, 2);
    close(byId('mha-k-first').opsPerByte, slimPeakIntensity(32));
    close(byId('weights').opsPerByte, 32);
    expect(byId('mha-kv').bound).toBe('memory');
    expect(byId('mha-kv').explanation).toMatch(/memory bound/);
    close(byId('mha-kv').opsPerSecond, 2 * h200.memoryBandwidth);
  });
});

describe('speedup series equal the cost model', () => {
  it('memory-bound speedup = memoryReport.decodeSpeedup, roofline = decodeStepTimes', () => {
    const contexts = contextGrid(128, 2 ** 20, 16);
    const batches = speedupBatches(4);
    expect(batches).toEqual([1, 4, 8, 64]);
    const series = speedupSeries(phi3, h200, batches, oneByte, contexts);
    expect(series).toHaveLength(batches.length * contexts.length * 2);
    for (const p of series) {
      if (p.estimate === 'memory-bound') {
        const r = memoryReport(phi3, {
          contextLength: p.contextLength,
          batch: p.batch,
          bytesPerValue: 1,
        });
        close(p.speedup, r.decodeSpeedup);
      } else {
        const t = decodeStepTimes(phi3, h200, 'fp8', {
          contextLength: p.contextLength,
          batch: p.batch,
          bytesPerValue: 1,
        });
        close(p.speedup, t.speedup);
      }
      // MHA: never more than 2x (paper §1).
      expect(p.speedup).toBeLessThanOrEqual(2 + 1e-12);
    }
  });

  it('Phi-3 at 128K, batch 1, 1 byte: up to 1.8x memory bound (paper §1, ±0.05 for rounding)', () => {
    const [p] = speedupSeries(phi3, h200, [1], oneByte, [128 * 1024]).filter(
      (q) => q.estimate === 'memory-bound',
    );
    expect(Math.abs(p.speedup - 1.8)).toBeLessThan(0.05);
  });
});

describe('contextRange', () => {
  it('starts at the encoder rows for encoder–decoders (no decoder token yet is valid)', () => {
    expect(contextRange(requireModel('whisper-tiny'))).toEqual({ min: 1500, max: 1500 + 16 * 448 });
    // Flan-T5-XXL at its 512 encoder rows: paper Table 1's row, as the CLI accepts it.
    const t5 = requireModel('flan-t5-xxl');
    expect(contextRange(t5).min).toBe(512);
    expect(minContext(t5)).toBe(512);
    expect(memorySeries(t5, 1, oneByte, [512])[0].contextLength).toBe(512);
    expect(contextRange(phi3)).toEqual({ min: 128, max: 2 ** 20 });
  });
});

describe('paper tables regenerated (view 7)', () => {
  it('Table 1: every printed context memory matches the cost model at printed precision', () => {
    const rows = paperTable1(models);
    expect(rows).toHaveLength(24);
    for (const r of rows) {
      expect(
        r.contextMemory.matches,
        `${r.model.id}: ${r.contextMemory.computedText} vs ${r.contextMemory.printed}`,
      ).toBe(true);
    }
  });
  it('Table 3: the six paper chips, ridge points as printed', () => {
    const rows = paperTable3(chips);
    expect(rows.map((r) => r.chip.name)).toEqual([
      'Apple A18',
      'Apple M4 Max',
      'Google TPU v4',
      'Google TPU v5p',
      'NVIDIA H200',
      'NVIDIA B200',
    ]);
    for (const r of rows) expect(r.opsPerByte.matches).toBe(true);
  });
  it('Table 7: Whisper cells equal whisperTable and agree with the printed values', () => {
    const rows = paperTable7();
    expect(rows).toHaveLength(16);
    const b64 = whisperTable(64);
    const speed = rows.find((r) => r.label === 'speedup B=64: option2')!;
    speed.cells.forEach((c, i) => expect(c.computed).toBe(b64[i].speedup.option2));
    const mismatches = rows.flatMap((r) =>
      r.cells.filter((c) => !c.matches).map((c) => `${r.label}: ${c.computedText} vs ${c.printed}`),
    );
    // Every printed cell of paper §4 is reproduced; a mismatch would be shown highlighted.
    expect(mismatches).toEqual([]);
  });
  it('comparePrinted rounds at the printed precision and flags a difference', () => {
    expect(comparePrinted(4.29e9, '4.3B')).toMatchObject({ matches: true, computedText: '4.3B' });
    expect(comparePrinted(4.36e9, '4.3B')).toMatchObject({ matches: false, computedText: '4.4B' });
    expect(comparePrinted(1.0849, '1.08x').matches).toBe(true);
    expect(() => comparePrinted(1, 'abc')).toThrow(/printed value/);
  });
});
