/**
 * Callbacks handed to a worker with Comlink.proxy travel on their own MessagePort, so a call the
 * worker made just before its method returned can reach the page after the result. A progress
 * report arriving then would put a finished load or measurement back to "running" for good.
 *
 * `untilSettled(run)` gives `run` a `guard` to wrap each callback with: a guarded callback
 * forwards calls only while the promise `run` returns is pending, and drops them once it has
 * settled (before the caller's code after `await` runs).
 */
export type CallbackGuard = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => void;

export async function untilSettled<T>(run: (guard: CallbackGuard) => Promise<T>): Promise<T> {
  let open = true;
  const guard: CallbackGuard =
    (fn) =>
    (...args) => {
      if (open) fn(...args);
    };
  try {
    return await run(guard);
  } finally {
    open = false;
  }
}
