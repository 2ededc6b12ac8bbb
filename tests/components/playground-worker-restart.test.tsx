import { act, renderHook, waitFor } from '@testing-library/react';
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { usePlaygroundWorker } from '../../playground/usePlaygroundWorker';

/**
 * A stand-in for the Playground's worker over a MessageChannel: `generate` never answers (as a
 * worker stuck in a tokenizer's catastrophic regex), `load` answers at once, and `stop` is
 * received but changes nothing.
 */
function stuckWorker(log: string[], index: number): Worker {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(
    {
      load: async () => {
        log.push(`load ${index}`);
        return { name: `model ${index}` };
      },
      stop: () => void log.push(`stop ${index}`),
      generate: () => new Promise(() => log.push(`generate ${index}`)),
      cancelDownload: () => {},
    },
    port1,
  );
  port2.start();
  return Object.assign(port2, {
    terminate: () => {
      log.push(`terminate ${index}`);
      port1.close();
      port2.close();
    },
  }) as unknown as Worker;
}

describe('usePlaygroundWorker: Stop and model switching always work', () => {
  it('a Generate that does not answer Stop within the grace time: the worker is restarted and says so', async () => {
    const log: string[] = [];
    let made = 0;
    const { result } = renderHook(() =>
      usePlaygroundWorker({ createWorker: () => stuckWorker(log, made++), stopGraceMs: 50 }),
    );
    await act(async () => {
      void result.current.generate({
        prompt: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!',
        steps: 4,
        sampling: {},
        backend: 'cpu',
      });
    });
    await waitFor(() => expect(log).toContain('generate 0'));
    expect(result.current.gen.state).toBe('running');
    await act(async () => {
      result.current.stop();
    });
    await waitFor(() => expect(result.current.gen.state).toBe('error'));
    expect(log).toEqual(expect.arrayContaining(['stop 0', 'terminate 0']));
    expect(made).toBe(2);
    expect(result.current.restarts).toBe(1);
    expect(result.current.notice).toMatch(
      /did not answer Stop within 0.05 s .* so it was ended and a fresh one started\. Load the model again\./,
    );
    expect(result.current.load.state).toBe('idle');
    // The fresh worker answers: a model loads.
    await act(async () => {
      await result.current.startLoad({ kind: 'files', files: [] }, 'again');
    });
    expect(log.at(-1)).toBe('load 1');
    expect(result.current.load.state).toBe('ready');
  });

  it('picking another model while a Generate is stuck restarts the worker and loads it', async () => {
    const log: string[] = [];
    let made = 0;
    const { result } = renderHook(() =>
      usePlaygroundWorker({ createWorker: () => stuckWorker(log, made++), stopGraceMs: 50 }),
    );
    await act(async () => {
      void result.current.generate({ prompt: 'x', steps: 4, sampling: {}, backend: 'cpu' });
    });
    await waitFor(() => expect(log).toContain('generate 0'));
    await act(async () => {
      await result.current.startLoad({ kind: 'files', files: [] }, 'other');
    });
    expect(log).toEqual(['generate 0', 'stop 0', 'terminate 0', 'load 1']);
    expect(result.current.load).toEqual({ state: 'ready', info: { name: 'model 1' } });
  });
});
