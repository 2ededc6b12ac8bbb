/**
 * Lesson and explorer sliders, dragged (issue 20): builds the app in production mode, serves it,
 * and in headless Chromium drags the first slider of each page below through 30 positions, one
 * input per frame, as a hand would. Prints per page the time the input event itself takes (React's
 * synchronous render of the slider; deferred work follows in later tasks) and the intervals
 * between frames meanwhile (16.7 ms at 60 Hz is one frame; more means a frame was late).
 * Run: `npx tsx bench/slider-bench.ts`.
 */
import { buildAndServe } from '../tests/browser/serve';
import { launchChromium } from '../tests/browser/chromium';
import { summarize } from '../tests/shared/summarize';
import { runMain } from './runMain';

/** Pages and how long each needs to be ready (the sparsity lesson loads and runs moby-gpt2). */
const PAGES: [path: string, readyMs: number][] = [
  ['/lessons/sparsity', 8000],
  ['/lessons/invert-wk', 2500],
  ['/lessons/precision', 2500],
  ['/explorer', 2500],
];
const INPUTS = 30;

async function main(): Promise<void> {
  const app = await buildAndServe({ testPages: false });
  const browser = await launchChromium();
  try {
    for (const [path, readyMs] of PAGES) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(app.url + path);
      await page.waitForTimeout(readyMs);
      // tsx (esbuild keepNames) wraps named functions in __name(); give the page a no-op one.
      await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
      const { name, input, frames } = await page.evaluate(async (inputs) => {
        const slider = document.querySelector<HTMLInputElement>('input[type=range]');
        if (!slider) throw new Error('no slider');
        slider.scrollIntoView({ block: 'center' });
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
        const [min, max, step] = [Number(slider.min), Number(slider.max), Number(slider.step) || 1];
        const stride = step * Math.max(1, Math.floor((max - min) / step / inputs));
        const times: number[] = [];
        let running = true;
        const tick = () => {
          times.push(performance.now());
          if (running) requestAnimationFrame(tick);
        };
        await new Promise((r) => requestAnimationFrame(r));
        requestAnimationFrame(tick);
        const input: number[] = [];
        for (let i = 1; i <= inputs; i++) {
          const t0 = performance.now();
          setValue.call(slider, String(Math.max(min, max - i * stride)));
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          input.push(performance.now() - t0);
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        }
        await new Promise((r) => setTimeout(r, 300));
        running = false;
        const frames = times.slice(1).map((t, i) => t - times[i]);
        return { name: slider.getAttribute('aria-valuetext') ?? '', input, frames };
      }, INPUTS);
      const a = summarize(input);
      const f = summarize(frames);
      console.log(
        `${path} (${name.replace(/ = .*/, '')}), ${INPUTS} inputs: input event median ${a.median.toFixed(1)} ms, max ${Math.max(...input).toFixed(1)}; frame to frame median ${f.median.toFixed(1)} ms, p90 ${f.p90.toFixed(1)}, max ${Math.max(...frames).toFixed(1)}`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
    await app.close();
  }
}

runMain(main);
