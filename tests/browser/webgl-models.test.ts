import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import gpt2Config from '../../public/models/moby-gpt2/config.json';
import llamaConfig from '../../public/models/moby-llama/config.json';
import type { Page } from 'playwright-core';
import { standardCacheValues, xCacheValues } from '../../roofline';
import { openPage } from './chromium';
import { suiteBrowser } from './suiteBrowser';

type Harness = Window['webglHarness'];
type Result<K extends keyof Harness> = Awaited<ReturnType<Harness[K]>>;

/** Float32 on WebGL vs float64 references, and standard vs slim: |Δ| ≤ 1e-4 × max |logit|. */
const RELATIVE = 1e-4;

/**
 * Every model family on the WebGL2 backend in Chromium (SwiftShader), through the test-only
 * page tests/browser/pages/webgl-harness.html: tiny seeded checkpoints written in the page and
 * loaded with engine/models, and the two default models fetched from the served build
 * (public/models) and checked against their float64 reference.json.
 */
describe('model families on WebGL in Chromium', () => {
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

  for (const family of ['gpt2', 'gpt-neo', 'llama', 'gpt-neox'] as const) {
    it(`${family}: a tiny checkpoint matches the float64 forward pass; standard and slim agree for 200 greedy steps`, async () => {
      const r: Result<'familyComparison'> = await page.evaluate(
        (f) => window.webglHarness.familyComparison(f, 200),
        family,
      );
      console.log(
        `[figures] ${family}: prefill |Δ| ${r.prefillMaxAbs.toExponential(2)} of ${r.prefillScale.toFixed(2)}, standard vs slim |Δ| ${r.maxAbsLogitDiff.toExponential(2)} of ${r.maxAbsLogit.toFixed(2)}, ${r.distinctTokens} distinct tokens`,
      );
      expect(r.loadedFamily).toBe(family);
      // Weights large enough that the comparison means something.
      expect(r.prefillScale).toBeGreaterThan(0.5);
      expect(r.prefillMaxAbs).toBeLessThanOrEqual(RELATIVE * r.prefillScale);
      expect(r.steps).toBe(200);
      expect(r.tokensIdentical, `first divergence at step ${r.firstDivergence}`).toBe(true);
      expect(r.distinctTokens).toBeGreaterThanOrEqual(3); // not one repeated token
      expect(r.maxAbsLogitDiff).toBeLessThanOrEqual(RELATIVE * r.maxAbsLogit);
      // 2 layers · (6 prompt + 200 decoded) tokens · d 16 · 4 bytes: K and V, then K only.
      // GPT-Neo: one global layer holds 206 rows, its two local layers window − 1 = 3 each.
      const rows = (family === 'gpt-neo' ? 206 + 2 * 3 : 2 * 206) * 16 * 4;
      expect(r.standardCache).toEqual({ k: rows, v: rows });
      expect(r.slimCache).toEqual({ k: rows, v: 0 });
      expect(r.liveAfter).toBe(0);
    });
  }

  // Grouped-query attention (paper Appendix G): slim is the d-wide cache (c > 1) or the X-cache.
  for (const [name, scheme] of [
    ['gqa-d-wide', 'd-wide-cache'],
    ['gqa-x-cache', 'x-cache'],
    ['mqa', 'x-cache'],
    ['qwen2', 'x-cache'],
  ] as const) {
    it(`${name}: a tiny grouped-query checkpoint matches the float64 forward; standard and slim (${scheme}) agree for 200 greedy steps`, async () => {
      const r: Result<'gqaComparison'> = await page.evaluate(
        (n) => window.webglHarness.gqaComparison(n, 200),
        name,
      );
      console.log(
        `[figures] ${name}: prefill |Δ| ${r.prefillMaxAbs.toExponential(2)} of ${r.prefillScale.toFixed(2)}, standard vs slim |Δ| ${r.maxAbsLogitDiff.toExponential(2)} of ${r.maxAbsLogit.toFixed(2)}, cache ${r.standardCacheBytes} vs ${r.slimCacheBytes} bytes`,
      );
      expect(r.slimScheme).toBe(scheme);
      expect(r.prefillScale).toBeGreaterThan(0.5);
      expect(r.prefillMaxAbs).toBeLessThanOrEqual(RELATIVE * r.prefillScale);
      expect(r.steps).toBe(200);
      expect(r.tokensIdentical, `first divergence at step ${r.firstDivergence}`).toBe(true);
      expect(r.distinctTokens).toBeGreaterThanOrEqual(3);
      expect(r.maxAbsLogitDiff).toBeLessThanOrEqual(RELATIVE * r.maxAbsLogit);
      // 6 prompt + 200 decoded tokens, float32: the cost model's bytes.
      expect(r.standardCacheBytes).toBe(4 * standardCacheValues(r.shape, 206));
      expect(r.slimCacheBytes).toBe(4 * xCacheValues(r.shape, 206));
      expect(r.liveAfter).toBe(0);
    });
  }

  it('gpt2 with a V-cache layer (per-layer direction, v-first) agrees with standard for 200 steps', async () => {
    const r: Result<'familyComparison'> = await page.evaluate(() =>
      window.webglHarness.familyComparison('gpt2', 200, {
        directions: ['v-cache', 'k-cache'],
        decodeOrder: 'v-first',
      }),
    );
    expect(r.tokensIdentical, `first divergence at step ${r.firstDivergence}`).toBe(true);
    expect(r.maxAbsLogitDiff).toBeLessThanOrEqual(RELATIVE * r.maxAbsLogit);
    // One layer keeps V, the other K: still half the standard cache.
    expect(r.slimCache.k).toBe(r.slimCache.v);
    expect(2 * (r.slimCache.k + r.slimCache.v)).toBe(r.standardCache.k + r.standardCache.v);
  });

  it('moby-gpt2 and GPT-2-small shapes: draws per decoded token (decode + greedy argmax)', async () => {
    const moby: Result<'mobyDraws'> = await page.evaluate(() => window.webglHarness.mobyDraws(24));
    for (const [name, c] of Object.entries(moby)) {
      console.log(
        `[draws] moby-gpt2 ${name}: ${c.perStep[0]} at n = 16, ${c.perStep.at(-1)} at n = 39, max ${c.max} (a step where the caches double); last step ${JSON.stringify(c.lastStepKernels)}`,
      );
    }
    // Was 113 (standard) and 109 (slim) at n = 215 for 4 layers (now measured at n = 39: draws
    // per step do not grow with n but at the steps where the caches double): LayerNorms in the
    // products' prologues, residual adds in their epilogues, Q/K/V in one product, attention in
    // one or two draws, no split-K over short reductions: at most 10 draws per layer. A step
    // where the caches grow adds their copies.
    const mobyMax = 10 * gpt2Config.n_layer;
    expect(moby.standard.perStep.at(-1)).toBeLessThanOrEqual(mobyMax);
    expect(moby.slim.perStep.at(-1)).toBeLessThanOrEqual(mobyMax);
    expect(moby['slim (checked directions)'].perStep.at(-1)).toBeLessThanOrEqual(mobyMax);
    const llama: Result<'mobyDraws'> = await page.evaluate(() =>
      window.webglHarness.mobyDraws(24, 'moby-llama'),
    );
    for (const [name, c] of Object.entries(llama)) {
      console.log(
        `[draws] moby-llama ${name}: ${c.perStep[0]} at n = 16, ${c.perStep.at(-1)} at n = 39, max ${c.max}; last step ${JSON.stringify(c.lastStepKernels)}`,
      );
    }
    // Was 127 (standard): RMSNorm prologues, q and k rotated by one rope, the SiLU-gated MLP
    // as one linear.
    expect(llama.standard.perStep.at(-1)).toBeLessThanOrEqual(10 * llamaConfig.num_hidden_layers);
    const small: Result<'gpt2SmallDraws'> = await page.evaluate(() =>
      window.webglHarness.gpt2SmallDraws(130, 4),
    );
    for (const [name, c] of Object.entries(small)) {
      console.log(
        `[draws] GPT-2-small shapes ${name}: 1 layer ${c.layers1.perStep.at(-1)}, 2 layers ${c.layers2.perStep.at(-1)}, so 12 layers ${c.layers12}; 2-layer step ${JSON.stringify(c.layers2.lastStepKernels)}`,
      );
    }
    // Was 320 (standard) and 308 (slim).
    expect(small.standard.layers12).toBeLessThanOrEqual(130);
    expect(small.slim.layers12).toBeLessThanOrEqual(130);
  }, 400_000);

  // The default models' decode: 64 steps (the tiny checkpoints above run 200 on every family).
  const STEPS = 64;
  for (const name of ['moby-gpt2', 'moby-llama']) {
    it(`default model ${name}: logits match reference.json; standard and slim agree for ${STEPS} steps`, async () => {
      const r: Result<'defaultModel'> = await page.evaluate(
        ([n, steps]) => window.webglHarness.defaultModel(n, steps),
        [name, STEPS] as const,
      );
      expect(r.family).toBe(name === 'moby-gpt2' ? 'gpt2' : 'llama');
      expect(r.directions.every((d) => d === 'k-cache' || d === 'v-cache')).toBe(true);
      // The float64 reference of the training script: last prompt position, greedy tokens,
      // and every position's argmax, max and logsumexp, standard and slim.
      expect(r.lastLogitsMaxAbs).toBeLessThanOrEqual(RELATIVE * r.lastLogitsScale);
      expect(r.greedyIds).toEqual(r.referenceGreedyIds);
      for (const p of [r.positions.standard, r.positions.slim]) {
        expect(p.positions).toBe(34);
        expect(p.argmaxMismatches).toBe(0);
        expect(p.worstRelative).toBeLessThanOrEqual(RELATIVE);
      }
      for (const [backend, c] of [
        ['webgl', r.webgl],
        ['cpu', r.cpu],
      ] as const) {
        expect(c.tokensIdentical, `${backend}: first divergence at ${c.firstDivergence}`).toBe(
          true,
        );
        expect(c.maxAbsLogitDiff, backend).toBeLessThanOrEqual(RELATIVE * c.maxAbsLogit);
        expect(c.slimCacheBytes * 2).toBe(c.standardCacheBytes);
        // Layers · (15 prompt + STEPS decoded) tokens · d · 4 bytes · K and V.
        const [layers, d] =
          name === 'moby-gpt2'
            ? [gpt2Config.n_layer, gpt2Config.n_embd]
            : [llamaConfig.num_hidden_layers, llamaConfig.hidden_size];
        expect(c.standardCacheBytes).toBe(2 * layers * (15 + STEPS) * d * 4);
      }
      expect(r.liveAfter).toBe(0);
      const speed = (c: typeof r.webgl) =>
        `standard ${c.tokensPerSecond.standard.toFixed(1)} tokens/s (${(1000 / c.tokensPerSecond.standard).toFixed(1)} ms/token), slim ${c.tokensPerSecond.slim.toFixed(1)} tokens/s (${(1000 / c.tokensPerSecond.slim).toFixed(1)} ms/token)`;
      console.log(`[speed] ${name} WebGL: ${speed(r.webgl)}; CPU: ${speed(r.cpu)}`);
      console.log(
        `[figures] ${name}: directions ${r.directions.join(',')}, last logits |Δ| ${r.lastLogitsMaxAbs.toExponential(2)} of ${r.lastLogitsScale.toFixed(2)}, positions worst ${r.positions.standard.worstRelative.toExponential(2)} / ${r.positions.slim.worstRelative.toExponential(2)}, standard vs slim |Δ| WebGL ${r.webgl.maxAbsLogitDiff.toExponential(2)} of ${r.webgl.maxAbsLogit.toFixed(2)}, CPU ${r.cpu.maxAbsLogitDiff.toExponential(2)}`,
      );
      expect(errors).toEqual([]);
    }, 400_000);
  }
});
