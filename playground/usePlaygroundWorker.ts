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

/** How long a running Generate has to end after Stop before the worker is restarted. */
export const STOP_GRACE_MS = 2000;

/** The worker behind the hook (a factory, so tests can hand in their own). */
export type WorkerFactory = () => Worker;

const newPlaygroundWorker: WorkerFactory = () =>
  new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

/**
 * The Playground's worker (through Comlink) for as long as the page is mounted, and the calls
 * to it with the state they report: loading a model, generating, stopping, the per-layer check.
 * Each call's callbacks are guarded by `untilSettled`, so a late report never revives a call
 * that has ended.
 */
export function usePlaygroundWorker({
  createWorker = newPlaygroundWorker,
  stopGraceMs = STOP_GRACE_MS,
}: { createWorker?: WorkerFactory; stopGraceMs?: number } = {}) {
  const [load, setLoad] = useState<LoadState>({ state: 'idle' });
  const [gen, setGen] = useState<GenState>({ state: 'idle' });
  const [check, setCheck] = useState<CheckState>({ state: 'idle' });
  /** Set when the worker had to be restarted (it did not answer a Stop in time). */
  const [notice, setNotice] = useState<string | undefined>();
  /** Counts restarts: the page reloads its model when it changes. */
  const [restarts, setRestarts] = useState(0);
  const apiRef = useRef<Comlink.Remote<PlaygroundWorkerApi> | null>(null);
  const workerRef = useRef<Worker | null>(null);
  /** Settles when the running generate() call does (null when none runs). */
  const running = useRef<Promise<unknown> | null>(null);
  const loadSeq = useRef(0);
  const cancelled = useRef(false);
  const factory = useRef(createWorker);

  const startWorker = useCallback(() => {
    workerRef.current?.terminate();
    const worker = factory.current();
    workerRef.current = worker;
    apiRef.current = Comlink.wrap<PlaygroundWorkerApi>(worker);
  }, []);

  useEffect(() => {
    startWorker();
    return () => {
      apiRef.current = null;
      workerRef.current?.terminate();
      workerRef.current = null;
    };
  }, [startWorker]);

  /**
   * Asks a running generate() to stop; if it has not ended within STOP_GRACE_MS (the worker is
   * stuck in one synchronous call: a tokenizer's catastrophic regex, say), terminates the worker
   * and starts a fresh one, which has no model loaded. Resolves true when it restarted.
   */
  const stopOrRestart = useCallback(async (): Promise<boolean> => {
    const pending = running.current;
    if (!pending) return false;
    void apiRef.current?.stop();
    const ended = await Promise.race([
      pending.then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), stopGraceMs)),
    ]);
    if (ended) return false;
    running.current = null;
    startWorker();
    loadSeq.current++;
    setGen((g) => ({
      state: 'error',
      message: `The worker did not answer Stop within ${stopGraceMs / 1000} s, so it was restarted.`,
      steps: g.state === 'idle' ? [] : g.steps,
      last: g.state === 'idle' ? undefined : g.last,
    }));
    setLoad({ state: 'idle' });
    setCheck({ state: 'idle' });
    setNotice(
      `The Playground's worker did not answer Stop within ${stopGraceMs / 1000} s ` +
        '(a step or the tokenizer was stuck: a tokenizer whose pattern backtracks without end ' +
        'can do that), so it was ended and a fresh one started. Load the model again.',
    );
    setRestarts((n) => n + 1);
    return true;
  }, [startWorker, stopGraceMs]);

  const startLoad = useCallback(
    async (source: ModelSource, what: string) => {
      const seq = ++loadSeq.current;
      cancelled.current = false;
      setLoad({ state: 'loading', what });
      // A generation still running belongs to the previous model: end it (or the stuck worker).
      if (await stopOrRestart()) loadSeq.current = seq;
      const api = apiRef.current;
      if (!api || seq !== loadSeq.current) return;
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
    },
    [stopOrRestart],
  );

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
    setNotice(undefined);
    const call = untilSettled((guard) =>
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
    running.current = call;
    try {
      const result = await call;
      setGen((g) => (g.state === 'running' ? { ...g, state: 'done', result } : g));
    } catch (error) {
      setGen({
        state: 'error',
        message: messageOf(error),
        steps: steps0,
        last: steps0.at(-1) as GenerateUpdate | undefined,
      });
    } finally {
      if (running.current === call) running.current = null;
    }
  };

  const stop = () => void stopOrRestart();

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

  return {
    load,
    gen,
    check,
    notice,
    restarts,
    startLoad,
    loadRefused,
    cancelDownload,
    generate,
    stop,
    runCheck,
  };
}

/** The worker's state and calls, as a panel takes the part it needs of them. */
export type PlaygroundWorker = ReturnType<typeof usePlaygroundWorker>;
