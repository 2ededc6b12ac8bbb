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
});
