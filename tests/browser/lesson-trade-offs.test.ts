import { describe, expect, inject, it } from 'vitest';
import { PHONE, openPage, screenshot } from './chromium';
import { answer, overflow, suiteBrowser, walkOnce } from './lessonKit';

/** Option 2's attention-core speedup over standard's by hand: 2R/(2h + 2) once compute bound. */
const coreSpeedup = (ridge: number, h: number) =>
  Math.max(4, 2 * ridge) / Math.max(2 * h + 2, ridge);
const M4_RIDGE = 38e12 / 410e9; // paper Table 3

describe("lesson 'Trade-offs and FAQ' and the explorer's slower words in Chromium", () => {
  const browser = suiteBrowser();

  it('picks Apple M4 Max and slides h (desktop, light; the other looks: lessons.test.ts)', async () => {
    await walkOnce(browser(), async (page) => {
      await page.goto(`${inject('baseURL')}/lessons/trade-offs`);
      await page.getByRole('heading', { name: /Which part of the layer/ }).waitFor();

      // Answer the h = 64 questions, then drive the option 2 picker and slider.
      await answer(page, 'on which chip of paper Table 3', 'Apple M4 Max');
      await expect
        .poll(() => page.getByTestId('h64-bound-apple-m4-max').textContent())
        .toBe('compute bound');
      await answer(page, 'Against standard attention’s core', 'still faster, but less than 2×');

      const chipSelect = page.getByRole('combobox', { name: 'chip' }).nth(1);
      await chipSelect.selectOption('apple-m4-max');
      const slider = page.getByRole('slider', { name: 'heads h' });
      await slider.focus();
      await page.keyboard.press('End'); // h = 128
      await expect.poll(() => page.getByTestId('h-intensity').textContent()).toBe('258');
      const s128 = coreSpeedup(M4_RIDGE, 128);
      expect(await page.getByTestId('h-speedup').textContent()).toBe(
        `${Number(s128.toPrecision(3))}×`,
      );
      expect(s128).toBeLessThan(1);
      await slider.fill('64');
      await expect.poll(() => page.getByTestId('h-speedup').textContent()).toBe('1.43×');
      await slider.scrollIntoViewIfNeeded();

      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'lesson-trade-offs-desktop-light');
    });
  });

  it('the explorer says why slim is slower and links to the lesson', async () => {
    const { page, errors } = await openPage(browser(), PHONE);
    await page.goto(
      `${inject('baseURL')}/explorer?model=aya-23-35b&chip=apple-m4-max&batch=64&n=1024`,
    );
    const words = page.getByTestId('speedup-slower');
    await words.waitFor();
    expect(await words.textContent()).toMatch(
      /^Slim is slower here: .* compute bound on Apple M4 Max/,
    );
    await words.scrollIntoViewIfNeeded();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    // The views below the fold render on demand (content-visibility): shoot view 4 itself.
    await screenshot(
      page.locator('section[aria-labelledby="view-speedup"]'),
      'explorer-slower-phone-light',
    );
    await words.getByRole('link', { name: 'Trade-offs and FAQ' }).click();
    await page.getByRole('heading', { name: /Which part of the layer/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/lessons/trade-offs');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
