/**
 * Lesson edit latency (issue 3: "editing a matrix cell updates everything it drives within one
 * frame"). Builds the app in production mode into a temporary folder, serves it, opens lessons
 * 2 and 4 in headless Chromium and steps one W_K / W_Q cell with the arrow keys, timing each
 * edit until det, W_K⁻¹, W_KV and K = X·W_K (lesson 2), or the query and all three
 * head outputs (lesson 4), show new values. Prints median and p90 over the edits and the load
 * average (the machine may be shared). Run: `npx tsx bench/lessons-bench.ts [--edits N]`.
 */
import { loadavg } from 'node:os';
import { buildAndServe } from '../tests/browser/serve';
import { launchChromium } from '../tests/browser/chromium';
import { measureEdits, type EditProbe } from '../tests/browser/lessonsLatency';
import { summarize } from '../tests/shared/summarize';
import { runMain } from './runMain';

const PROBES: { name: string; path: string; probe: Omit<EditProbe, 'edits'> }[] = [
  {
    name: 'lesson 2, W_K cell → det, W_K⁻¹, W_KV, K',
    path: '/lessons/invert-wk',
    probe: {
      cell: 'W_K row 2 column 3',
      watch: [
        '[data-testid="det-exact"]',
        'table[aria-label="W_K inverse"]',
        'table[aria-label="W_KV"]',
        'table[aria-label="K = X W_K"]',
      ],
    },
  },
  {
    name: 'lesson 4, W_Q cell → q, standard / option 1 / option 2 outputs',
    path: '/lessons/generate?gen=2',
    probe: {
      cell: 'W_Q row 2 column 1',
      watch: [
        'table[aria-label="q"]',
        'table[aria-label="standard head output"]',
        'table[aria-label="option 1 head output"]',
        'table[aria-label="option 2 head output"]',
      ],
    },
  },
];

async function main(): Promise<void> {
  const i = process.argv.indexOf('--edits');
  const edits = i >= 0 ? Number(process.argv[i + 1]) : 30;
  if (!Number.isInteger(edits) || edits < 2) throw new Error('--edits must be an integer ≥ 2');
  const app = await buildAndServe({ testPages: false }); // production build, as users get it
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const { name, path, probe } of PROBES) {
      await page.goto(`${app.url}${path}`);
      // The lesson body is its own chunk: wait until it has rendered.
      await page.locator('.checkpoint').first().waitFor();
      // Lessons 3–5 fold their weight editors away; open them as a reader would.
      const folded = page.locator('details.weights-panel:not([open]) > summary');
      if ((await folded.count()) > 0) await folded.click();
      await page.getByLabel(probe.cell).waitFor();
      const load = loadavg()[0];
      const times = await measureEdits(page, { ...probe, edits });
      const dom = summarize(times.map((t) => t.dom));
      const frame = summarize(times.map((t) => t.frame));
      console.log(
        `${name}: ${edits} edits, input → DOM updated: median ${dom.median.toFixed(1)} ms ` +
          `(p90 ${dom.p90.toFixed(1)}); input → next frame: median ${frame.median.toFixed(1)} ms ` +
          `(p90 ${frame.p90.toFixed(1)}); 1-min load average ${load.toFixed(2)}`,
      );
    }
  } finally {
    await browser.close();
    await app.close();
  }
}

runMain(main);
