import { describe, expect, inject, it } from 'vitest';
import { PHONE, openPage, screenshot } from './chromium';
import { lowContrastText } from './contrast';
import { overflow, setTheme } from './lessonKit';
import { suiteBrowser } from './suiteBrowser';

describe('home page in Chromium', () => {
  const browser = suiteBrowser();

  it('renders the title and explanation, readable, with no console errors (desktop)', async () => {
    const { page, errors } = await openPage(browser());
    await page.goto(inject('baseURL') + '/');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'K-cache is all you need',
    );
    expect(await page.locator('.lead').textContent()).toContain('V = K·W');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await lowContrastText(page)).toEqual([]);
    await screenshot(page, 'home-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows a specific message for an unknown address', async () => {
    const { page, errors } = await openPage(browser());
    await page.goto(inject('baseURL') + '/no-such-page');
    expect(await page.getByRole('alert').textContent()).toContain('No page at /no-such-page');
    await expect.poll(() => page.title()).toBe('Page not found — Slim Attention Lab');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('phone: "By the numbers" shows all five columns on screen; light and dark fit and read', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { page, errors } = await openPage(browser(), PHONE);
      await setTheme(page, theme);
      await page.goto(inject('baseURL') + '/');
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      // The table's columns (a layout check, the same in both themes: in the light one).
      if (theme === 'light') {
        const cells = page.locator('table.numbers tbody td');
        expect(await cells.count()).toBe(15);
        for (const box of await cells.evaluateAll((tds) =>
          tds.map((td) => {
            const r = td.getBoundingClientRect();
            return { left: r.left, right: r.right, width: r.width };
          }),
        )) {
          expect(box.width).toBeGreaterThan(0);
          expect(box.left).toBeGreaterThanOrEqual(0);
          expect(box.right).toBeLessThanOrEqual(390);
        }
      }
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      expect(await lowContrastText(page)).toEqual([]);
      await screenshot(page, `home-phone-${theme}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('phone: opening "View the kernel" keeps the Playground at the screen width', async () => {
    const { page, errors } = await openPage(browser(), PHONE);
    await page.goto(inject('baseURL') + '/playground');
    await expect.poll(() => page.title()).toBe('Playground — Slim Attention Lab');
    await page.getByText('View the kernel: slim decode, K-first order').click();
    await page.locator('.kernel-code pre').first().waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, 'playground-kernel-phone');
    // WebGL may be missing in this browser; the page says so as a notice, not an error.
    expect(errors.filter((e) => !/WebGL/i.test(e))).toEqual([]);
    await page.context().close();
  });

  it('titles every page in the tab', async () => {
    const { page } = await openPage(browser());
    await page.goto(inject('baseURL') + '/');
    await expect.poll(() => page.title()).toBe('K-cache is all you need — Slim Attention Lab');
    // Each page by the app's own (client-side) navigation: the title is the route's, set before
    // the page's content (a lesson body, the explorer's charts, a model) has to render.
    for (const [path, title] of [
      ['/lessons', 'Lessons — Slim Attention Lab'],
      ['/lessons/invert-wk', 'Invert W_K — Slim Attention Lab'],
      ['/explorer', 'Roofline explorer — Slim Attention Lab'],
      ['/playground', 'Playground — Slim Attention Lab'],
      // The old engine page's address leads to the Playground.
      ['/engine', 'Playground — Slim Attention Lab'],
      ['/no-such-page', 'Page not found — Slim Attention Lab'],
      ['/', 'K-cache is all you need — Slim Attention Lab'],
    ]) {
      await page.evaluate((to) => {
        history.pushState(null, '', to);
        dispatchEvent(new PopStateEvent('popstate'));
      }, path);
      await expect.poll(() => page.title(), { message: path }).toBe(title);
    }
    await page.context().close();
  });
});
