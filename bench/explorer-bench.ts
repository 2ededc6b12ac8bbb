/**
 * Roofline explorer slider benchmark (issue 4): builds the app in production mode into a
 * temporary folder, serves it, drags the context slider of /explorer in headless Chromium and
 * prints the time from one slider input until every context-dependent chart (6 plots, 512
 * points per series) has been rebuilt. Run: `npx tsx bench/explorer-bench.ts [--steps N]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import { launchChromium } from '../tests/browser/chromium';

const CONTEXT_PLOTS = 6;

async function main(): Promise<void> {
  const i = process.argv.indexOf('--steps');
  const steps = i >= 0 ? Number(process.argv[i + 1]) : 60;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer`);
  // React and the JSX runtime pick their production builds from NODE_ENV.
  process.env.NODE_ENV = 'production';
  const outDir = mkdtempSync(join(tmpdir(), 'explorer-bench-'));
  await build({ logLevel: 'warn', mode: 'production', build: { outDir } });
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
    await page.locator('.plot-figure svg').nth(CONTEXT_PLOTS - 1).waitFor();
    const times = await page.evaluate(
      async ({ plots, steps }) => {
        const slider = document.querySelector<HTMLInputElement>('input[type=range]');
        if (!slider) throw new Error('no slider');
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!
          .set!;
        const out: number[] = [];
        const start = Number(slider.value);
        for (let step = 1; step <= steps; step++) {
          const done = new Promise<number>((resolve, reject) => {
            let seen = 0;
            const observer = new MutationObserver((records) => {
              for (const r of records)
                if ((r.target as Element).classList?.contains('plot-figure') && r.addedNodes.length)
                  seen++;
              if (seen >= plots) {
                observer.disconnect();
                resolve(performance.now());
              }
            });
            observer.observe(document.body, { childList: true, subtree: true });
            setTimeout(() => reject(new Error(`only ${seen} plots re-rendered`)), 5000);
          });
          const t0 = performance.now();
          setValue.call(slider, String(start - (step % 100) * 2));
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          out.push((await done) - t0);
          // Let the frame paint before the next input, as a drag would.
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        }
        return out;
      },
      { plots: CONTEXT_PLOTS, steps },
    );
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
    console.log(
      `explorer slider, ${steps} steps, ${CONTEXT_PLOTS} plots, 512 points per series: ` +
        `median ${at(0.5).toFixed(1)} ms, p10 ${at(0.1).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms`,
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
