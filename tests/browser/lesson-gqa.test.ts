import { describe, expect, inject, it } from 'vitest';
import { screenshot } from './chromium';
import { answer, overflow, shownNumber, suiteBrowser, walkOnce } from './lessonKit';

describe('lesson 12 (GQA) in Chromium', () => {
  const browser = suiteBrowser();

  it('runs the toy shapes and filters the catalog (desktop, light; the other looks: lessons.test.ts)', async () => {
    await walkOnce(browser(), async (page) => {
      await page.goto(`${inject('baseURL')}/lessons/gqa`);
      const wide = page.getByRole('radio', { name: /MQA, d_k = 3/ });
      await wide.waitFor();

      // The toy: MQA with d_k = 3, K-cache refused, d-wide cache 4 values instead of 6.
      await wide.check();
      await answer(page, 'Can the engine rebuild V', /^No: 2 numbers/);
      await expect.poll(() => shownNumber(page, 'toy-values-d-wide-cache')).toBe(4);
      expect(await shownNumber(page, 'toy-values-kv')).toBe(6);
      expect(await page.getByTestId('toy-refusal-k-cache').textContent()).toContain(
        'narrower than its input width',
      );
      expect(await shownNumber(page, 'toy-diff32-d-wide-cache')).toBeLessThan(1e-5);
      // Back to d_k = 2: both slim schemes refused.
      await page.getByRole('radio', { name: /MQA, d_k = 2/ }).check();
      await expect.poll(() => shownNumber(page, 'toy-values-kv')).toBe(4);
      await page.getByTestId('toy-refusal-d-wide-cache').waitFor();

      // Gemma2-9B and the catalog.
      await answer(page, 'How much of Gemma-2-9B', /about one eighth/);
      expect(await page.getByTestId('gemma-c').textContent()).toBe('1.14');
      await answer(page, 'Llama-3-8B has', /^No: its KV-cache row/);
      await page.getByRole('figure', { name: 'catalog models by compression factor c' }).waitFor();
      await page.getByRole('radio', { name: 'no gain' }).check();
      await expect.poll(() => page.getByTestId('catalog-count').textContent()).toMatch(/^4 of /);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'lesson-gqa-desktop-light');
    });
  });
});
