import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium, openPage, screenshot } from './chromium';

/** The /engine page: the model runs in a worker on WebGL2, standard vs slim. */
describe('engine page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const runTiny = async (query: string, viewport = DESKTOP, tokens = 12) => {
    const { page, errors } = await openPage(browser, viewport);
    await page.goto(inject('baseURL') + '/engine' + query);
    await page.getByLabel('Tokens to generate').fill(String(tokens));
    await page.getByRole('button', { name: 'Run standard vs slim' }).click();
    return { page, errors };
  };

  it('runs standard vs slim on WebGL2: same tokens, half the cache, kernel viewable', async () => {
    const { page, errors } = await runTiny('');
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.textContent()).toMatch(/Greedy tokens identical: yes/);
    expect(await page.locator('.engine-device').textContent()).toContain('WebGL2');
    // tiny: 2 layers · (4 prompt + 12 generated) tokens · d 128 · 4 bytes per cache.
    expect(await page.getByTestId('standard-cache').textContent()).toBe('32.0 KiB');
    expect(await page.getByTestId('slim-cache').textContent()).toBe('16.0 KiB');
    await page.getByText('View the kernel: slim decode, option 2').click();
    const code = await page.locator('.kernel-code').textContent();
    expect(code).toContain('HEAD_ROWS');
    expect(code).toContain('void computeBlock(int orow, int t, out mat4 lo, out mat4 hi)');
    expect(await page.locator('.kernel-math .katex').count()).toBe(3);
    await screenshot(page, 'engine-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('falls back to the CPU with a visible notice (phone layout)', async () => {
    // Few tokens: the CPU path shares two cores with the rest of the suite.
    const { page, errors } = await runTiny('?backend=cpu', PHONE, 4);
    const note = page.getByRole('note');
    await note.waitFor({ timeout: 100_000 });
    expect(await note.textContent()).toMatch(/EXT_color_buffer_float.*CPU backend/);
    expect(await page.getByTestId('verdict').textContent()).toMatch(/identical: yes/);
    await screenshot(page, 'engine-phone-cpu');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('reports a lost WebGL context instead of freezing, and runs again', async () => {
    const { page } = await runTiny('?loseContext=1');
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.textContent()).toMatch(/GPU context was lost/);
    expect(await page.getByRole('button', { name: 'Run standard vs slim' }).isEnabled()).toBe(true);
    await page.context().close();
  });
});
