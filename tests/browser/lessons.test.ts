import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DESKTOP, PHONE, launchChromium, openPage, screenshot } from './chromium';
import { measureEdits, summarize } from './lessonsLatency';
import { lessons } from '../../lessons/registry';

describe('lessons in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('opens every lesson on desktop and phone with no console errors', async () => {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const { page, errors } = await openPage(browser, viewport);
      for (const [i, l] of lessons.entries()) {
        await page.goto(`${inject('baseURL')}/lessons/${l.slug}`);
        await expect(page.locator('#lesson-title').textContent()).resolves.toBe(l.title);
        // The lesson body is its own chunk: wait until it has rendered.
        await page.locator('.checkpoint').first().waitFor();
        // Every checkpoint of the lesson is on the page, and equations are rendered by KaTeX.
        expect(await page.locator('.checkpoint').count()).toBe(l.checkpoints.length);
        expect(await page.locator('.katex').count()).toBeGreaterThan(0);
        // The contents start open on a desktop and folded on a phone.
        const tocOpen = await page
          .locator('.lesson-toc details')
          .evaluate((d) => d.hasAttribute('open'));
        expect(tocOpen).toBe(size === 'desktop');
        // Nothing is wider than the screen (no sideways scrolling of the whole page).
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow).toBeLessThanOrEqual(0);
        await screenshot(page, `lesson${i + 1}-${size}`);
      }
      await page.goto(`${inject('baseURL')}/lessons`);
      // The index page is its own chunk: wait for it before counting.
      await page.locator('.lesson-list').waitFor();
      expect(await page.locator('.lesson-list li').count()).toBe(lessons.length);
      await screenshot(page, `lessons-index-${size}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('edits W_K in lesson 2, breaks it, and measures edit-to-DOM latency', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${inject('baseURL')}/lessons/invert-wk`);
    const det = page.getByTestId('det-exact');
    const detBefore = await det.textContent();
    const cell = page.getByLabel('W_K row 2 column 3');
    await cell.fill(String(Number(await cell.inputValue()) + 1));
    await expect.poll(() => det.textContent()).not.toBe(detBefore);
    // The edit reaches the address bar once typing pauses.
    await expect.poll(() => page.url()).toContain('wk=');

    const times = await measureEdits(page, {
      cell: 'W_K row 2 column 3',
      watch: [
        '[data-testid="det-exact"]',
        'table[aria-label="W_K inverse"]',
        'table[aria-label="W_KV"]',
      ],
      edits: 10,
    });
    const { median } = summarize(times.map((t) => t.dom));
    console.log(`lesson 2 edit → DOM update: median ${median.toFixed(1)} ms over 10 edits`);
    // Loose: a smoke check that the measurement runs (bench/lessons-bench.ts reports timings).
    expect(median).toBeLessThan(1000);

    await page.goto(`${inject('baseURL')}/lessons/invert-wk`);
    await page.getByRole('button', { name: /Break it/ }).click();
    await expect(page.locator('.singular-explanation').textContent()).resolves.toContain(
      'row 2 and row 4 of W_K are equal',
    );
    await screenshot(page, 'lesson2-singular-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('keyboard: tab into an editor, arrows change a cell, the focus ring shows', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${inject('baseURL')}/lessons/invert-wk`);
    const first = page.getByLabel('W_K row 1 column 1');
    await first.focus();
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    await expect(focused.getAttribute('aria-label')).resolves.toBe('W_K row 1 column 2');
    const start = Number(await focused.inputValue());
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => focused.inputValue()).toBe(String(start + 1));
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => focused.inputValue().then(Number)).toBeCloseTo(start + 0.9, 10);
    // Keyboard focus is visible: a non-zero outline on the focused cell.
    const outline = await focused.evaluate((el) => getComputedStyle(el).outlineWidth);
    expect(parseFloat(outline)).toBeGreaterThan(0);
    await screenshot(page, 'lesson2-focus-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('steps through generate with edited weights, all three paths agreeing', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${inject('baseURL')}/lessons/generate`);
    await page.locator('details.weights-panel > summary').click();
    await page.getByLabel('W_Q row 2 column 1').fill('2');
    for (let s = 1; s <= 3; s++) {
      await page.getByRole('button', { name: /^Generate/ }).click();
      await expect
        .poll(() => page.getByTestId('generate-status').textContent())
        .toContain(`n = ${3 + s}`);
      for (const id of ['diff-float64-o1-std', 'diff-float64-o2-std']) {
        const d = Number((await page.getByTestId(id).textContent())?.replace('−', '-'));
        expect(d).toBeLessThan(1e-12);
      }
    }
    await expect.poll(() => page.url()).toContain('gen=3');
    expect(page.url()).toContain('wq=');
    await screenshot(page, 'lesson4-step3-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('renders the dark theme on a phone', async () => {
    const { page, errors } = await openPage(browser, PHONE);
    await page.addInitScript(() => localStorage.setItem('slim-lab-theme', 'dark'));
    await page.goto(`${inject('baseURL')}/lessons/generate?gen=2`);
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset.theme))
      .toBe('dark');
    await screenshot(page, 'lesson4-phone-dark');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
