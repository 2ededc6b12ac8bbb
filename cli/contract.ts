import type { LayerPrecision, ModelSpec } from '../engine';
import { keyWidth, type CacheScheme, type MemoryReport, type Model } from '../roofline';

/**
 * The CLI's JSON contract, where it differs from the project's internal names. Internally a
 * cache scheme is a `CacheScheme` (roofline/schemes.ts); `slim memory --json` has always named
 * it with the strings below, and scripts (and the hidden reference outputs) depend on them, so
 * they are mapped here, in one place, and nowhere else.
 *
 * | JSON `slimVariant` | CacheScheme     | meaning                                                |
 * | ------------------ | --------------- | ------------------------------------------------------ |
 * | 'k-cache'          | 'k-cache'       | square MHA decoder, only K cached (paper §1)           |
 * | 'option-1'         | 'k-cache'       | K-cache with e×e W_KV: non-square MHA (paper §3,       |
 * |                    |                 | option 1) or an encoder–decoder's self and cross       |
 * |                    |                 | K-caches (paper §4, option 1)                          |
 * | 'option-2'         | 'e-cache'       | self K-cache + E-cache (paper §4, option 2)            |
 * | 'x-cache'          | 'x-cache'       | d-wide inputs X (paper §3, option 2)                   |
 * | 'd-wide-cache'     | 'd-wide-cache'  | d-wide cache, K and V rebuilt (Appendix C)             |
 * | 'none'             | 'kv'            | no scheme beats the standard cache                     |
 *
 * `slim check --json` names a layer's float32 rebuild errors `errKtoV` and `errVtoK` (the
 * engine's LayerPrecision `f32KtoV` and `f32VtoK`); `checkJsonOf` maps them.
 */
export type SlimVariantJson =
  'k-cache' | 'option-1' | 'option-2' | 'x-cache' | 'd-wide-cache' | 'none';

/** The contract's name for the scheme `scheme` of `model` (see the table above). */
export function slimVariantJson(model: Model, scheme: CacheScheme): SlimVariantJson {
  switch (scheme) {
    case 'k-cache':
      return model.architecture === 'encoder-decoder' || keyWidth(model) !== model.d
        ? 'option-1'
        : 'k-cache';
    case 'e-cache':
      return 'option-2';
    case 'kv':
      return 'none';
    case 'x-cache':
    case 'd-wide-cache':
      return scheme;
    case 'v-cache':
      throw new Error('the V-cache is never a memory-report scheme');
  }
}

/** The `slim memory --json` document: the memory report with the contract's `slimVariant`. */
export interface MemoryJson extends Omit<MemoryReport, 'slimScheme'> {
  slimVariant: SlimVariantJson;
}

/** MemoryReport → the contract's document, keys in the contract's order. */
export function memoryJsonOf(model: Model, report: MemoryReport): MemoryJson {
  return {
    model: report.model,
    contextLength: report.contextLength,
    batch: report.batch,
    bytesPerValue: report.bytesPerValue,
    slimVariant: slimVariantJson(model, report.slimScheme),
    kvCacheValues: report.kvCacheValues,
    kvCacheBytes: report.kvCacheBytes,
    paramBytes: report.paramBytes,
    totalBytes: report.totalBytes,
    readBytes: report.readBytes,
    decodeSpeedup: report.decodeSpeedup,
    readSpeedup: report.readSpeedup,
  };
}

/** One layer of the `slim check --json` document (errKtoV and errVtoK: the float32 errors). */
export interface CheckLayerJson {
  layer: number;
  condK: number;
  condV: number;
  errKtoV: number | null;
  errVtoK: number | null;
  direction: LayerPrecision['direction'];
}

/** The engine's per-layer report → the `slim check --json` document, keys in the contract's order. */
export function checkJsonOf(report: readonly LayerPrecision[]): { layers: CheckLayerJson[] } {
  return {
    layers: report.map((r) => ({
      layer: r.layer,
      condK: r.condK,
      condV: r.condV,
      errKtoV: r.f32KtoV,
      errVtoK: r.f32VtoK,
      direction: r.direction,
    })),
  };
}

/**
 * The `slim run --json` document: the generated ids, the logits that chose the last one, the
 * bytes of both schemes' filled caches after the run's tokens (slim null when no slim model
 * can be built), and the slim scheme.
 */
export interface RunJson {
  generated: number[];
  lastLogits: number[];
  cacheBytes: { standard: number; slim: number | null };
  /** The cache the slim side runs: the K-cache, or for GQA the d-wide cache or X-cache. */
  slimScheme: ModelSpec['slimScheme'];
}
