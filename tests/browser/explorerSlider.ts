import type { Page } from 'playwright-core';

/**
 * Drags the explorer's context slider `steps` times, one input per frame, and returns for each
 * step the milliseconds from the input event until every view shows the new context: the views'
 * data-context attribute and the chart markers are updated (one commit) and the roofline chart,
 * whose operating points depend on the context, has been rebuilt. Used by the browser test and
 * by bench/explorer-bench.ts.
 */
export async function measureSliderSteps(page: Page, steps: number): Promise<number[]> {
  // tsx (esbuild keepNames) wraps named functions in __name(); give the page a no-op one.
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
  return page.evaluate(async (steps) => {
    const slider = document.querySelector<HTMLInputElement>('input[type=range]');
    const views = document.querySelector<HTMLElement>('.explorer-views');
    if (!slider || !views) throw new Error('explorer slider or views not found');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const roofline = () =>
      document.querySelector('.plot-figure[aria-label^="Roofline of"]') as HTMLElement;
    const out: number[] = [];
    const start = Number(slider.value);
    for (let step = 1; step <= steps; step++) {
      const before = views.dataset.context;
      const done = new Promise<number>((resolve, reject) => {
        let rebuilt = false;
        const check = () => {
          if (rebuilt && views.dataset.context !== before) {
            observer.disconnect();
            resolve(performance.now());
          }
        };
        const observer = new MutationObserver((records) => {
          for (const r of records)
            if (r.target === roofline() && r.addedNodes.length) rebuilt = true;
          check();
        });
        observer.observe(document.body, { childList: true, subtree: true, attributes: true });
        setTimeout(() => reject(new Error('the views did not follow the slider')), 5000);
      });
      const t0 = performance.now();
      setValue.call(slider, String(start - (step % 100) * 2 - 1));
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      out.push((await done) - t0);
      // Let the frame paint before the next input, as a drag would.
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    }
    return out;
  }, steps);
}

/** One model or chip switch, in milliseconds from the change event. */
export interface SwitchTiming {
  /** Until the first frame after the change (what the reader sees answer the click). */
  firstFrame: number;
  /** Until every view shows the new setup (the views render in the background) and a frame after. */
  allViews: number;
  /** The longest time between two frames meanwhile: the page's longest freeze. */
  longestFrame: number;
}

/**
 * Switches the explorer's model (or chip) select through `ids` in turn and times each switch:
 * a frame loop records when each frame ran, from the change event until the views are no
 * longer busy (`aria-busy` on .explorer-views) and one more frame has run.
 */
export async function measureSelectChanges(
  page: Page,
  label: 'Model' | 'Chip',
  ids: readonly string[],
): Promise<SwitchTiming[]> {
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
  const selectId = await page.getByLabel(label, { exact: true }).getAttribute('id');
  if (!selectId) throw new Error(`no ${label} select`);
  return page.evaluate(
    async ({ selectId, ids }) => {
      const select = document.getElementById(selectId) as HTMLSelectElement;
      const views = document.querySelector<HTMLElement>('.explorer-views');
      if (!views) throw new Error('explorer views not found');
      const setValue = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!;
      const frame = () =>
        new Promise<void>((r) => requestAnimationFrame(() => setTimeout(() => r(), 0)));
      const out: { firstFrame: number; allViews: number; longestFrame: number }[] = [];
      for (const id of ids) {
        await frame();
        await frame();
        const t0 = performance.now();
        const frames: number[] = [t0];
        const settled = new Promise<void>((resolve, reject) => {
          let after = 0;
          const tick = () => {
            frames.push(performance.now());
            if (views.getAttribute('aria-busy') !== 'true') after++;
            if (after >= 2) resolve();
            else requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
          setTimeout(() => reject(new Error('the views did not follow the switch')), 10000);
        });
        setValue.call(select, id);
        select.dispatchEvent(new Event('change', { bubbles: true }));
        await settled;
        const gaps = frames.slice(1).map((t, i) => t - frames[i]);
        out.push({
          firstFrame: frames[1] - t0,
          allViews: frames[frames.length - 2] - t0,
          longestFrame: Math.max(...gaps),
        });
      }
      return out;
    },
    { selectId, ids },
  );
}

/**
 * Frame intervals of the page at rest (`frames` of them): the floor of the timings above, since a
 * frame comes only every 1/60 s however little a change costs.
 */
export async function idleFrames(page: Page, frames: number): Promise<number[]> {
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
  return page.evaluate(
    (frames) =>
      new Promise<number[]>((resolve) => {
        const times: number[] = [];
        const tick = () => {
          times.push(performance.now());
          if (times.length > frames) resolve(times.slice(1).map((t, i) => t - times[i]));
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    frames,
  );
}
