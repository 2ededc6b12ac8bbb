import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage } from './chromium';
import { suiteBrowser } from './suiteBrowser';

type Harness = Window['webglHarness'];
type Result<K extends keyof Harness> = Awaited<ReturnType<Harness[K]>>;

/**
 * The WebGL2 backend in real Chromium (SwiftShader) against the CPU reference, through the
 * test-only page tests/browser/pages/webgl-harness.html. Tolerances are stated in the harness
 * next to each comparison (float32 product bound k·u·Σ|a||b|, 2e-6 on probabilities, …).
 */
describe('WebGL2 engine in Chromium', () => {
  const browser = suiteBrowser();
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    ({ page, errors } = await openPage(browser()));
    await page.goto(inject('baseURL') + '/tests/browser/pages/webgl-harness.html');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  });
  afterAll(async () => {
    await page?.context().close();
  });

  it('every kernel matches the CPU backend on random inputs, awkward shapes included', async () => {
    const checks: Result<'kernelChecks'> = await page.evaluate(() =>
      window.webglHarness.kernelChecks(),
    );
    const failed = checks.filter((c) => !c.ok);
    expect(failed, JSON.stringify(failed)).toEqual([]);
    expect(checks.length).toBeGreaterThan(40);
  });

  it('takes the fast path for each shape: one-draw decode ops, split-K GEMV, register-tiled blocks', async () => {
    const r: Result<'kernelPaths'> = await page.evaluate(() => window.webglHarness.kernelPaths());
    // One-row products (decode) are one draw while the reduction is short (k < 1024) …
    expect(r['gemv 1×768·768']).toEqual({ matmulNN: 1 });
    expect(r['slim decode u·W_KV (12 heads, m = 1)']).toEqual({ matmulNN: 1 });
    // … with the norm, bias, activation and residual of a linear inside that draw.
    expect(r['decode linear: LayerNorm, bias, GELU, residual (1×768·768)']).toEqual({
      matmulNN: 1,
    });
    expect(r['decode gated linear: RMSNorm, SiLU, times, residual (1×768·768ᵀ)']).toEqual({
      matmulNT: 1,
    });
    // A long reduction splits over many fragments, then sums the chunks (and a norm's
    // statistics get a draw of their own, not recomputed by every chunk).
    expect(r['gemv 1×3072·768']).toEqual({ matmulNN: 1, reduceSplits: 1 });
    expect(r['decode linear with LayerNorm, split (1×3072·768)']).toEqual({
      normStats: 1,
      matmulNN: 1,
      reduceSplits: 1,
    });
    // m ≥ 4: one register-tiled draw (8 or 4 render targets) and the pass that restores row order.
    expect(r['matmul 64×768·768']).toEqual({ matmulTiled: 1, unblockRows: 1 });
    expect(r['slim decode u = p·K (12×2048·768)']).toEqual({ matmulTiled: 1, unblockRows: 1 });
    expect(r['prefill linear with LayerNorm (64×768·768)']).toEqual({
      normStats: 1,
      matmulTiled: 1,
      unblockRows: 1,
    });
    // Decode attention: scores, softmax and weighted sum in one draw; at long contexts the
    // scores first (planners.ts fuseAttentionScores), still softmax and sum in one.
    expect(r['decode attention (12 heads, n = 32)']).toEqual({ attnDecode: 1 });
    expect(r['decode attention (12 heads, n = 2048)']).toEqual({ attnScores: 1, attnDecode: 1 });
    expect(r['decode attention, values all (12 heads, n = 2048)']).toEqual({
      attnScores: 1,
      attnDecode: 1,
    });
    expect(r['column view (no draw)']).toEqual({});
  });

  it('folds tensors past MAX_TEXTURE_SIZE and says clearly when one cannot fit', async () => {
    const r: Result<'limitChecks'> = await page.evaluate(() => window.webglHarness.limitChecks());
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.limitErrorName).toBe('TextureLimitError');
    expect(r.limitError).toMatch(/\[16385, 4\].*128×128 texture limit \(MAX_TEXTURE_SIZE\)/);
  });

  for (const [scheme, order] of [
    ['kv', 'k-first'],
    ['k-cache', 'k-first'],
    ['k-cache', 'v-first'],
  ] as const) {
    it(`a 3-layer GPT-2 decodes 64 greedy steps like the CPU backend (${scheme}${scheme === 'k-cache' ? `, ${order}` : ''})`, async () => {
      const r: Result<'modelParity'> = await page.evaluate(
        ([s, o]) => window.webglHarness.modelParity(s, o, 64),
        [scheme, order] as const,
      );
      expect(r.tokensEqual, `tokens ${r.tokens.join(' ')}`).toBe(true);
      // float32 on both sides, different summation order, through 3 layers and 68 positions:
      // logits of size ~1 agree to 1e-4 (observed ~1e-6).
      expect(r.maxAbs).toBeLessThan(1e-4 * Math.max(1, r.maxLogit));
      // A warm decode step creates no GL texture; only when n crosses a power of two (a cache
      // doubles, a context-length temporary moves to the next size bucket). Steps 40–59 hold
      // n = 45 … 64, inside one bucket.
      const cachesPerLayer = scheme === 'kv' ? 2 : 1;
      expect(r.texturesCreatedPerStep.slice(40, 60)).toEqual(new Array(20).fill(0));
      expect(r.cacheBytes.total).toBe(cachesPerLayer * 3 * 68 * 48 * 4);
      expect(r.liveAfterDispose).toBe(0);
    });
  }

  it('cross-attention: options 1 and 2 equal the baseline on WebGL (paper §4)', async () => {
    const r: Result<'crossParity'> = await page.evaluate(() => window.webglHarness.crossParity());
    // float32 on the GPU against the float64 CPU baseline: ≤ 1e-4 relative (as the unit tests).
    for (const row of r) expect(row.relError, row.name).toBeLessThanOrEqual(1e-4);
    // 3 layers, p = 24, e = d = 16, 4-byte floats: 2·p·e·l, p·e·l, and p·d once.
    expect(Object.fromEntries(r.map((row) => [row.name, row.bytes]))).toEqual({
      kv: 2 * 24 * 16 * 3 * 4,
      'k-cache v-first': 24 * 16 * 3 * 4,
      'k-cache k-first': 24 * 16 * 3 * 4,
      'e-cache v-first': 24 * 16 * 4,
      'e-cache k-first': 24 * 16 * 4,
    });
    expect(r.map((row) => row.live)).toEqual([0, 0, 0, 0, 0]);
  });

  it('compares standard and slim on WebGL (engine/compare.ts): same tokens, half the cache', async () => {
    const r: Result<'schemeComparison'> = await page.evaluate(() =>
      window.webglHarness.schemeComparison(16),
    );
    expect(r.tokensIdentical, `${r.standard.tokens} vs ${r.slim.tokens}`).toBe(true);
    // float32 with W_KV rounded once: logits of size ~1 agree to 1e-3 (observed ~1e-5).
    expect(r.maxAbsLogitDiff).toBeLessThan(1e-3);
    // 3 layers · (4 prompt + 16 generated) tokens · d 48 · 4 bytes; K and V, then K only.
    expect(r.standard.cacheBytes).toBe(2 * 3 * 20 * 48 * 4);
    expect(r.slim.cacheBytes * 2).toBe(r.standard.cacheBytes);
  });

  it('falls back to the CPU backend with a notice when WebGL2 or float render targets are missing', async () => {
    const r: Result<'fallback'> = await page.evaluate(() => window.webglHarness.fallback());
    for (const f of r) {
      expect(f.kind).toBe('cpu');
      expect(f.backendName).toBe('cpu');
    }
    expect(r[0].notice).toMatch(/no WebGL2.*CPU backend/);
    expect(r[1].notice).toMatch(/EXT_color_buffer_float.*CPU backend/);
  });

  it("'auto' takes the CPU on a software rasterizer and says why; 'webgl' keeps WebGL2", async () => {
    const [auto, webgl]: Result<'autoPick'> = await page.evaluate(() =>
      window.webglHarness.autoPick(),
    );
    // Headless Chromium here renders WebGL2 with SwiftShader.
    expect(auto.kind).toBe('cpu');
    expect(auto.reason).toMatch(/software rasterizer \(.*SwiftShader.*\).*CPU backend is faster/);
    expect(webgl.kind).toBe('webgl');
    expect(webgl.reason).toMatch(/^WebGL2 on .*SwiftShader.*, as chosen\.$/);
  });

  it('reports a lost context instead of freezing', async () => {
    const r: Result<'contextLoss'> = await page.evaluate(() => window.webglHarness.contextLoss());
    expect(r.lost).toBe(true);
    expect(r.reported).toBe(true);
    expect(r.flag).toBe(true);
    expect(r.opError).toBe('ContextLostError');
    // The read issued before the loss either finished or was rejected clearly; it never hangs.
    expect(r.readOutcome).toMatch(/^(resolved 2,4,6,8,10|ContextLostError)$/);
    // Either way the read's pixel-pack buffer is back in its pool (never leaked).
    expect(r.pooledReadbackBuffers).toBe(1);
  });

  it("frees an op's temporary textures when one of its draws throws", async () => {
    const r: Result<'faultyDraws'> = await page.evaluate(() => window.webglHarness.faultyDraws());
    for (const c of r) {
      expect(c.error, c.op).toMatch(new RegExp(`kernel ${c.faultyKernel}: injected fault`));
      expect(c.liveAfter, c.op).toBe(c.liveBefore);
    }
  });

  it('agrees with the CPU backend on empty shapes and float32 overflow; argmax refuses overflowed values', async () => {
    const r: Result<'edgeCases'> = await page.evaluate(() => window.webglHarness.edgeCases());
    // Empty tensors: refused by both backends, in the same words.
    for (const [op, c] of Object.entries(r.empty)) {
      expect(c.webgl, op).toBe(c.cpu);
      expect(c.webgl, op).toMatch(
        /^EngineInputError: .*positive integer sizes \(the engine has no empty tensors\)/,
      );
    }
    // Values beyond float32's range: refused at upload by both, naming the value and its place.
    expect(r.upload.tooLarge.webgl).toBe(r.upload.tooLarge.cpu);
    expect(r.upload.tooLarge.webgl).toMatch(
      /^EngineInputError: fromArray: value 1e\+39 at row 0, column 1 overflows float32/,
    );
    expect(r.upload.tooSmall.webgl).toBe(r.upload.tooSmall.cpu);
    expect(r.upload.tooSmall.webgl).toMatch(/value -4e\+38 at index 0 overflows float32/);
    expect(r.upload.largest).toEqual({ webgl: 'ok', cpu: 'ok' });
    // Finite values: the same indices as the CPU backend (row 1's 1e38 at column 2500).
    expect(r.finite).toBe(r.cpuFinite);
    expect(r.finite).toMatch(/^resolved \d+,2500$/);
    // Overflowed upstream: the CPU op throws at once; WebGL's argmax hands the value to read().
    expect(r.overflowed.cpu).toMatch(
      /^EngineInputError: scale: result is Infinity at row 1, column 2500/,
    );
    expect(r.overflowed.infinity).toMatch(
      /^EngineInputError: read: value Infinity at row 1, column 0 of \[2, 1\]; an op overflowed float32/,
    );
    expect(r.overflowed.minusInfinity).toMatch(/read: value -Infinity at row 1, column 0/);
    expect(r.overflowed.nan).toMatch(/read: value NaN at row 1, column 0/);
  });

  it('agrees with the tfjs WebGL backend on matmul results', async () => {
    const r: Result<'tfjsOracle'> = await page.evaluate(() => window.webglHarness.tfjsOracle());
    expect(r).toHaveLength(3);
    for (const x of r) expect(x.maxAbs, `shape ${x.shape}`).toBeLessThanOrEqual(x.bound);
    // The page stayed clean apart from the deliberate context loss's messages.
    expect(errors.filter((e) => !/context lost|CONTEXT_LOST/i.test(e))).toEqual([]);
  });
});
