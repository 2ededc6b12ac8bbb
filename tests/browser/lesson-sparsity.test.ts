import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from './chromium';
import { answer, overflow, shownNumber, suiteBrowser, walkOnce } from './lessonKit';

/** A shown number; a factor's trailing × dropped. */
const num = (page: Page, id: string) => shownNumber(page, id, /×$/);

describe('lesson 10 (sparsity) in Chromium', () => {
  const browser = suiteBrowser();

  it('loads moby-gpt2, moves the threshold, reads the results (desktop, light; the other looks: lessons.test.ts)', async () => {
    await walkOnce(browser(), async (page) => {
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
      await screenshot(page, 'lesson-sparsity-desktop-light');
    });
  }, 90_000);
});
