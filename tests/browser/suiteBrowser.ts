import { afterAll, beforeAll, inject } from 'vitest';
import { chromium, type Browser } from 'playwright-core';

/**
 * Connects to the run's one Chromium (started by global-setup.ts) before the tests of the
 * enclosing describe block and disconnects after them, which closes every context they opened;
 * returns a getter for it. Call it inside describe. Each test opens its own fresh contexts and
 * pages (openPage).
 */
export function suiteBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.connect(inject('chromiumWsEndpoint'));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser)
      throw new Error('Not connected to Chromium: suiteBrowser() connects in beforeAll.');
    return browser;
  };
}
