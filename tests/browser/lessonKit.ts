/**
 * What the lesson tests in Chromium share: the run's Chromium, the looks (size × theme) a lesson
 * is checked in, reading shown numbers, the sideways-overflow check and answering a checkpoint.
 * Every expectation about a lesson stays in the test that opens it.
 *
 * A lesson's functional walk runs once, on desktop in the light theme (walkOnce, in the lesson's
 * test); lessons.test.ts opens every lesson in every look (desktop and phone, light and dark):
 * loaded, its predictions revealed, checked for overflow, contrast and console errors
 * (checkLook).
 */
import { expect, inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, PHONE, openPage, screenshot } from './chromium';
import { lowContrastText } from './contrast';

export { suiteBrowser } from './suiteBrowser';

/** The two screen sizes every lesson is checked on. */
export const SIZES = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const;
export type Size = (typeof SIZES)[number][0];
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
const VIEWPORT: Readonly<Record<Size, { width: number; height: number }>> = Object.fromEntries(
  SIZES,
) as Record<Size, { width: number; height: number }>;

/** The page opens in `theme`: the app reads it from localStorage before its first paint. */
export const setTheme = (page: Page, theme: Theme) =>
  page.addInitScript((t) => localStorage.setItem('slim-lab-theme', t), theme);

/** How far the page is wider than the screen (> 0: the whole page scrolls sideways). */
export const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/**
 * Answers every prediction of the lesson on the page (its first choice) and reveals it, in the
 * page (one round trip), so that everything the lesson can show is there; then waits until
 * nothing is loading.
 */
export async function revealAll(page: Page): Promise<void> {
  const left = await page.evaluate(async () => {
    const reveal = (cp: Element) =>
      [...cp.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Reveal the answer');
    for (const cp of document.querySelectorAll('section.checkpoint')) {
      if (!reveal(cp)) continue;
      cp.querySelector<HTMLInputElement>('input[type="radio"]')?.click();
      // The button is enabled once React has committed the choice (a task later at most).
      for (let i = 0; i < 100 && reveal(cp)?.disabled; i++)
        await new Promise((r) => setTimeout(r, 0));
      reveal(cp)?.click();
    }
    const unrevealed = () =>
      [...document.querySelectorAll('section.checkpoint')].filter(reveal).length;
    for (let i = 0; i < 100 && unrevealed() > 0; i++) await new Promise((r) => setTimeout(r, 0));
    return unrevealed();
  });
  expect(left, 'predictions left unrevealed').toBe(0);
  await expect.poll(() => page.locator('[aria-busy="true"]').count(), { timeout: 60_000 }).toBe(0);
}

/**
 * What each look must hold, on a page just opened in it: the theme applied, and, once every
 * prediction is revealed, nothing wider than the screen, every text readable against its
 * background (WCAG contrast) and no console error or uncaught exception (`errors`, which it
 * then empties).
 */
export async function checkLook(page: Page, errors: string[], where: string, theme: Theme) {
  expect(await page.evaluate(() => document.documentElement.dataset.theme), where).toBe(theme);
  await revealAll(page);
  expect(await overflow(page), where).toBeLessThanOrEqual(0);
  expect(await lowContrastText(page), where).toEqual([]);
  expect(errors, where).toEqual([]);
  errors.length = 0;
}

/**
 * Opens `path` on a fresh page of `size` in `theme`, waits for `ready` (the lesson body is its
 * own chunk) and checks the look (checkLook).
 */
export async function lookAt(
  browser: Browser,
  path: string,
  size: Size,
  theme: Theme,
  ready: (page: Page) => Promise<unknown>,
): Promise<void> {
  const { page, errors } = await openPage(browser, VIEWPORT[size]);
  await setTheme(page, theme);
  await page.goto(`${inject('baseURL')}${path}`);
  await ready(page);
  const where = `${path} (${size}, ${theme})`;
  await checkLook(page, errors, where, theme);
  await screenshot(page, `${path.replace(/^\/|\?.*$/g, '').replace(/\//g, '-')}-${size}-${theme}`);
  await page.context().close();
}

/**
 * A lesson's functional walk: `walk` (which opens the lesson itself) once, on a fresh desktop page
 * in the light theme, then no console error or uncaught exception. The other looks of the
 * lesson: lessons.test.ts.
 */
export async function walkOnce(browser: Browser, walk: (page: Page) => Promise<void>) {
  const { page, errors } = await openPage(browser, DESKTOP);
  await setTheme(page, 'light');
  await walk(page);
  expect(errors).toEqual([]);
  await page.context().close();
}

/** How many display equations are cut off (scroll sideways inside their box). */
export const clippedEquations = (page: Page) =>
  page
    .locator('.katex-display')
    .evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).length);

/** The primer's block equation is shown whole (≤ 0: not cut off or scrolled sideways). */
export const primerEquationCut = (page: Page) =>
  page
    .locator('div.tex')
    .first()
    .evaluate((el) => {
      const d = el.querySelector('.katex-display') ?? el;
      return d.scrollWidth - d.clientWidth;
    });

/** The drawn height, in px, of the numbers in the primer's diagram. */
export const primerNumberPx = (page: Page) =>
  page
    .locator('svg.primer-diagram text.cell-value')
    .first()
    .evaluate((el) => el.getBoundingClientRect().height);

/** Close-ups of the primer's two drawings, to look at their text at the size it is shown. */
export async function primerCloseUps(page: Page, look: string) {
  for (const [name, selector] of [
    ['head', 'svg.primer-diagram'],
    ['decoder', 'svg.decoder-sketch'],
  ] as const)
    await screenshot(page.locator(selector), `lesson0-${name}-${look}`);
}

/**
 * The number shown in the element whose data-testid is `id`: the typographic minus (−) read as
 * '-', then whatever `drop` matches removed.
 */
export async function shownNumber(page: Page, id: string, drop?: RegExp): Promise<number> {
  const t = ((await page.getByTestId(id).textContent()) ?? '').replace(/−/g, '-');
  return Number(drop ? t.replace(drop, '') : t);
}

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
