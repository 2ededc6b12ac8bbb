import { useCallback, useEffect, useRef, useState } from 'react';
import * as Comlink from 'comlink';
import type { LayerPrecision } from '../engine';
import { untilSettled } from '../components/workerCalls';
import type { StepReport } from './decoding';
import type {
  GenerateOptions,
  GenerateResult,
  GenerateStart,
  GenerateUpdate,
  LoadProgress,
  ModelInfo,
  ModelSource,
  PlaygroundWorkerApi,
} from './worker';

export type LoadState =
  | { state: 'idle' }
  | { state: 'loading'; what: string; progress?: LoadProgress }
  | { state: 'ready'; info: ModelInfo }
  | { state: 'cancelled'; what: string }
  | { state: 'error'; message: string };

export type GenState =
  | { state: 'idle' }
  | {
      state: 'running' | 'done';
      start?: GenerateStart;
      steps: StepReport[];
      last?: GenerateUpdate;
      result?: GenerateResult;
    }
  | { state: 'error'; message: string; steps: StepReport[]; last?: GenerateUpdate };

export type CheckState =
  | { state: 'idle' }
  | { state: 'running'; done: number; total: number }
  | { state: 'done'; rows: LayerPrecision[] }
  | { state: 'error'; message: string };

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * The Playground's worker (through Comlink) for as long as the page is mounted, and the calls
 * to it with the state they report: loading a model, generating, stopping, the per-layer check.
 * Each call's callbacks are guarded by `untilSettled`, so a late report never revives a call
 * that has ended.
 */
export function usePlaygroundWorker() {
  const [load, setLoad] = useState<LoadState>({ state: 'idle' });
  const [gen, setGen] = useState<GenState>({ state: 'idle' });
  const [check, setCheck] = useState<CheckState>({ state: 'idle' });
  const apiRef = useRef<Comlink.Remote<PlaygroundWorkerApi> | null>(null);
  const loadSeq = useRef(0);
  const cancelled = useRef(false);

  useEffect(() => {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    apiRef.current = Comlink.wrap<PlaygroundWorkerApi>(worker);
    return () => {
      apiRef.current = null;
      worker.terminate();
    };
  }, []);

  const startLoad = useCallback(async (source: ModelSource, what: string) => {
    const api = apiRef.current;
    if (!api) return;
    const seq = ++loadSeq.current;
    cancelled.current = false;
    // A generation still running belongs to the previous model: end it.
    void api.stop();
    setLoad({ state: 'loading', what });
    setGen({ state: 'idle' });
    setCheck({ state: 'idle' });
    try {
      const info = await untilSettled((guard) =>
        api.load(
          source,
          Comlink.proxy(
            guard((progress: LoadProgress) => {
              if (seq === loadSeq.current) setLoad({ state: 'loading', what, progress });
            }),
          ),
        ),
      );
      if (seq === loadSeq.current) setLoad({ state: 'ready', info });
    } catch (error) {
      if (seq !== loadSeq.current) return;
      setLoad(
        cancelled.current
          ? { state: 'cancelled', what }
          : { state: 'error', message: messageOf(error) },
      );
    }
  }, []);

  /** A load refused before it reached the worker (a malformed repo id). */
  const loadRefused = (message: string) => setLoad({ state: 'error', message });

  const cancelDownload = () => {
    cancelled.current = true;
    void apiRef.current?.cancelDownload();
  };

  const generate = async (options: GenerateOptions) => {
    const api = apiRef.current;
    if (!api) return;
    const steps0: StepReport[] = [];
    setGen({ state: 'running', steps: [] });
    try {
      const result = await untilSettled((guard) =>
        api.generate(
          options,
          Comlink.proxy(
            guard((start: GenerateStart) => setGen({ state: 'running', start, steps: [] })),
          ),
          Comlink.proxy(
            guard((u: GenerateUpdate) => {
              steps0.push(u);
              setGen((g) => (g.state === 'running' ? { ...g, steps: [...steps0], last: u } : g));
            }),
          ),
        ),
      );
      setGen((g) => (g.state === 'running' ? { ...g, state: 'done', result } : g));
    } catch (error) {
      setGen({
        state: 'error',
        message: messageOf(error),
        steps: steps0,
        last: steps0.at(-1) as GenerateUpdate | undefined,
      });
    }
  };

  const stop = () => void apiRef.current?.stop();

  const runCheck = async () => {
    const api = apiRef.current;
    if (!api) return;
    setCheck({ state: 'running', done: 0, total: 1 });
    try {
      const rows = await untilSettled((guard) =>
        api.check(
          Comlink.proxy(
            guard((done: number, total: number) => setCheck({ state: 'running', done, total })),
          ),
        ),
      );
      setCheck({ state: 'done', rows });
    } catch (error) {
      setCheck({ state: 'error', message: messageOf(error) });
    }
  };

  return { load, gen, check, startLoad, loadRefused, cancelDownload, generate, stop, runCheck };
}

/** The worker's state and calls, as a panel takes the part it needs of them. */
export type PlaygroundWorker = ReturnType<typeof usePlaygroundWorker>;
