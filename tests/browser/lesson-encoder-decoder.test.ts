import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from './chromium';
import { answer, overflow, shownNumber, suiteBrowser, walkOnce } from './lessonKit';

/** A Whisper cell's own number (the paper's value sits under it in a span). */
const cell = (page: Page, id: string) =>
  page
    .getByTestId(id)
    .evaluate((td) => Number((td.firstChild?.textContent ?? '').replace(/[M×]/g, '')));

describe('lesson 9 in Chromium', () => {
  const browser = suiteBrowser();

  it('edits E, reveals the caches and moves the Whisper batch (desktop, light; the other looks: lessons.test.ts)', async () => {
    await walkOnce(browser(), async (page) => {
      await page.goto(`${inject('baseURL')}/lessons/encoder-decoder`);

      // Edit one entry of E: the outputs move, every scheme still agrees with the baseline.
      const outputs = page.getByRole('table', { name: 'decoder outputs' });
      await outputs.waitFor();
      const before = await outputs.textContent();
      const entry = page.getByLabel('E row 1 column 1');
      await entry.fill('2');
      await entry.press('Tab');
      await expect.poll(() => outputs.textContent()).not.toBe(before);
      expect(await shownNumber(page, 'cross-option2K-f64')).toBeLessThan(1e-12);
      expect(await shownNumber(page, 'cross-option1V-f32')).toBeLessThan(1e-5);

      // The E-cache question, then the engine's counts: one copy of E, p·d = 12 values.
      await answer(page, /the E-cache keep/, /^12$/);
      expect(await shownNumber(page, 'cache-option2V-values')).toBe(12);
      expect(await shownNumber(page, 'cache-baseline-values')).toBe(48);

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
      await screenshot(page, 'lesson-encoder-decoder-desktop-light');
    });
  });
});
