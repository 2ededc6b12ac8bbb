import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium, openPage, screenshot } from './chromium';

const num = async (page: Page, id: string) =>
  Number(((await page.getByTestId(id).textContent()) ?? '').replace(/−/g, '-').replace(/×$/, ''));

/** Nothing is wider than the screen (no sideways scrolling of the whole page). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Picks `label` in the checkpoint whose question contains `text` and reveals it. */
async function answer(page: Page, text: string, label: RegExp) {
  const cp = page.getByRole('region', { name: 'Checkpoint question' }).filter({ hasText: text });
  await cp.getByLabel(label).check();
  await cp.getByRole('button', { name: 'Reveal the answer' }).click();
}

describe('lesson 10 (sparsity) in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads moby-gpt2, moves the threshold, reads the results on desktop and phone, light and dark', async () => {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const { page, errors } = await openPage(browser, viewport);
        await page.addInitScript((t) => localStorage.setItem('slim-lab-theme', t), theme);
        await page.goto(`${inject('baseURL')}/lessons/sparsity`);
        // The real model loads and runs: the attention row is drawn.
        const chart = page.getByRole('figure', { name: /Softmax weights of the last token/ });
        await chart.waitFor({ timeout: 20_000 });
        await answer(page, 'how many', /^5×$/);
        await expect.poll(() => num(page, 'work-standard')).toBeGreaterThan(1);
        const before = await num(page, 'skipped-standard');
        // Move the threshold up with the keyboard: more rows skipped, equal in both orders.
        const slider = page.getByRole('slider', { name: 'threshold τ' });
        await slider.focus();
        for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
        await expect.poll(() => num(page, 'skipped-standard')).toBeGreaterThan(before);
        expect(await num(page, 'skipped-slim')).toBe(await num(page, 'skipped-standard'));
        expect(await num(page, 'diff-f64')).toBeLessThan(1e-12);
        expect(await num(page, 'diff-f32')).toBeLessThan(1e-4);
        await answer(page, 'g = 4', /^41%$/);
        expect(await num(page, 'gqa-measured-4')).toBeLessThanOrEqual(
          await num(page, 'gqa-measured-1'),
        );
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `lesson-sparsity-${size}-${theme}`);
        expect(errors).toEqual([]);
        await page.context().close();
      }
    }
  }, 90_000);
});
