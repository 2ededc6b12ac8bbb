import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { untilSettled } from '../../components/workerCalls';

/**
 * A Comlink API over a real MessageChannel, as the Playground and lesson 11 use with their
 * workers. `work` reports progress, returns, and then (as a report that was still on its own
 * MessagePort would) reaches the page once more after the result.
 */
function connect() {
  const { port1, port2 } = new MessageChannel();
  const api = {
    async work(steps: number, onProgress: (done: number) => void): Promise<string> {
      for (let i = 1; i <= steps; i++) await onProgress(i);
      setTimeout(() => void onProgress(-1), 20);
      return `did ${steps}`;
    },
    async fail(onProgress: (done: number) => void): Promise<string> {
      await onProgress(1);
      setTimeout(() => void onProgress(-1), 20);
      throw new Error('broke at step 1');
    },
  };
  Comlink.expose(api, port1);
  const remote = Comlink.wrap<typeof api>(port2);
  return {
    remote,
    close: () => {
      remote[Comlink.releaseProxy]();
      port1.close();
      port2.close();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 80));

describe('untilSettled: worker callbacks end with the call', () => {
  let close = () => {};
  afterEach(() => close());

  it('without the guard, a report after the result reaches the page (the race it prevents)', async () => {
    const c = connect();
    close = c.close;
    const seen: number[] = [];
    expect(
      await c.remote.work(
        3,
        Comlink.proxy((d: number) => void seen.push(d)),
      ),
    ).toBe('did 3');
    await settle();
    expect(seen).toEqual([1, 2, 3, -1]);
  });

  it('with the guard, reports before the result arrive and the late one is dropped', async () => {
    const c = connect();
    close = c.close;
    const seen: number[] = [];
    const result = await untilSettled((guard) =>
      c.remote.work(3, Comlink.proxy(guard((d: number) => void seen.push(d)))),
    );
    expect(result).toBe('did 3');
    expect(seen).toEqual([1, 2, 3]);
    await settle();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('drops late reports after a rejection too, and passes the error on', async () => {
    const c = connect();
    close = c.close;
    const seen: number[] = [];
    await expect(
      untilSettled((guard) =>
        c.remote.fail(Comlink.proxy(guard((d: number) => void seen.push(d)))),
      ),
    ).rejects.toThrow('broke at step 1');
    await settle();
    expect(seen).toEqual([1]);
  });
});
