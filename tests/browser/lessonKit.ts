/**
 * What the lesson tests in Chromium share: one browser per describe block, a fresh page at every
 * size in both themes, reading shown numbers, the sideways-overflow check and answering a
 * checkpoint. Every expectation about a lesson stays in the test that opens it.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium, openPage } from './chromium';

/** The two screen sizes every lesson is checked on. */
export const SIZES = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const;
export type Size = (typeof SIZES)[number][0];
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/**
 * Launches Chromium before the tests of the enclosing describe block and closes it after them;
 * returns a getter for it. Call it inside describe.
 */
export function suiteBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser)
      throw new Error('Chromium is not running: suiteBrowser() launches it in beforeAll.');
    return browser;
  };
}

/** The page opens in `theme`: the app reads it from localStorage before its first paint. */
export const setTheme = (page: Page, theme: Theme) =>
  page.addInitScript((t) => localStorage.setItem('slim-lab-theme', t), theme);

/**
 * Runs `visit` on a fresh page at each size (desktop, phone) in each theme (light, dark), then
 * asserts the page logged no console error and threw nothing, and closes it.
 */
export async function eachSizeAndTheme(
  browser: Browser,
  visit: (page: Page, size: Size, theme: Theme) => Promise<void>,
) {
  for (const [size, viewport] of SIZES) {
    for (const theme of THEMES) {
      const { page, errors } = await openPage(browser, viewport);
      await setTheme(page, theme);
      await visit(page, size, theme);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }
}

/**
 * The number shown in the element whose data-testid is `id`: the typographic minus (−) read as
 * '-', then whatever `drop` matches removed.
 */
export async function shownNumber(page: Page, id: string, drop?: RegExp): Promise<number> {
  const t = ((await page.getByTestId(id).textContent()) ?? '').replace(/−/g, '-');
  return Number(drop ? t.replace(drop, '') : t);
}

/** How far the page is wider than the screen (> 0: the whole page scrolls sideways). */
export const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Picks `choice` in the checkpoint whose text contains `question`, then reveals its answer. */
export async function answer(
  page: Page,
  question: string | RegExp,
  choice: string | RegExp,
  options: { exact?: boolean } = {},
) {
  const cp = page
    .getByRole('region', { name: 'Checkpoint question' })
    .filter({ hasText: question });
  await cp.getByLabel(choice, options).check();
  await cp.getByRole('button', { name: 'Reveal the answer' }).click();
}
