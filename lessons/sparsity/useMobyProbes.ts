import { useEffect, useState } from 'react';
import {
  CpuBackend,
  loadTokenizer,
  readModel,
  type AttentionProbe,
  type LoadedModel,
  type ModelTokenizer,
} from '../../engine';
import {
  defaultModelsBase,
  fetchDefaultModel,
  type DefaultModel,
} from '../../components/defaultModels';

/** The model the lesson runs. */
export const MODEL: DefaultModel = 'moby-gpt2';
/** Wait this long after the last keystroke before running the model on a new prompt. */
const PROMPT_DELAY_MS = 350;

export interface Model {
  tokenizer: ModelTokenizer;
  /** The same weights on the CPU backend in float64 and in float32, built with probe: true. */
  f64: LoadedModel;
  f32: LoadedModel;
  layers: number;
  heads: number;
  d: number;
}

export type ModelState =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; model: Model };

/** Fetches moby-gpt2 from the app's models folder and builds it twice (float64, float32). */
export function useMobyModel(attempt: number): ModelState {
  const [state, setState] = useState<ModelState>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    let built: Model | undefined;
    setState({ status: 'loading' });
    (async () => {
      const files = await fetchDefaultModel(MODEL, defaultModelsBase());
      const host = await readModel(files);
      const tokenizer = await loadTokenizer(files);
      if (!tokenizer) throw new Error(`The model ${MODEL} has no tokenizer files.`);
      if (cancelled) return;
      const options = { scheme: 'kv', probe: true } as const;
      built = {
        tokenizer,
        f64: host.build(new CpuBackend({ dtype: 'float64' }), options),
        f32: host.build(new CpuBackend({ dtype: 'float32' }), options),
        layers: host.spec.layers,
        heads: host.spec.heads,
        d: host.spec.d,
      };
      setState({ status: 'ready', model: built });
    })().catch((error: unknown) => {
      if (cancelled) return;
      const reason = error instanceof Error ? error.message : String(error);
      setState({ status: 'error', message: reason });
    });
    return () => {
      cancelled = true;
      built?.f64.dispose();
      built?.f32.dispose();
    };
  }, [attempt]);
  return state;
}

export interface Probes {
  key: string;
  ids: number[];
  f64: AttentionProbe;
  f32: AttentionProbe;
}

export type ProbeState =
  | { status: 'idle' }
  | { status: 'running'; previous?: Probes }
  | { status: 'error'; message: string }
  | { status: 'done'; probes: Probes };

/** Runs the model on `ids` and reads layer `layer` (0-based), after a pause in typing. */
export function useProbes(
  model: Model | undefined,
  ids: number[] | undefined,
  layer: number,
): ProbeState {
  const [state, setState] = useState<ProbeState>({ status: 'idle' });
  const key = ids ? `${layer}:${ids.join(',')}` : '';
  useEffect(() => {
    if (!model || !ids) return;
    let cancelled = false;
    setState((s) => ({
      status: 'running',
      previous: s.status === 'done' ? s.probes : s.status === 'running' ? s.previous : undefined,
    }));
    const timer = setTimeout(() => {
      // One forward pass per dtype, with a pause between them so the page can paint.
      (async () => {
        const f64 = await model.f64.probeAttention(ids, { layer });
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (cancelled) return;
        const f32 = await model.f32.probeAttention(ids, { layer });
        if (!cancelled) setState({ status: 'done', probes: { key, ids, f64, f32 } });
      })().catch((error: unknown) => {
        if (!cancelled)
          setState({
            status: 'error',
            message: error instanceof Error ? error.message : String(error),
          });
      });
    }, PROMPT_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // `key` names ids and layer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, key]);
  return state;
}
