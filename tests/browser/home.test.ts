import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium, openPage, screenshot } from './chromium';

describe('home page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders the title and explanation with no console errors (desktop and phone)', async () => {
    for (const [name, viewport] of [
      ['home-desktop', DESKTOP],
      ['home-phone', PHONE],
    ] as const) {
      const { page, errors } = await openPage(browser, viewport);
      await page.goto(inject('baseURL') + '/');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'K-cache is all you need',
      );
      expect(await page.locator('.lead').textContent()).toContain('V = K·W');
      await screenshot(page, name);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('shows a specific message for an unknown address', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(inject('baseURL') + '/no-such-page');
    expect(await page.getByRole('alert').textContent()).toContain('No page at /no-such-page');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('phone, light and dark: "By the numbers" shows all five columns on screen', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { page, errors } = await openPage(browser, PHONE);
      await page.addInitScript((t) => localStorage.setItem('slim-lab-theme', t), theme);
      await page.goto(inject('baseURL') + '/');
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
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, `home-phone-${theme}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('phone: opening "View the kernel" keeps the Playground at the screen width', async () => {
    const { page, errors } = await openPage(browser, PHONE);
    await page.goto(inject('baseURL') + '/playground');
    await page.getByText('View the kernel: slim decode, option 2').click();
    await page.locator('.kernel-code pre').first().waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, 'playground-kernel-phone');
    // WebGL may be missing in this browser; the page says so as a notice, not an error.
    expect(errors.filter((e) => !/WebGL/i.test(e))).toEqual([]);
    await page.context().close();
  });

  it('titles every page in the tab', async () => {
    const { page } = await openPage(browser);
    for (const [path, title] of [
      ['/', 'K-cache is all you need — Slim Attention Lab'],
      ['/lessons', 'Lessons — Slim Attention Lab'],
      ['/lessons/invert-wk', 'Invert W_K — Slim Attention Lab'],
      ['/explorer', 'Roofline explorer — Slim Attention Lab'],
      ['/playground', 'Playground — Slim Attention Lab'],
      // The old engine page's address leads to the Playground.
      ['/engine', 'Playground — Slim Attention Lab'],
      ['/no-such-page', 'Page not found — Slim Attention Lab'],
    ]) {
      await page.goto(inject('baseURL') + path);
      await expect.poll(() => page.title()).toBe(title);
    }
    await page.context().close();
  });
});
