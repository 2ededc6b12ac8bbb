import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, screenshot } from './chromium';
import {
  overflow,
  primerCloseUps,
  primerEquationCut,
  primerNumberPx,
  suiteBrowser,
  walkOnce,
} from './lessonKit';

const PATH = '/lessons/attention-primer';

/** Opacity and vertical offset of cache row `i` as the browser draws it now. */
function rowState(page: Page, i: number) {
  return page.locator(`g.cache-row[data-row="${i}"]`).evaluate((g) => ({
    opacity: Number(g.getAttribute('opacity') ?? '1'),
    y: (g as SVGGElement).transform.baseVal.consolidate()?.matrix.f ?? 0,
  }));
}

/**
 * Clicks "Next token" and reads row `i` before the browser draws another frame: React commits a
 * click's update (and runs its layout effects) in a microtask, and d3's transitions only start on
 * the next animation frame, so this is the state the row is first painted in.
 */
function clickNextAndRead(page: Page, i: number) {
  return page.evaluate(async (row) => {
    const next = [...document.querySelectorAll('button')].find(
      (b) => b.textContent === 'Next token →',
    );
    if (!next) throw new Error('No “Next token →” button on the page.');
    next.click();
    const find = () => document.querySelector<SVGGElement>(`g.cache-row[data-row="${row}"]`);
    for (let k = 0; k < 100 && !find(); k++) await Promise.resolve();
    const g = find();
    if (!g) throw new Error(`Cache row ${row} was not drawn after “Next token →”.`);
    return {
      opacity: Number(g.getAttribute('opacity') ?? '1'),
      y: g.transform.baseVal.consolidate()?.matrix.f ?? 0,
    };
  }, i);
}

/** Row `i`'s slot in the cache (React's offset, which d3 never changes): where it must end up. */
async function slotY(page: Page, i: number): Promise<number> {
  return Number(await page.locator(`g.cache-row[data-row="${i}"]`).getAttribute('data-slot-y'));
}

describe('lesson 0 in Chromium', () => {
  const browser = suiteBrowser();

  it('steps tokens (desktop, light; the other looks: lessons.test.ts)', async () => {
    await walkOnce(browser(), async (page) => {
      await page.goto(`${inject('baseURL')}${PATH}`);
      await page.locator('svg.primer-diagram').waitFor();
      await expect(page.locator('#lesson-title').textContent()).resolves.toBe(
        'Attention in one picture',
      );
      const rows = page.getByTestId('primer-cache-rows');
      await expect(rows.textContent()).resolves.toBe('1');
      const next = page.getByRole('button', { name: 'Next token →' });
      for (let t = 2; t <= 4; t++) {
        await next.click();
        await expect.poll(() => rows.textContent()).toBe(String(t));
        await expect(page.locator('g.cache-row').count()).resolves.toBe(t);
      }
      // The step reaches the address bar once input pauses (batched URL writes).
      await expect.poll(() => page.url(), { timeout: 5000 }).toContain('tok=4');
      // The arrival animation ends with every row in its slot.
      await expect
        .poll(() => rowState(page, 3), { timeout: 5000 })
        .toEqual({ opacity: 1, y: await slotY(page, 3) });
      // Nothing is wider than the screen, the block equation is whole, and the diagram's
      // numbers are readable (≥ 9 px).
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      expect(await primerEquationCut(page)).toBeLessThanOrEqual(0);
      expect(await primerNumberPx(page)).toBeGreaterThanOrEqual(9);
      await screenshot(page, 'lesson0-desktop-light');
      await primerCloseUps(page, 'desktop-light');
    });
  });

  it('animates a new row in, and draws it at once with reduced motion', async () => {
    const { page, errors } = await openPage(browser());
    await page.goto(`${inject('baseURL')}${PATH}?tok=2`);
    await page.locator('svg.primer-diagram').waitFor();
    // First frame: the third row starts at the query lane, transparent, and slides in.
    const early = await clickNextAndRead(page, 2);
    const slot = await slotY(page, 2);
    expect(early.opacity).toBe(0);
    expect(early.y).toBeLessThan(slot);
    await expect.poll(() => rowState(page, 2), { timeout: 5000 }).toEqual({ opacity: 1, y: slot });
    expect(errors).toEqual([]);
    await page.context().close();

    const still = await openPage(browser());
    await still.page.emulateMedia({ reducedMotion: 'reduce' });
    await still.page.goto(`${inject('baseURL')}${PATH}?tok=2`);
    await still.page.locator('svg.primer-diagram').waitFor();
    // No transition: the row is in its slot and opaque in the very frame it appears.
    const first = await clickNextAndRead(still.page, 2);
    expect(first).toEqual({ opacity: 1, y: await slotY(still.page, 2) });
    const bar = await still.page
      .locator('g.cache-row[data-row="2"] rect.p-bar')
      .getAttribute('width');
    expect(Number(bar)).toBeGreaterThan(0);
    await screenshot(still.page, 'lesson0-reduced-motion-desktop');
    expect(still.errors).toEqual([]);
    await still.page.context().close();
  });

  it('drag and keyboard on the timeline, Play to the end, and a still print layout', async () => {
    const { page, errors } = await openPage(browser());
    await page.goto(`${inject('baseURL')}${PATH}`);
    const handle = page.getByRole('slider', { name: 'tokens read' });
    await handle.waitFor();
    // Drag the handle onto the last stop (on screen: the mouse only reaches the viewport).
    await handle.scrollIntoViewIfNeeded();
    const from = await handle.boundingBox();
    const to = await page.locator('.token-scrubber .stop').last().locator('circle').boundingBox();
    if (!from || !to) throw new Error('The timeline handle or its last stop has no box.');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, from.y + from.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect
      .poll(() => page.getByTestId('primer-status').textContent())
      .toBe('6 of 6 tokens read');
    await handle.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => handle.getAttribute('aria-valuenow')).toBe('4');
    // Play runs to the end by itself.
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('primer-status').textContent(), { timeout: 10_000 })
      .toBe('6 of 6 tokens read');
    await page.getByRole('button', { name: 'Play from the start' }).waitFor();

    // Print: no stepper or timeline, the diagram and its caption stay.
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.primer-stepper').isVisible()).resolves.toBe(false);
    await expect(page.locator('.token-scrubber').isVisible()).resolves.toBe(false);
    await expect(page.locator('.primer-screen-only').isVisible()).resolves.toBe(false);
    await expect(page.locator('svg.primer-diagram').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('primer-caption').isVisible()).resolves.toBe(true);
    await expect
      .poll(() => rowState(page, 5), { timeout: 5000 })
      .toEqual({ opacity: 1, y: await slotY(page, 5) });
    await screenshot(page, 'lesson0-print-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
