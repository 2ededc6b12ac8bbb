/**
 * Roofline explorer slider benchmark (issue 4): builds the app in production mode into a
 * temporary folder, serves it, drags the context slider of /explorer in headless Chromium and
 * prints the time from one slider input until every view follows it (512 points per series). Run: `npx tsx bench/explorer-bench.ts [--steps N]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import { launchChromium } from '../tests/browser/chromium';
import { measureSliderSteps, summarize } from '../tests/browser/explorerSlider';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--steps');
  const steps = i >= 0 ? Number(process.argv[i + 1]) : 60;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer`);
  // React and the JSX runtime pick their production builds from NODE_ENV.
  process.env.NODE_ENV = 'production';
  const outDir = mkdtempSync(join(tmpdir(), 'explorer-bench-'));
  await build({ logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    logLevel: 'warn',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${address.port}/explorer`);
    await page.locator('.plot-figure svg').nth(5).waitFor();
    const times = await measureSliderSteps(page, steps);
    const { median, p90 } = summarize(times);
    console.log(
      `explorer slider, ${steps} steps, 512 points per series: time until all views follow ` +
        `one input: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`,
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
