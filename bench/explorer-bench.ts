/**
 * Roofline explorer slider benchmark (issue 4): builds the app in production mode into a
 * temporary folder, serves it, drags the context slider of /explorer in headless Chromium and
 * prints the time from one slider input until every view follows it (512 points per series). Run: `npx tsx bench/explorer-bench.ts [--steps N]`.
 */
import { buildAndServe } from '../tests/browser/serve';
import { launchChromium } from '../tests/browser/chromium';
import { measureSliderSteps, summarize } from '../tests/browser/explorerSlider';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--steps');
  const steps = i >= 0 ? Number(process.argv[i + 1]) : 60;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer`);
  const app = await buildAndServe({ testPages: false }); // production build, as users get it
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${app.url}/explorer`);
    await page.locator('.plot-figure svg').nth(5).waitFor();
    const times = await measureSliderSteps(page, steps);
    const { median, p90 } = summarize(times);
    console.log(
      `explorer slider, ${steps} steps, 512 points per series: time until all views follow ` +
        `one input: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`,
    );
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
