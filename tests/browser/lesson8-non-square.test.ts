import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium, openPage, screenshot } from './chromium';

const num = async (page: Page, id: string) =>
  Number(((await page.getByTestId(id).textContent()) ?? '').replace(/−/g, '-'));

/** Nothing is wider than the screen (no sideways scrolling of the whole page). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('lesson 8 (non-square projections) in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('answers both checkpoints, edits W_K, breaks its rank, on desktop and phone, light and dark', async () => {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const { page, errors } = await openPage(browser, viewport);
        await page.addInitScript((t) => localStorage.setItem('slim-lab-theme', t), theme);
        await page.goto(`${inject('baseURL')}/lessons/non-square`);
        const factor = page.getByRole('region', { name: 'Checkpoint question' }).filter({
          hasText: 'How many times smaller',
        });
        await factor.waitFor();
        await factor.getByLabel('32x', { exact: true }).check();
        await factor.getByRole('button', { name: 'Reveal the answer' }).click();
        await expect
          .poll(async () => (await page.getByTestId('cache-t5-11b').textContent()) ?? '')
          .toContain('32x');

        const projector = page.getByRole('region', { name: 'Checkpoint question' }).filter({
          hasText: 'the other way round',
        });
        await projector.getByLabel(/leaves every row of K/).check();
        await projector.getByRole('button', { name: 'Reveal the answer' }).click();
        expect(await num(page, 'k-back-error')).toBeLessThan(1e-12);

        // Edit one cell of W_K: the three layers still agree.
        const outputs = page.getByRole('table', { name: 'layer outputs' });
        const before = await outputs.textContent();
        const cell = page.getByLabel('W_K row 1 column 2');
        await cell.fill('3');
        await cell.blur();
        await expect.poll(() => outputs.textContent()).not.toBe(before);
        expect(await num(page, 'ns-o1-f64')).toBeLessThan(1e-12);
        expect(await num(page, 'ns-x-f32')).toBeLessThan(1e-5);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `lesson-non-square-${size}-${theme}`);

        // Rank 1: option 1 refused, the X-cache carries on.
        await page.getByRole('button', { name: 'Make W_K rank 1' }).click();
        await page.getByTestId('rank-refusal').waitFor();
        expect(await page.getByTestId('ns-o1-f64').textContent()).toBe('—');
        expect(await num(page, 'ns-x-f64')).toBeLessThan(1e-12);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await page.getByTestId('rank-refusal').scrollIntoViewIfNeeded();
        await page.screenshot({
          path: `tests/browser/screenshots/lesson-non-square-${size}-${theme}-rank1.png`,
        });

        expect(errors).toEqual([]);
        await page.context().close();
      }
    }
  });
});
