/**
 * Roofline explorer interaction benchmark (issues 4 and 20): builds the app in production mode
 * into a temporary folder, serves it, and in headless Chromium
 * - drags the context slider of /explorer and prints the time from one slider input until every
 *   view follows it (slider over 512 positions, CHART_POINTS points per series);
 * - switches the model, then the chip, through rounds of catalog entries and prints, per change,
 *   the time until the first frame, the longest frame meanwhile (the page's longest freeze: one
 *   frame is 16.7 ms at 60 Hz) and the time until every view follows (they render deferred).
 * Run: `npx tsx bench/explorer-bench.ts [--steps N] [--rounds N]`.
 */
import { buildAndServe } from '../tests/browser/serve';
import { launchChromium } from '../tests/browser/chromium';
import {
  idleFrames,
  measureSelectChanges,
  measureSliderSteps,
} from '../tests/browser/explorerSlider';
import { summarize } from '../tests/shared/summarize';
import { runMain } from './runMain';

/** Models and chips the switches go through (square MHA, GQA, encoder–decoders, short contexts). */
const MODELS = ['llama-3-8b', 'gpt-2-xl', 'whisper-large-v3', 't5-11b', 'codellama-13b'];
const CHIPS = ['apple-m4-max', 'nvidia-a100', 'google-tpu-v4', 'nvidia-rtx-4090', 'nvidia-h200'];

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

const line = (what: string, times: readonly number[]) => {
  const { median, p90 } = summarize(times);
  const max = Math.max(...times);
  return `${what}: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, max ${max.toFixed(1)} ms`;
};

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log('npx tsx bench/explorer-bench.ts [--steps N (slider, 60)] [--rounds N (2)]');
    return;
  }
  const steps = flag('--steps', 60);
  const rounds = flag('--rounds', 2);
  const app = await buildAndServe({ testPages: false }); // production build, as users get it
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${app.url}/explorer`);
    await page.locator('.plot-figure svg').nth(5).waitFor();
    console.log(
      line('idle page, frame to frame (the floor of what follows)', await idleFrames(page, 60)),
    );
    const times = await measureSliderSteps(page, steps);
    console.log(
      line(`explorer slider, ${steps} steps, time until all views follow one input`, times),
    );
    const models: string[] = [];
    const chips: string[] = [];
    for (let r = 0; r < rounds; r++) {
      models.push(...MODELS);
      chips.push(...CHIPS);
    }
    for (const [label, ids] of [
      ['Model', models],
      ['Chip', chips],
    ] as const) {
      const switches = await measureSelectChanges(page, label, ids);
      const what = `explorer ${label.toLowerCase()} change, ${ids.length} changes`;
      console.log(
        line(
          `${what}, until the first frame`,
          switches.map((s) => s.firstFrame),
        ),
      );
      console.log(
        line(
          `${what}, longest frame meanwhile`,
          switches.map((s) => s.longestFrame),
        ),
      );
      console.log(
        line(
          `${what}, until every view follows`,
          switches.map((s) => s.allViews),
        ),
      );
    }
  } finally {
    await browser.close();
    await app.close();
  }
}

runMain(main);
