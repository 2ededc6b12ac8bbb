import { describe, expect, inject, it } from 'vitest';
import gpt2Config from '../../public/models/moby-gpt2/config.json';
import llamaConfig from '../../public/models/moby-llama/config.json';

const LAYERS = { 'moby-gpt2': gpt2Config.n_layer, 'moby-llama': llamaConfig.num_hidden_layers };
import { screenshot } from './chromium';
import { answer, overflow, shownNumber, suiteBrowser, walkOnce } from './lessonKit';

describe('lesson 11 (precision) in Chromium', () => {
  const browser = suiteBrowser();

  it('breaks W_K with the slider, reveals float16 and measures both models in the worker (desktop, light; the other looks: lessons.test.ts)', async () => {
    await walkOnce(browser(), async (page) => {
      await page.goto(`${inject('baseURL')}/lessons/precision`);
      const slider = page.getByRole('slider');
      await slider.waitFor();
      expect(await shownNumber(page, 'toy-cond')).toBeCloseTo(10, 6);

      // Slide σ₂ down to 10⁻⁴: cond 10⁴, a larger float32 error.
      const f32 = await shownNumber(page, 'toy-f32');
      await slider.fill('-4');
      await expect.poll(() => shownNumber(page, 'toy-cond')).toBe(10000);
      expect(await shownNumber(page, 'toy-f32')).toBeGreaterThan(f32);
      // The toy attention head with the same σ₂: exact in float64, drifting in float32.
      expect(await shownNumber(page, 'precision-o2-f64')).toBeLessThan(1e-9);
      expect(await shownNumber(page, 'precision-o2-f32')).toBeGreaterThan(1e-6);

      // Predict the float16 error, then see it.
      await answer(page, 'float16', /Around 1/);
      expect(await shownNumber(page, 'toy-f16')).toBeGreaterThan(0.1);

      // The worker measures every layer of the two default models.
      for (const model of ['moby-gpt2', 'moby-llama'] as const) {
        const table = page.getByTestId(`precision-report-${model}`);
        await table.waitFor({ timeout: 30_000 });
        expect(await table.locator('tbody tr').count()).toBe(LAYERS[model]);
      }
      expect(await shownNumber(page, 'moby-llama-v-layers')).toBe(0);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'lesson-precision-desktop-light');
    });
  });
});
