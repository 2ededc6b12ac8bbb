/**
 * Lesson 11's measurement of real layers: opens the default models (public/models) and runs the
 * engine's per-layer precision report on each (the Playground's per-layer check). Runs in the
 * lesson's worker (measure.worker.ts); plain async code, so tests can call it directly.
 */
import { openModel, precisionReport, type LayerPrecision } from '../../engine';
import {
  DEFAULT_MODEL_NAMES,
  fetchDefaultModel,
  type DefaultModel,
} from '../../components/defaultModels';

export interface ModelPrecision {
  model: DefaultModel;
  family: string;
  /** Model width d (W_K and W_V are d×d). */
  d: number;
  /** True for rotary models, which run the K-cache direction only. */
  rope: boolean;
  rows: LayerPrecision[];
}

export interface MeasureProgress {
  /** Layers measured so far, over all models, and how many there are. */
  done: number;
  total: number;
  model: DefaultModel;
}

/** Lets the worker's message queue run between layers. */
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Every layer of every default model: cond(W_K), cond(W_V), the float32 and float16 errors of
 * both directions and the direction chosen. `base` is the models folder's absolute URL
 * (defaultModelsBase(), taken on the page).
 */
export async function measureDefaultModels(
  base: string,
  onProgress?: (p: MeasureProgress) => void,
): Promise<ModelPrecision[]> {
  const opened = [];
  for (const model of DEFAULT_MODEL_NAMES)
    opened.push({ model, opened: await openModel(await fetchDefaultModel(model, base), model) });
  const total = opened.reduce((sum, o) => sum + o.opened.spec.layers, 0);
  let before = 0;
  const out: ModelPrecision[] = [];
  for (const { model, opened: m } of opened) {
    onProgress?.({ done: before, total, model });
    const rows = await precisionReport(m, {
      onProgress: (done) => onProgress?.({ done: before + done, total, model }),
      pause,
    });
    before += m.spec.layers;
    out.push({ model, family: m.spec.family, d: m.spec.d, rope: m.spec.rope, rows });
  }
  return out;
}
