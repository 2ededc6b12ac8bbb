import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium, openPage, screenshot } from './chromium';

const num = async (page: Page, id: string) =>
  Number(((await page.getByTestId(id).textContent()) ?? '').replace(/−/g, '-'));
/** A Whisper cell's own number (the paper's value sits under it in a span). */
const cell = (page: Page, id: string) =>
  page
    .getByTestId(id)
    .evaluate((td) => Number((td.firstChild?.textContent ?? '').replace(/[M×]/g, '')));

/** Nothing is wider than the screen (no sideways scrolling of the whole page). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function answer(page: Page, question: RegExp, choice: RegExp) {
  const cp = page
    .getByRole('region', { name: 'Checkpoint question' })
    .filter({ hasText: question });
  await cp.getByLabel(choice).check();
  await cp.getByRole('button', { name: 'Reveal the answer' }).click();
}

describe('lesson 9 in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('edits E, reveals the caches and moves the Whisper batch, on desktop and phone, light and dark', async () => {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const { page, errors } = await openPage(browser, viewport);
        await page.addInitScript((t) => localStorage.setItem('slim-lab-theme', t), theme);
        await page.goto(`${inject('baseURL')}/lessons/encoder-decoder`);

        // Edit one entry of E: the outputs move, every scheme still agrees with the baseline.
        const outputs = page.getByRole('table', { name: 'decoder outputs' });
        await outputs.waitFor();
        const before = await outputs.textContent();
        const entry = page.getByLabel('E row 1 column 1');
        await entry.fill('2');
        await entry.press('Tab');
        await expect.poll(() => outputs.textContent()).not.toBe(before);
        expect(await num(page, 'cross-option2K-f64')).toBeLessThan(1e-12);
        expect(await num(page, 'cross-option1V-f32')).toBeLessThan(1e-5);

        // The E-cache question, then the engine's counts: one copy of E, p·d = 12 values.
        await answer(page, /option 2 keep/, /^12$/);
        expect(await num(page, 'cache-option2V-values')).toBe(12);
        expect(await num(page, 'cache-baseline-values')).toBe(48);

        // Whisper: reveal, then slide the batch from 64 down to 1.
        await answer(page, /How much smaller/, /^8\.7/);
        expect(await cell(page, 'whisper-speedup-option2-4')).toBeGreaterThan(5);
        const slider = page.getByRole('slider', { name: 'batch B' });
        await slider.focus();
        await slider.press('Home');
        await expect.poll(() => cell(page, 'whisper-speedup-option2-0')).toBeLessThan(1.2);
        expect(await page.getByTestId('whisper-paper-speedup-option2-0').textContent()).toBe(
          'paper 1.14x',
        );
        await slider.press('End');
        await answer(page, /first token/, /far from twice/);
        expect(await page.getByTestId('ttft-cross-option2').textContent()).toBe('none');

        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `lesson-encoder-decoder-${size}-${theme}`);
        expect(errors).toEqual([]);
        await page.context().close();
      }
    }
  });
});
