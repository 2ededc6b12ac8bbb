/**
 * Starts lesson 11's measurement: in its worker (measure.worker.ts) where the browser
 * has Worker, else on the page itself (slower to respond while it runs, same numbers; also
 * what a test environment without Worker gets).
 */
import * as Comlink from 'comlink';
import { untilSettled } from '../../components/workerCalls';
import type { MeasureProgress, ModelPrecision } from './measure';
import type { PrecisionWorkerApi } from './measure.worker';

export interface PrecisionWorker {
  measure(base: string, onProgress: (p: MeasureProgress) => void): Promise<ModelPrecision[]>;
  terminate(): void;
}

export function startPrecisionWorker(): PrecisionWorker {
  if (typeof Worker === 'undefined')
    return {
      measure: async (base, onProgress) =>
        (await import('./measure')).measureDefaultModels(base, onProgress),
      terminate: () => {},
    };
  const worker = new Worker(new URL('./measure.worker.ts', import.meta.url), {
    type: 'module',
  });
  const api = Comlink.wrap<PrecisionWorkerApi>(worker);
  return {
    measure: (base, onProgress) =>
      untilSettled((guard) => api.measure(base, Comlink.proxy(guard(onProgress)))),
    terminate: () => worker.terminate(),
  };
}
