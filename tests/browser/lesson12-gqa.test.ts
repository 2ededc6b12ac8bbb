import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium, openPage, screenshot } from './chromium';

const num = async (page: Page, id: string) =>
  Number(((await page.getByTestId(id).textContent()) ?? '').replace(/−/g, '-'));

/** Nothing is wider than the screen (no sideways scrolling of the whole page). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function reveal(page: Page, question: string, choice: RegExp) {
  const cp = page
    .getByRole('region', { name: 'Checkpoint question' })
    .filter({ hasText: question });
  await cp.getByLabel(choice).check();
  await cp.getByRole('button', { name: 'Reveal the answer' }).click();
}

describe('lesson 12 (GQA) in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('runs the toy shapes and filters the catalog on desktop and phone, light and dark', async () => {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const { page, errors } = await openPage(browser, viewport);
        await page.addInitScript((t) => localStorage.setItem('slim-lab-theme', t), theme);
        await page.goto(`${inject('baseURL')}/lessons/gqa`);
        const wide = page.getByRole('radio', { name: /MQA, d_k = 3/ });
        await wide.waitFor();

        // The toy: MQA with d_k = 3, K-cache refused, d-wide cache 4 values instead of 6.
        await wide.check();
        await reveal(page, 'Can the engine rebuild V', /^No: 2 numbers/);
        await expect.poll(() => num(page, 'toy-values-d-wide-cache')).toBe(4);
        expect(await num(page, 'toy-values-kv')).toBe(6);
        expect(await page.getByTestId('toy-refusal-k-cache').textContent()).toContain(
          'narrower than its input width',
        );
        expect(await num(page, 'toy-diff32-d-wide-cache')).toBeLessThan(1e-5);
        // Back to d_k = 2: both slim schemes refused.
        await page.getByRole('radio', { name: /MQA, d_k = 2/ }).check();
        await expect.poll(() => num(page, 'toy-values-kv')).toBe(4);
        await page.getByTestId('toy-refusal-d-wide-cache').waitFor();

        // Gemma2-9B and the catalog.
        await reveal(page, 'How much of Gemma-2-9B', /about one eighth/);
        expect(await page.getByTestId('gemma-c').textContent()).toBe('1.14');
        await reveal(page, 'Llama-3-8B has', /^No: its KV-cache row/);
        await page
          .getByRole('figure', { name: 'catalog models by compression factor c' })
          .waitFor();
        await page.getByRole('radio', { name: 'no gain' }).check();
        await expect.poll(() => page.getByTestId('catalog-count').textContent()).toMatch(/^4 of /);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `lesson-gqa-${size}-${theme}`);
        expect(errors).toEqual([]);
        await page.context().close();
      }
    }
  });
});
