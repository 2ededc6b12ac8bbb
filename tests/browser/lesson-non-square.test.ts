import { describe, expect, inject, it } from 'vitest';
import { screenshot } from './chromium';
import { answer, overflow, shownNumber, suiteBrowser, walkOnce } from './lessonKit';

describe('lesson 8 (non-square projections) in Chromium', () => {
  const browser = suiteBrowser();

  it('answers both checkpoints, edits W_K, breaks its rank (desktop, light; the other looks: lessons.test.ts)', async () => {
    await walkOnce(browser(), async (page) => {
      await page.goto(`${inject('baseURL')}/lessons/non-square`);
      await answer(page, 'How many times smaller', '32x', { exact: true });
      await expect
        .poll(async () => (await page.getByTestId('cache-t5-11b').textContent()) ?? '')
        .toContain('32x');

      await answer(page, 'the other way round', /leaves every row of K/);
      expect(await shownNumber(page, 'k-back-error')).toBeLessThan(1e-12);

      // Edit one cell of W_K: the three layers still agree.
      const outputs = page.getByRole('table', { name: 'layer outputs' });
      const before = await outputs.textContent();
      const cell = page.getByLabel('W_K row 1 column 2');
      await cell.fill('3');
      await cell.blur();
      await expect.poll(() => outputs.textContent()).not.toBe(before);
      expect(await shownNumber(page, 'ns-o1-f64')).toBeLessThan(1e-12);
      expect(await shownNumber(page, 'ns-x-f32')).toBeLessThan(1e-5);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'lesson-non-square-desktop-light');

      // Rank 1: the right inverse refused, the X-cache carries on.
      await page.getByRole('button', { name: 'Make W_K rank 1' }).click();
      await page.getByTestId('rank-refusal').waitFor();
      expect(await page.getByTestId('ns-o1-f64').textContent()).toBe('—');
      expect(await shownNumber(page, 'ns-x-f64')).toBeLessThan(1e-12);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await page.getByTestId('rank-refusal').scrollIntoViewIfNeeded();
      await screenshot(page, 'lesson-non-square-desktop-light-rank1', { fullPage: false });
    });
  });
});
