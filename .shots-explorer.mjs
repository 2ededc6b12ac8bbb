import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
process.env.NODE_ENV = 'production';
await build({ logLevel: 'warn', mode: 'production', build: { outDir: '/tmp/expl-prof', emptyOutDir: true } });
const server = await preview({ build: { outDir: '/tmp/expl-prof' }, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
const port = server.httpServer.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox'], headless: true });
const q = process.argv[2] ?? '';
for (const [tag, vp] of [['d', { width: 1280, height: 900 }], ['p', { width: 390, height: 844 }]]) {
  const page = await browser.newPage({ viewport: vp });
  page.on('console', (m) => m.type() === 'error' && console.log('console error', m.text()));
  await page.goto(`http://127.0.0.1:${port}/explorer${q}`);
  await page.locator('.plot-figure svg').nth(5).waitFor();
  const views = page.locator('.view');
  const n = await views.count();
  for (let i = 0; i < n; i++) { await views.nth(i).scrollIntoViewIfNeeded(); await page.waitForTimeout(100); await views.nth(i).screenshot({ path: `/tmp/shots/${tag}-view${i}.png` }); }
  await page.locator('.explorer-controls').screenshot({ path: `/tmp/shots/${tag}-controls.png` });
  await page.close();
}
await browser.close(); await server.close();
