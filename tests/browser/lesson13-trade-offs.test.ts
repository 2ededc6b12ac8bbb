import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { DESKTOP, PHONE, SCREENSHOT_DIR, launchChromium, openPage, screenshot } from './chromium';

/** Nothing is wider than the screen (no sideways scrolling of the whole page). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Option 2's attention-core speedup over standard's by hand: 2R/(2h + 2) once compute bound. */
const coreSpeedup = (ridge: number, h: number) =>
  Math.max(4, 2 * ridge) / Math.max(2 * h + 2, ridge);
const M4_RIDGE = 38e12 / 410e9; // paper Table 3

describe("lesson 'Trade-offs and FAQ' and the explorer's slower words in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('picks Apple M4 Max and slides h on desktop and phone, light and dark', async () => {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const { page, errors } = await openPage(browser, viewport);
        await page.addInitScript((t) => localStorage.setItem('slim-lab-theme', t), theme);
        await page.goto(`${inject('baseURL')}/lessons/trade-offs`);
        await page.getByRole('heading', { name: /Which part of the layer/ }).waitFor();

        // Answer the h = 64 questions, then drive the option 2 picker and slider.
        const chipCp = page
          .getByRole('region', { name: 'Checkpoint question' })
          .filter({ hasText: 'on which chip of paper Table 3' });
        await chipCp.getByLabel('Apple M4 Max').check();
        await chipCp.getByRole('button', { name: 'Reveal the answer' }).click();
        await expect
          .poll(() => page.getByTestId('h64-bound-apple-m4-max').textContent())
          .toBe('compute bound');
        const speedCp = page
          .getByRole('region', { name: 'Checkpoint question' })
          .filter({ hasText: 'Against standard attention’s core' });
        await speedCp.getByLabel('still faster, but less than 2×').check();
        await speedCp.getByRole('button', { name: 'Reveal the answer' }).click();

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
        await screenshot(page, `lesson-trade-offs-${size}-${theme}`);
        expect(errors).toEqual([]);
        await page.context().close();
      }
    }
  });

  it('the explorer says why slim is slower and links to the lesson', async () => {
    const { page, errors } = await openPage(browser, PHONE);
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
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page
      .locator('section[aria-labelledby="view-speedup"]')
      .screenshot({ path: `${SCREENSHOT_DIR}/explorer-slower-phone-light.png` });
    await words.getByRole('link', { name: 'Trade-offs and FAQ' }).click();
    await page.getByRole('heading', { name: /Which part of the layer/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/lessons/trade-offs');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
