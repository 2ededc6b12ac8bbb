import { readFileSync, statSync } from 'node:fs';
import gpt2Config from '../../public/models/moby-gpt2/config.json';
import llamaConfig from '../../public/models/moby-llama/config.json';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { FAMILIES } from '../../engine/models/families';
import { units } from '../../roofline';
import { DESKTOP, PHONE, openPage, screenshot } from './chromium';
import { suiteBrowser } from './suiteBrowser';

/** The Playground (/playground) driven with the default models shipped in public/models. */
const MODELS = 'public/models';
const FILES = ['config.json', 'model.safetensors', 'tokenizer.json'];
const config = (name: string) =>
  JSON.parse(readFileSync(`${MODELS}/${name}/config.json`, 'utf8')) as Record<string, number>;

/** A file of a default model as Playwright's setInputFiles payload. */
const payload = (model: string, file: string) => ({
  name: file,
  mimeType: file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
  buffer: readFileSync(`${MODELS}/${model}/${file}`),
});

/** Bytes of a float32 cache over all layers: tokens · d · 4 per cached matrix (K, and V). */
function cacheBytes(name: string, tokens: number, matrices: 1 | 2): number {
  const c = config(name);
  const layers = c.n_layer ?? c.num_hidden_layers;
  const d = c.n_embd ?? c.hidden_size;
  return layers * tokens * d * 4 * matrices;
}

describe('Playground in Chromium', () => {
  const browser = suiteBrowser();
  let hub: Server;
  let hubUrl = '';
  const requests: string[] = [];
  /**
   * While set, the weights stop after their first chunk until it resolves: the test cancels a
   * download that is surely still running, however slow the machine.
   */
  let holdWeights: Promise<void> | undefined;
  /**
   * Repos the Playground must refuse from their config.json (and index) alone: a Mistral config,
   * and a model whose index says 5 GB. Their weights are served too, to show they are never asked.
   */
  const weights = readFileSync(`${MODELS}/moby-gpt2/model.safetensors`);
  const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const otherRepos = new Map<string, Buffer>([
    [
      '/lab/mistral/resolve/main/config.json',
      Buffer.from(
        JSON.stringify({
          architectures: ['MistralForCausalLM'],
          model_type: 'mistral',
          hidden_size: 128,
          num_attention_heads: 4,
          num_key_value_heads: 4,
          num_hidden_layers: 4,
          intermediate_size: 256,
          vocab_size: 1024,
          max_position_embeddings: 256,
          hidden_act: 'silu',
        }),
      ),
    ],
    ['/lab/mistral/resolve/main/model.safetensors', weights],
    ['/lab/too-big/resolve/main/config.json', readFileSync(`${MODELS}/moby-gpt2/config.json`)],
    [
      '/lab/too-big/resolve/main/model.safetensors.index.json',
      Buffer.from(
        JSON.stringify({
          metadata: { total_size: 5e9 },
          weight_map: { 'wte.weight': shards[0], 'wpe.weight': shards[1] },
        }),
      ),
    ],
    ...shards.map((f) => [`/lab/too-big/resolve/main/${f}`, weights] as [string, Buffer]),
  ]);

  beforeAll(async () => {
    // A stand-in for the Hub on 127.0.0.1: the default GPT-2 model in the Hub's URL layout
    // /{owner}/{repo}/resolve/{revision}/{file}, the weights sent slowly in chunks, 404 otherwise.
    hub = createServer((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, ETag');
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      requests.push(`${req.method} ${req.url}`);
      const m = /^\/lab\/moby-gpt2\/resolve\/main\/([\w.-]+)$/.exec(req.url ?? '');
      if (req.url === '/lab/redirect/resolve/main/config.json') {
        res.writeHead(302, { location: 'file:///etc/passwd' }).end();
        return;
      }
      const other = otherRepos.get(req.url ?? '');
      if (other) {
        res.writeHead(200, { 'content-length': String(other.length) });
        res.end(req.method === 'HEAD' ? undefined : other);
        return;
      }
      if (!m || !FILES.includes(m[1])) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
        return;
      }
      const body = readFileSync(`${MODELS}/moby-gpt2/${m[1]}`);
      res.writeHead(200, { 'content-length': String(body.length) });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const chunk = 256 * 1024;
      let at = 0;
      const hold = m[1] === 'model.safetensors' ? holdWeights : undefined;
      const send = () => {
        if (res.destroyed) return;
        res.write(body.subarray(at, at + chunk));
        at += chunk;
        if (at >= body.length) res.end();
        else if (hold && at === chunk) void hold.then(send);
        else setTimeout(send, 60);
      };
      send();
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => hub?.close(resolve));
  });

  const open = async (query = '', viewport = DESKTOP, theme?: 'dark') => {
    const { page, errors } = await openPage(browser(), viewport);
    if (theme) await page.addInitScript(() => localStorage.setItem('slim-lab-theme', 'dark'));
    await page.goto(inject('baseURL') + '/playground' + query);
    return { page, errors };
  };

  const modelLoaded = async (page: Page, text: string | RegExp) => {
    // Polls what the load area says, so a timeout reports it (still loading, an error).
    const said = () =>
      page
        .locator('[data-testid="model-info"], .playground-status, [data-testid="load-error"]')
        .allTextContents()
        .then((texts) => texts.join(' | '));
    await expect.poll(said, { timeout: 90_000 }).toMatch(text);
    expect(await page.getByTestId('model-info').textContent()).toMatch(text);
  };

  const generate = async (page: Page, steps: number) => {
    await page.getByLabel('Tokens to generate').fill(String(steps));
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('progress').textContent(), { timeout: 100_000 })
      .toMatch(/^Done: \d+ steps/);
    // Every step's report reached the page before the result (none dropped as late).
    expect(await page.getByTestId('progress').textContent()).toMatch(
      new RegExp(`^Done: ${steps} steps\\. `),
    );
  };

  const cachedTokens = async (page: Page) =>
    Number(
      /(\d+) tokens in each cache/.exec(
        (await page.getByTestId('progress').textContent()) ?? '',
      )?.[1],
    );

  it('generates standard vs slim on the automatic backend (here the CPU, and why): identical tokens, max |Δ| shown, slim cache half', async () => {
    const { page, errors } = await open();
    await modelLoaded(
      page,
      new RegExp(`moby-gpt2: gpt2, ${gpt2Config.n_layer} layers, d ${gpt2Config.n_embd}`),
    );
    expect(await page.getByLabel('Backend').inputValue()).toBe('auto');
    await generate(page, 24);
    // Headless Chromium renders WebGL2 with SwiftShader, a software rasterizer: the CPU runs.
    expect(await page.getByTestId('device').textContent()).toContain('CPU');
    expect(await page.getByTestId('backend-reason').textContent()).toMatch(
      /^CPU \(float32\): WebGL2 here is a software rasterizer \(.*SwiftShader.*\)/,
    );
    expect(await page.getByTestId('verdict').textContent()).toBe('Tokens identical: yes');
    const delta = (await page.getByTestId('delta').textContent()) ?? '';
    const [last, worst] = (/this step (\S+), over the run (\S+)/.exec(delta) ?? [])
      .slice(1)
      .map((t) => Number(t.replace(/−/g, '-')));
    expect(worst).toBeGreaterThanOrEqual(last);
    expect(worst).toBeLessThan(1e-3);
    // prompt + 24 generated tokens, every cache row measured by the engine.
    const tokens = await cachedTokens(page);
    expect(tokens).toBeGreaterThan(24);
    const std = cacheBytes('moby-gpt2', tokens, 2);
    expect(await page.getByTestId('standard-cache').textContent()).toBe(units.formatBytes(std));
    expect(await page.getByTestId('slim-cache').textContent()).toBe(units.formatBytes(std / 2));
    expect(await page.getByTestId('cache-ratio').textContent()).toContain('(50 % of standard)');
    // Both sides wrote the same text, and each reports a rate.
    const stdText = await page.getByTestId('standard-text').textContent();
    expect(stdText?.length).toBeGreaterThan(10);
    expect(await page.getByTestId('slim-text').textContent()).toBe(stdText);
    expect(await page.getByTestId('standard-rate').textContent()).toMatch(/^\d+(\.\d)? tokens\/s$/);
    expect(await page.getByTestId('slim-rate').textContent()).toMatch(/^\d+(\.\d)? tokens\/s$/);
    expect(await page.getByRole('figure', { name: /Cache bytes against tokens/ }).count()).toBe(1);

    // The per-layer check: one row per layer with conditioning, errors and a direction.
    await page.getByRole('button', { name: 'Run the per-layer check' }).click();
    const report = page.getByTestId('layer-report');
    await report.waitFor({ timeout: 100_000 });
    const rows = await report.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(gpt2Config.n_layer);
    for (const row of rows) expect(row).toMatch(/K-cache|V-cache/);
    // Numbers are written with a typographic minus (2.37e−6).
    const cell = async (i: number) =>
      Number(
        (
          (await report.locator('tbody tr').first().locator('td').nth(i).textContent()) ?? ''
        ).replace(/−/g, '-'),
      );
    const f32 = await cell(2);
    const f16 = await cell(3);
    expect(f32).toBeGreaterThan(0);
    expect(f16).toBeGreaterThan(f32);
    await screenshot(page, 'playground-desktop');

    // Later generations run the chosen direction per layer, still identical and half the cache.
    const directions = rows.map((r) => (/V-cache/.test(r) ? 'V' : 'K')).join(' ');
    await generate(page, 8);
    expect(await page.getByTestId('device').textContent()).toMatch(
      directions.includes('V') ? `per layer: ${directions}` : 'the K-cache in every layer',
    );
    expect(await page.getByTestId('verdict').textContent()).toBe('Tokens identical: yes');
    expect(await page.getByTestId('cache-ratio').textContent()).toContain('(50 % of standard)');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('stops a long run, and switches backend WebGL2 ↔ CPU (phone, dark)', async () => {
    const { page, errors } = await open('?backend=cpu', PHONE, 'dark');
    await modelLoaded(page, /moby-gpt2/);
    await page.getByLabel('Tokens to generate').fill('200');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('progress').textContent(), { timeout: 60_000 })
      .toMatch(/^Step ([3-9]|\d\d)/);
    // The model runs in a worker (the page has one), and the page keeps drawing while it
    // generates: counted, not timed, the page draws frames until the worker has reported 2 more
    // steps (and at least 3 frames).
    expect(page.workers().length).toBeGreaterThan(0);
    const drawn = await page.evaluate(async () => {
      const step = () =>
        Number(
          /^Step (\d+)/.exec(
            document.querySelector('[data-testid="progress"]')?.textContent ?? '',
          )?.[1] ?? NaN,
        );
      const first = step();
      let frames = 0;
      // Stops early only if the run ended (no "Step n" any more): reported below.
      while ((frames < 3 || step() < first + 2) && !Number.isNaN(step())) {
        await new Promise((r) => requestAnimationFrame(r));
        frames++;
      }
      return { first, last: step(), frames };
    });
    expect(drawn.last - drawn.first, JSON.stringify(drawn)).toBeGreaterThanOrEqual(2);
    expect(drawn.frames).toBeGreaterThanOrEqual(3);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect
      .poll(() => page.getByTestId('progress').textContent(), { timeout: 30_000 })
      .toMatch(/^Stopped after \d+ of 200 steps/);
    expect(await page.getByTestId('device').textContent()).toContain('CPU');
    await screenshot(page, 'playground-phone-dark-cpu');

    await page.getByLabel('Backend').selectOption('webgl');
    await generate(page, 6);
    expect(await page.getByTestId('device').textContent()).toContain('WebGL2');
    expect(await page.getByTestId('backend-reason').textContent()).toMatch(/, as chosen\.$/);
    expect(await page.getByTestId('verdict').textContent()).toBe('Tokens identical: yes');
    await page.getByLabel('Backend').selectOption('cpu');
    await generate(page, 6);
    expect(await page.getByTestId('device').textContent()).toContain('CPU');
    expect(await page.getByTestId('verdict').textContent()).toBe('Tokens identical: yes');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('falls back to the CPU with a notice when WebGL2 cannot run (desktop, dark)', async () => {
    const { page, errors } = await open('?forceCpu=1', DESKTOP, 'dark');
    await modelLoaded(page, /moby-gpt2/);
    await generate(page, 4);
    expect(await page.getByRole('note').textContent()).toMatch(
      /EXT_color_buffer_float.*CPU backend instead/,
    );
    expect(await page.getByTestId('device').textContent()).toContain('CPU');
    expect(await page.getByTestId('verdict').textContent()).toBe('Tokens identical: yes');
    await screenshot(page, 'playground-desktop-dark-fallback');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('loads local files by drag-and-drop and by the picker, and reports malformed ones', async () => {
    const { page, errors } = await open('?model=files');
    // Dropped on the model box: the GPT-2 default model's files, as the browser hands them over.
    const dropped = await page.evaluateHandle(async (files) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const blob = await (await fetch(`/models/moby-gpt2/${f}`)).blob();
        dt.items.add(new File([blob], f));
      }
      return dt;
    }, FILES);
    await page
      .getByRole('region', { name: 'Model' })
      .dispatchEvent('drop', { dataTransfer: dropped });
    await modelLoaded(page, new RegExp(`model\\.safetensors: gpt2, ${gpt2Config.n_layer} layers`));
    await page
      .getByTestId('file-input')
      .setInputFiles(FILES.map((f) => `${MODELS}/moby-llama/${f}`));
    await modelLoaded(
      page,
      new RegExp(`model\\.safetensors: llama, ${llamaConfig.num_hidden_layers} layers`),
    );
    await generate(page, 8);
    expect(await page.getByTestId('verdict').textContent()).toBe('Tokens identical: yes');
    const tokens = await cachedTokens(page);
    expect(await page.getByTestId('slim-cache').textContent()).toBe(
      units.formatBytes(cacheBytes('moby-llama', tokens, 1)),
    );

    // A header length beyond the file.
    const bad = Buffer.alloc(64);
    bad.writeBigUInt64LE(1000n, 0);
    await page
      .getByTestId('file-input')
      .setInputFiles([
        payload('moby-llama', 'config.json'),
        { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: bad },
      ]);
    const alert = page.getByTestId('load-error');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toMatch(/model\.safetensors.*header/i);

    // A config.json that disagrees with the weights' shapes.
    const wrong = { ...config('moby-llama'), intermediate_size: 200 };
    await page.getByTestId('file-input').setInputFiles([
      {
        name: 'config.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(wrong)),
      },
      payload('moby-llama', 'model.safetensors'),
    ]);
    await expect
      .poll(() => alert.textContent(), { timeout: 30_000 })
      .toMatch(/has shape \[.*\] but config\.json implies/);
    await screenshot(page, 'playground-malformed');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('downloads from a Hub address with progress, then loads from the cache; a 404 repo says so', async () => {
    const query = `?model=hub&repo=lab/moby-gpt2&hub=${encodeURIComponent(hubUrl)}`;
    const weightsMB = (statSync(`${MODELS}/moby-gpt2/model.safetensors`).size / 1e6).toFixed(2);
    const { page, errors } = await open(query, PHONE);
    // Cancel while the weights arrive (held after their first chunk), then download again.
    let release = () => {};
    holdWeights = new Promise((resolve) => (release = resolve));
    await page.getByRole('button', { name: 'Download' }).click();
    await expect
      .poll(() => page.getByTestId('download-progress').textContent(), { timeout: 30_000 })
      .toMatch(/model\.safetensors/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => page.getByTestId('load-cancelled').textContent(), { timeout: 30_000 })
      .toMatch(/Download of lab\/moby-gpt2 from .* cancelled/);
    expect(await page.getByTestId('model-info').count()).toBe(0);
    holdWeights = undefined;
    release();
    await page.getByRole('button', { name: 'Download' }).click();
    const bar = page.getByTestId('download-progress');
    await bar.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => bar.textContent(), { timeout: 30_000 })
      .toMatch(
        new RegExp(`model\\.safetensors .*of ${weightsMB.replace('.', '\\.')} MB · \\d+ % · .*B/s`),
      );
    await screenshot(page, 'playground-hub-progress');
    await modelLoaded(page, /lab\/moby-gpt2@main: gpt2/);
    const fetched = requests.length;
    expect(requests.some((r) => r.endsWith('/model.safetensors'))).toBe(true);

    // Second load: Cache Storage answers, no request reaches the server.
    await page.getByRole('button', { name: 'Download' }).click();
    await modelLoaded(page, /from the cache, no download/);
    expect(requests.length).toBe(fetched);
    await generate(page, 6);
    expect(await page.getByTestId('verdict').textContent()).toBe('Tokens identical: yes');

    await page.getByLabel('Repo id').fill('lab/nothing-here');
    await page.getByRole('button', { name: 'Download' }).click();
    const alert = page.getByTestId('load-error');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain('lab/nothing-here has no file config.json');
    await screenshot(page, 'playground-hub-404');
    // The 404 is an answer the page shows; the browser logs the failed fetch itself.
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
    await page.context().close();
  });
  it('Hub panel: lists the families, refuses from config.json alone (requests counted), explains a bad address, clears cached files', async () => {
    const query = `?model=hub&hub=${encodeURIComponent('https://user:secret@127.0.0.1')}`;
    const { page, errors } = await open(query);
    // A link with credentials in ?hub=: the field is shown with what is wrong, and nothing is asked.
    expect(await page.getByTestId('hub-address-problem').textContent()).toMatch(
      /cannot be used: it contains a user name or password/,
    );
    await page.getByLabel('Repo id').fill('lab/moby-gpt2');
    await page.getByRole('button', { name: 'Download' }).click();
    expect(await page.getByTestId('load-error').textContent()).toMatch(
      /Hub address “https:\/\/user:secret@127\.0\.0\.1”: it contains a user name or password/,
    );
    await page.getByLabel('Hub address').fill(hubUrl);

    // The supported families, one example repo each; a click fills the repo id.
    const families = (await page.getByTestId('hub-families').textContent()) ?? '';
    for (const f of FAMILIES) expect(families).toContain(`${f.label}: ${f.exampleRepo}`);
    await page.getByRole('button', { name: `Use ${FAMILIES[0].exampleRepo}` }).click();
    expect(await page.getByLabel('Repo id').inputValue()).toBe(FAMILIES[0].exampleRepo);

    const refused = async (repo: string) => {
      requests.length = 0;
      await page.getByLabel('Repo id').fill(repo);
      await page.getByRole('button', { name: 'Download' }).click();
      await expect
        .poll(() => page.getByTestId('load-error').textContent(), { timeout: 30_000 })
        .toContain(repo);
      return (await page.getByTestId('load-error').textContent()) ?? '';
    };
    expect(await refused('lab/mistral')).toMatch(
      /Repo lab\/mistral cannot be loaded here: config\.json: the architecture MistralForCausalLM is not supported; .* Only config\.json was downloaded\./,
    );
    expect(requests).toEqual(['GET /lab/mistral/resolve/main/config.json']);
    expect(await refused('lab/too-big')).toMatch(
      /Repo lab\/too-big has 5 GB of weights \(metadata\.total_size in model\.safetensors\.index\.json\), more than the 2 GiB this lab downloads and holds in the browser\./,
    );
    expect(requests).toEqual([
      'GET /lab/too-big/resolve/main/config.json',
      'HEAD /lab/too-big/resolve/main/model.safetensors',
      'GET /lab/too-big/resolve/main/model.safetensors.index.json',
    ]);
    await screenshot(page, 'playground-hub-refused');
    // A redirect to file: fails inside fetch; the page says the server was reached and answered it.
    expect(await refused('lab/redirect')).toMatch(
      /was reached, but it answered the request for config\.json from lab\/redirect with a redirect that the browser would not follow/,
    );

    // A supported repo loads; "Clear cached files" empties its cache, so the next load downloads.
    await page.getByLabel('Repo id').fill('lab/moby-gpt2');
    await page.getByRole('button', { name: 'Download' }).click();
    await modelLoaded(page, /lab\/moby-gpt2@main: gpt2/);
    await page.getByRole('button', { name: 'Clear cached files' }).click();
    await expect
      .poll(() => page.getByTestId('hub-cache-cleared').textContent(), { timeout: 10_000 })
      // config.json, model.safetensors, tokenizer.json and the remembered 404 of tokenizer_config.json
      .toBe(
        'Removed 4 cached files of lab/moby-gpt2 from this browser: the next Download fetches them again.',
      );
    requests.length = 0;
    await page.getByRole('button', { name: 'Download' }).click();
    await modelLoaded(page, /lab\/moby-gpt2@main: gpt2/);
    expect(await page.getByTestId('model-info').textContent()).not.toMatch(/from the cache/);
    expect(requests).toContain('GET /lab/moby-gpt2/resolve/main/model.safetensors');
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
    await page.context().close();
  });
});
