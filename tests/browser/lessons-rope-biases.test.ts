import { describe, expect, inject, it } from 'vitest';
import { screenshot } from './chromium';
import { answer, overflow, shownNumber, suiteBrowser, walkOnce } from './lessonKit';

describe('lessons 6 and 7 in Chromium', () => {
  const browser = suiteBrowser();

  it('drags the RoPE query onto position 1 (desktop, light; the other looks: lessons.test.ts)', async () => {
    await walkOnce(browser(), async (page) => {
      // Lesson 6: drag the query tip onto the dot of position 1.
      await page.goto(`${inject('baseURL')}/lessons/rope`);
      const handle = page.getByRole('slider', { name: 'query position' });
      await handle.waitFor();
      expect(await handle.getAttribute('aria-valuenow')).toBe('4');
      const scoreBefore = await page.getByTestId('rope-score').textContent();
      await handle.scrollIntoViewIfNeeded();
      const from = await handle.locator('circle').boundingBox();
      const to = await page.locator('.rope-circle .vec.q circle.stop').nth(1).boundingBox();
      if (!from || !to) throw new Error('The RoPE picture has no query handle or stop to drag to.');
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
      await page.mouse.up();
      await expect.poll(() => handle.getAttribute('aria-valuenow')).toBe('1');
      expect(await page.getByTestId('rope-score').textContent()).not.toBe(scoreBefore);
      // Same offset, same score.
      expect(await shownNumber(page, 'rope-score')).toBeCloseTo(
        await shownNumber(page, 'rope-score-shifted'),
        4,
      );
      // Slim = standard with RoPE, then with the rotated cache.
      expect(await shownNumber(page, 'rope-o2-f64')).toBeLessThan(1e-12);
      await page.getByRole('radio', { name: 'rotated K' }).check();
      expect(await shownNumber(page, 'rope-o1-f32')).toBeLessThan(1e-4);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'lesson-rope-desktop-light');
    });
  });

  it('toggles b_K and b_V, slim keeps agreeing (desktop, light; the other looks: lessons.test.ts)', async () => {
    await walkOnce(browser(), async (page) => {
      // Lesson 7: switch b_K off and b_V off; slim keeps agreeing.
      await page.goto(`${inject('baseURL')}/lessons/biases`);
      const bK = page.getByRole('checkbox', { name: 'use b_K' });
      await bK.waitFor();
      const outputs = page.getByRole('table', { name: 'bias layer outputs' });
      const before = await outputs.textContent();
      await page.getByRole('checkbox', { name: 'use b_V' }).uncheck();
      await expect.poll(() => outputs.textContent()).not.toBe(before);
      // The softmax with b_K shows once its prediction is answered.
      await answer(page, 'softmax weights', /Nothing/);
      await bK.uncheck();
      expect(await bK.isChecked()).toBe(false);
      expect(await shownNumber(page, 'bias-o1-f64')).toBeLessThan(1e-12);
      expect(await shownNumber(page, 'bias-o2-f32')).toBeLessThan(1e-4);
      expect(await shownNumber(page, 'kbias-prob-diff')).toBe(0);
      await bK.check();
      expect(await shownNumber(page, 'kbias-prob-diff')).toBeLessThan(1e-12);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'lesson-biases-desktop-light');
    });
  });
});
