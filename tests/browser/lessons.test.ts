import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, openPage, screenshot } from './chromium';
import {
  checkLook,
  clippedEquations,
  lookAt,
  overflow,
  primerCloseUps,
  primerEquationCut,
  primerNumberPx,
  setTheme,
  suiteBrowser,
} from './lessonKit';
import { summarize } from '../shared/summarize';
import { measureEdits } from './lessonsLatency';
import { lessons } from '../../lessons/registry';

/** The lesson body is its own chunk: it has rendered once its first checkpoint is there. */
const bodyShown = (page: Page) => page.locator('.checkpoint').first().waitFor();

/** How many elements matching `selector` are displayed (laid out, not display: none). */
const shown = (page: Page, selector: string) =>
  page
    .locator(selector)
    .evaluateAll((els) => els.filter((e) => e.getClientRects().length > 0).length);

/**
 * A lesson's own checks in every look (its walk, desktop light, is in its own test), beside
 * checkLook's.
 */
const LOOK_CHECKS: Readonly<Record<string, (page: Page, look: string) => Promise<void>>> = {
  // The primer: the block equation whole, the diagram's numbers readable (≥ 9 px).
  'attention-primer': async (page, look) => {
    expect(await primerEquationCut(page)).toBeLessThanOrEqual(0);
    expect(await primerNumberPx(page)).toBeGreaterThanOrEqual(9);
    await primerCloseUps(page, look);
  },
  // Invert W_K: its display equations shown whole, not clipped or scrolled sideways.
  'invert-wk': async (page) => {
    expect(await clippedEquations(page)).toBe(0);
  },
};

describe('lessons in Chromium', () => {
  const browser = suiteBrowser();

  /** One page for a pass over every lesson, as a reader going from lesson to lesson. */
  function onePage(viewport: { width: number; height: number }, theme: 'light' | 'dark') {
    const opened: { page?: Page; errors: string[] } = { errors: [] };
    beforeAll(async () => {
      const { page, errors } = await openPage(browser(), viewport);
      await setTheme(page, theme);
      Object.assign(opened, { page, errors });
    });
    afterAll(async () => {
      await opened.page?.context().close();
    });
    return opened as { page: Page; errors: string[] };
  }

  describe('every lesson on desktop, light', () => {
    const opened = onePage(DESKTOP, 'light');

    for (const [i, l] of lessons.entries()) {
      it(`lesson ${i + 1} (${l.slug}): its checkpoints, equations, contents open, tab title, print layout; fits, readable`, async () => {
        const { page, errors } = opened;
        const path = `/lessons/${l.slug}`;
        await page.emulateMedia({ media: 'screen' });
        await page.goto(`${inject('baseURL')}${path}`);
        // The title's name in words (a typeset W_K is read from its words, not the formula).
        await page.getByRole('heading', { level: 1, name: l.title, exact: true }).waitFor();
        await expect.poll(() => page.title()).toBe(`${l.title} — Slim Attention Lab`);
        await bodyShown(page);
        // Every checkpoint of the lesson is on the page, and equations are rendered by KaTeX.
        expect(await page.locator('.checkpoint').count()).toBe(l.checkpoints.length);
        expect(await page.locator('.katex').count()).toBeGreaterThan(0);
        // The contents start open on a desktop (folded on a phone: below).
        const tocOpen = await page
          .locator('.lesson-toc details')
          .evaluate((d) => d.hasAttribute('open'));
        expect(tocOpen).toBe(true);
        // Nothing is wider than the screen (no sideways scrolling of the whole page).
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `lesson${i + 1}-desktop`);

        // Printed: without navigation or buttons, with its charts and predictions.
        await page.emulateMedia({ media: 'print' });
        expect(await shown(page, 'button, nav, .app-header')).toBe(0);
        expect(await shown(page, '[data-checkpoint]')).toBe(l.checkpoints.length);
        expect(await shown(page, '.plot-figure')).toBe(await page.locator('.plot-figure').count());

        // On screen again, every prediction revealed: fits, readable, no console error.
        await page.emulateMedia({ media: 'screen' });
        await checkLook(page, errors, `${path} (desktop, light)`, 'light');
        await LOOK_CHECKS[l.slug]?.(page, 'desktop-light');
      });
    }
  });

  // The other looks: each lesson loaded, its predictions revealed, checked (checkLook).
  for (const [size, theme] of [
    ['desktop', 'dark'],
    ['phone', 'light'],
    ['phone', 'dark'],
  ] as const) {
    describe(`every lesson on ${size === 'phone' ? 'a phone' : size}, ${theme}`, () => {
      const opened = onePage(size === 'phone' ? PHONE : DESKTOP, theme);

      for (const [i, l] of lessons.entries()) {
        it(`lesson ${i + 1} (${l.slug}): contents ${size === 'phone' ? 'folded' : 'open'}, fits the screen, readable, no console errors`, async () => {
          const { page, errors } = opened;
          const path = `/lessons/${l.slug}`;
          await page.goto(`${inject('baseURL')}${path}`);
          await bodyShown(page);
          expect(
            await page.getByRole('heading', { level: 1, name: l.title, exact: true }).count(),
          ).toBe(1);
          // The contents start open on a desktop and folded on a phone.
          const tocOpen = await page
            .locator('.lesson-toc details')
            .evaluate((d) => d.hasAttribute('open'));
          expect(tocOpen).toBe(size === 'desktop');
          await checkLook(page, errors, `${path} (${size}, ${theme})`, theme);
          await LOOK_CHECKS[l.slug]?.(page, `${size}-${theme}`);
          await screenshot(page, `lesson${i + 1}-${size}-${theme}`);
        });
      }
    });
  }

  it('lists every lesson in the index (desktop and phone)', async () => {
    for (const viewport of [undefined, PHONE]) {
      const { page, errors } = await openPage(browser(), viewport);
      await page.goto(`${inject('baseURL')}/lessons`);
      // The index is its own chunk: wait until it has rendered.
      await page.locator('.lesson-list li').first().waitFor();
      expect(await page.locator('.lesson-list li').count()).toBe(lessons.length);
      await expect.poll(() => page.title()).toBe('Lessons — Slim Attention Lab');
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, `lessons-index-${viewport ? 'phone' : 'desktop'}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('edits W_K in lesson 2, breaks it, and measures edit-to-DOM latency', async () => {
    const { page, errors } = await openPage(browser());
    await page.goto(`${inject('baseURL')}/lessons/invert-wk`);
    const det = page.getByTestId('det-exact');
    const detBefore = await det.textContent();
    const cell = page.getByLabel('W_K row 2 column 3');
    await cell.fill(String(Number(await cell.inputValue()) + 1));
    await expect.poll(() => det.textContent()).not.toBe(detBefore);
    // The edit reaches the address bar once typing pauses.
    await expect.poll(() => page.url()).toContain('wk=');
    // The inverse and W_KV show once the question above them is answered.
    const inverseCp = page.locator('section.checkpoint', { hasText: 'what kind of numbers' });
    await inverseCp.getByRole('radio').first().check();
    await inverseCp.getByRole('button', { name: 'Reveal the answer' }).click();

    // Ten keyboard edits, each followed (measureEdits fails otherwise) by a new determinant,
    // inverse and W_KV; the times are reported, not asserted (bench/lessons-bench.ts measures).
    const times = await measureEdits(page, {
      cell: 'W_K row 2 column 3',
      watch: [
        '[data-testid="det-exact"]',
        'table[aria-label="W_K inverse"]',
        'table[aria-label="W_KV"]',
      ],
      edits: 10,
      settle: 'frames',
    });
    expect(times).toHaveLength(10);
    expect(times.every((t) => Number.isFinite(t.dom) && t.dom >= 0 && t.frame >= t.dom)).toBe(true);
    const { median } = summarize(times.map((t) => t.dom));
    console.log(`lesson 2 edit → DOM update: median ${median.toFixed(1)} ms over 10 edits`);

    await page.goto(`${inject('baseURL')}/lessons/invert-wk`);
    await page.getByRole('button', { name: /Break it/ }).click();
    // W_K is typeset (KaTeX): its text is KaTeX's, not "W_K".
    await expect(page.locator('.singular-explanation').textContent()).resolves.toMatch(
      /Row 2 and row 4 of .+ are equal/,
    );
    await screenshot(page, 'lesson2-singular-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('keyboard: tab into an editor, arrows change a cell, the focus ring shows', async () => {
    const { page, errors } = await openPage(browser());
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
    const { page, errors } = await openPage(browser());
    await page.goto(`${inject('baseURL')}/lessons/generate`);
    await page.locator('details.weights-panel > summary').click();
    await page.getByLabel('W_Q row 2 column 1').fill('2');
    // The max |Δ| table shows once the "how far apart" question is answered.
    const agreeCp = page.locator('section.checkpoint', { hasText: 'how far apart' });
    await agreeCp.getByRole('radio').first().check();
    await agreeCp.getByRole('button', { name: 'Reveal the answer' }).click();
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

  it('next, previous and the contents open a lesson at the top, titled in the tab', async () => {
    const { page, errors } = await openPage(browser());
    await page.goto(`${inject('baseURL')}/lessons/why-the-cache-dominates`);
    await page.locator('.checkpoint').first().waitFor();
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
    await page.getByRole('link', { name: 'Invert W_K →' }).click();
    await expect.poll(() => page.title()).toBe('Invert W_K — Slim Attention Lab');
    await page.locator('.checkpoint').first().waitFor();
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page
      .getByRole('navigation', { name: 'Lessons' })
      .getByRole('link', { name: 'Generate' })
      .click();
    await expect.poll(() => page.title()).toBe('Generate — Slim Attention Lab');
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('phone: lesson 2 fits the screen, its equation whole, the message a sentence', async () => {
    // Every look of Invert W_K (the phone, dark, included): the passes above.
    const { page, errors } = await openPage(browser(), PHONE);
    await setTheme(page, 'light');
    await page.goto(`${inject('baseURL')}/lessons/invert-wk`);
    await page.locator('.checkpoint').first().waitFor();
    // No display equation is clipped: each shows its whole width without scrolling.
    expect(await clippedEquations(page)).toBe(0);
    await screenshot(page, 'lesson2-phone-light');
    await page.getByRole('button', { name: /Break it/ }).click();
    const message = await page.locator('.singular-explanation p').first().textContent();
    expect(message).toMatch(/^Row 2 and row 4 of .+ are equal/);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'lesson2-singular-phone-light');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a near-singular W_K in Prefill keeps the lesson and logs no error (desktop; phone: fits)', async () => {
    const path = '/lessons/prefill?wk=1,0,0,0;0,1,0,0;0,0,1,0;0,0,0,1e-13';
    const { page, errors } = await openPage(browser());
    await page.goto(`${inject('baseURL')}${path}`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('has no usable inverse');
    expect(await page.getByText('The engine refuses these weights').count()).toBe(0);
    await page.locator('details.weights-panel > summary').click();
    await expect(page.getByLabel('W_K row 4 column 4').inputValue()).resolves.toBe('1e−13');
    await screenshot(page, 'lesson3-near-singular-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
    // On a phone the lesson with its notice fits the screen, readable, with no error.
    await lookAt(browser(), path, 'phone', 'light', (p) => p.getByRole('alert').waitFor());
  });

  it('subnormal weights in a link are refused with a message in lessons 2–5, no NaN', async () => {
    const { page, errors } = await openPage(browser(), PHONE);
    const wk = '1e-310,0,0,0;0,1e-310,0,0;0,0,1e-310,0;0,0,0,1e-310';
    for (const slug of ['invert-wk', 'prefill', 'generate', 'many-heads']) {
      await page.goto(`${inject('baseURL')}/lessons/${slug}?wk=${wk}`);
      // W_K is typeset (KaTeX): its text is KaTeX's, not "W_K".
      await expect(page.locator('.link-weights-notice').textContent()).resolves.toMatch(
        /The link’s .+ was not used: its entry 1e−310 is too close to zero/,
      );
      const text = await page.locator('main').textContent();
      expect(text).not.toMatch(/NaN|fromArray|refuses these weights/);
    }
    await page.goto(`${inject('baseURL')}/lessons/invert-wk?wk=${wk}`);
    await page.locator('.link-weights-notice').waitFor();
    await screenshot(page, 'lesson2-subnormal-link-phone');
    // Typed into a cell: refused with a message, the last valid value kept.
    const cell = page.getByLabel('W_K row 1 column 1');
    await cell.fill('1e-310');
    await expect(page.locator('.cell-error').textContent()).resolves.toContain(
      'is too close to zero to compute with',
    );
    expect(await page.getByTestId('det-exact').textContent()).toBe('1');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('lesson 4 shows the KV-cache as K and V halves (desktop, dark)', async () => {
    // The other looks of Generate: the passes above.
    const { page, errors } = await openPage(browser());
    await setTheme(page, 'dark');
    await page.goto(`${inject('baseURL')}/lessons/generate?gen=1`);
    // The lesson body is its own chunk: wait until it has rendered.
    await page.locator('section[aria-label="standard KV-cache, V half"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await page.locator('section[aria-label^="standard KV-cache"]').count()).toBe(2);
    expect(
      await page.locator('section[aria-label="standard KV-cache, V half"] .cache-rows li').count(),
    ).toBe(4);
    await page.locator('section[aria-label="Standard attention caches"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'lesson4-cache-halves-desktop-dark');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
