import { chromium } from 'playwright-core';
import { preview } from 'vite';
process.env.NODE_ENV='production'; const { build } = await import('vite'); await build({logLevel:'warn', mode:'production', build:{outDir:'/tmp/expl-prof', emptyOutDir:true}}); const server = await preview({ root: process.cwd(), build:{outDir:'/tmp/expl-prof'}, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
const port = server.httpServer.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--use-angle=swiftshader','--enable-unsafe-swiftshader'], headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`http://127.0.0.1:${port}/explorer`);
await page.locator('.plot-figure svg').nth(5).waitFor();
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
const times = await page.evaluate(async () => {
  const slider = document.querySelector('input[type=range]');
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const out = [];
  for (let step = 1; step <= 20; step++) {
    const t0 = performance.now();
    setValue.call(slider, String(Number(slider.value) - 3));
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 600));
    out.push(performance.now() - t0);
  }
  return out;
});
const { profile } = await cdp.send('Profiler.stop');
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas; const counts = new Map();
profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
for (const [id, us] of counts) { const n = byId.get(id); const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(key, (self.get(key) ?? 0) + us); }
console.log([...self.entries()].sort((a,b)=>b[1]-a[1]).slice(0,30).map(([k,v])=>`${(v/1000).toFixed(1)}ms ${k}`).join('\n'));
await browser.close(); await server.close();
