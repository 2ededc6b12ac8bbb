import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium, openPage, screenshot } from './chromium';

const num = async (page: Page, id: string) =>
  Number(((await page.getByTestId(id).textContent()) ?? '').replace(/−/g, '-'));

/** Nothing is wider than the screen (no sideways scrolling of the whole page). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('lesson 11 (precision) in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('breaks W_K with the slider, reveals float16 and measures both models in the worker', async () => {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const { page, errors } = await openPage(browser, viewport);
        await page.addInitScript((t) => localStorage.setItem('slim-lab-theme', t), theme);
        await page.goto(`${inject('baseURL')}/lessons/precision`);
        const slider = page.getByRole('slider');
        await slider.waitFor();
        expect(await num(page, 'toy-cond')).toBeCloseTo(10, 6);

        // Slide σ₂ down to 10⁻⁴: cond 10⁴, a larger float32 error.
        const f32 = await num(page, 'toy-f32');
        await slider.fill('-4');
        await expect.poll(() => num(page, 'toy-cond')).toBe(10000);
        expect(await num(page, 'toy-f32')).toBeGreaterThan(f32);
        // The toy attention head with the same σ₂: exact in float64, drifting in float32.
        expect(await num(page, 'precision-o2-f64')).toBeLessThan(1e-9);
        expect(await num(page, 'precision-o2-f32')).toBeGreaterThan(1e-6);

        // Predict the float16 error, then see it.
        const cp = page
          .getByRole('region', { name: 'Checkpoint question' })
          .filter({ hasText: 'float16' });
        await cp.getByLabel(/Around 1/).check();
        await cp.getByRole('button', { name: 'Reveal the answer' }).click();
        expect(await num(page, 'toy-f16')).toBeGreaterThan(0.1);

        // The worker measures all eight layers of the two default models.
        for (const model of ['moby-gpt2', 'moby-llama']) {
          const table = page.getByTestId(`precision-report-${model}`);
          await table.waitFor({ timeout: 30_000 });
          expect(await table.locator('tbody tr').count()).toBe(4);
        }
        expect(await num(page, 'moby-llama-v-layers')).toBe(0);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `lesson-precision-${size}-${theme}`);
        expect(errors).toEqual([]);
        await page.context().close();
      }
    }
  });
});
