import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PHONE, SCREENSHOTS, SCREENSHOT_DIR, openPage, screenshot } from './chromium';
import { suiteBrowser } from './suiteBrowser';
import { lessons } from '../../lessons/registry';
import { PRINT_CHART_WIDTH } from '../../components/charts/chartScale';

/** Keeps a printed handout beside the screenshots, when they are asked for (SCREENSHOTS=1). */
function savePdf(pdf: Buffer, name: string) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(`${SCREENSHOT_DIR}/${name}.pdf`, pdf);
}

/** A classroom projector. */
const PROJECTOR = { width: 1920, height: 1080 };
const MIN_PX = 20;

const counter = (page: Page) => page.getByTestId('present-counter');

/** [step, of] from the counter "3 / 12". */
async function position(page: Page): Promise<[number, number]> {
  const m = /^(\d+) \/ (\d+)$/.exec((await counter(page).textContent()) ?? '');
  if (!m) throw new Error(`The step counter reads “${await counter(page).textContent()}”.`);
  return [Number(m[1]), Number(m[2])];
}

/** Waits until the lesson chunk has rendered and its steps are counted. */
async function waitForDeck(page: Page): Promise<void> {
  await counter(page).waitFor();
  await page.locator('[data-checkpoint]').first().waitFor({ state: 'attached' });
  await expect.poll(async () => (await position(page))[1]).toBeGreaterThan(2);
}

/** How many top-level blocks of the lesson body are displayed. */
const shownBlocks = (page: Page) =>
  page
    .locator('[data-lesson-body]')
    .evaluate((b) => Array.from(b.children).filter((c) => c.getClientRects().length > 0).length);

/**
 * Waits until nothing in the lesson body is loading (lessons that run the default models add
 * their blocks once the weights are in, and the deck grows with them).
 */
const settled = (page: Page) =>
  expect
    .poll(() => page.locator('[data-lesson-body] [aria-busy="true"]').count(), { timeout: 60_000 })
    .toBe(0);

/**
 * Steps forward to the end, skipping every prediction; returns the number of skips. Runs in the
 * page, one step per change of the counter: → pressed with nothing focused (keys typed in an
 * editor stay there, so it leaves the editor first, as a presenter would), or "Skip" clicked
 * where a prediction gates the next step.
 */
async function walkToEnd(page: Page): Promise<number> {
  await settled(page);
  const walked = await page.evaluate(async () => {
    const position = () => {
      const text = document.querySelector('[data-testid="present-counter"]')?.textContent ?? '';
      const m = /^(\d+) \/ (\d+)$/.exec(text);
      if (!m) throw new Error(`The step counter reads “${text}”.`);
      return [Number(m[1]), Number(m[2])];
    };
    const skipButton = () =>
      [...document.querySelectorAll<HTMLButtonElement>('.present-bar button')].find(
        (b) => b.textContent?.trim() === 'Skip',
      );
    /** Resolves once the counter no longer reads step `at` (React commits a step at once). */
    const moved = (at: number) =>
      new Promise<void>((resolve, reject) => {
        if (position()[0] !== at) return resolve();
        const observer = new MutationObserver(() => {
          if (position()[0] === at) return;
          observer.disconnect();
          clearTimeout(stuck);
          resolve();
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        const stuck = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`The presentation stayed at step ${at}.`));
        }, 10_000);
      });
    let skips = 0;
    for (let guard = 0; guard < 200; guard++) {
      const [at, of] = position();
      if (at === of) return { skips, at, of };
      const skip = skipButton();
      if (skip) {
        skip.click();
        skips++;
      } else {
        (document.activeElement as HTMLElement | null)?.blur();
        document.body.dispatchEvent(
          new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, cancelable: true }),
        );
      }
      await moved(at);
      if (position()[0] !== at + 1)
        throw new Error(`Step ${at} of ${of}: the counter reads ${position().join(' / ')}.`);
    }
    return { skips, at: position()[0], of: position()[1] };
  });
  expect(walked.at, 'the presentation reached its last step in 200 steps').toBe(walked.of);
  return walked.skips;
}

/** The rendered size of a text node's glyphs: computed size × the SVG's on-screen scale. */
const renderedFontPx = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((els) =>
    els
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => {
        const size = parseFloat(getComputedStyle(el).fontSize);
        const svg = el.closest('svg');
        const scale = svg ? (svg.getScreenCTM()?.a ?? 1) : 1;
        return size * scale;
      }),
  );

/** True when the revealed answer on screen ends above the control bar (nothing under it). */
const answerClearOfBar = (page: Page) =>
  page.evaluate(() => {
    const results = [...document.querySelectorAll('.checkpoint-result')].filter(
      (r) => r.getClientRects().length > 0,
    );
    const answer = results.at(-1)?.getBoundingClientRect();
    const bar = document.querySelector('.present-bar')?.getBoundingClientRect();
    return !!answer && !!bar && answer.bottom <= bar.top && answer.top >= 0;
  });

describe('classroom mode in Chromium', () => {
  const browser = suiteBrowser();
  const base = () => inject('baseURL');

  it('presents lesson 1 from its button: large type, keys step, a prediction gates, Esc leaves', async () => {
    const { page, errors } = await openPage(browser(), PROJECTOR);
    // Steps come into view at once (no smooth scroll), so their place can be measured.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(`${base()}/lessons/why-the-cache-dominates`);
    await page.locator('.checkpoint').first().waitFor();
    const blocksOnPage = await shownBlocks(page);
    await page.getByRole('button', { name: 'Present' }).click();
    await expect.poll(() => page.url()).toContain('present');
    // The click allows full screen, and the mode takes it.
    await expect
      .poll(() => page.evaluate(() => document.fullscreenElement?.tagName ?? null))
      .toBe('HTML');
    await expect(counter(page).isVisible()).resolves.toBe(true);
    // No header, contents, tools, pager or footer: the lesson alone.
    for (const sel of [
      '.app-header',
      '.lesson-toc',
      '.lesson-tools',
      '.lesson-pager',
      '.app-footer',
    ])
      expect(await page.locator(sel).isVisible(), sel).toBe(false);
    // The deck is read from the lesson body once it has rendered: wait for the counter.
    await expect.poll(async () => (await position(page))[0]).toBe(1);
    const [, total] = await position(page);
    expect(total).toBeGreaterThan(4);
    const shownAtStart = await shownBlocks(page);
    expect(shownAtStart).toBeLessThan(blocksOnPage);
    await screenshot(page, 'present-lesson1-step1');

    // → and Space step forward, ← back; each step shows more of the body.
    await page.keyboard.press('ArrowRight');
    expect((await position(page))[0]).toBe(2);
    expect(await shownBlocks(page)).toBeGreaterThan(shownAtStart);
    await page.keyboard.press(' ');
    expect((await position(page))[0]).toBe(3);
    await page.keyboard.press('ArrowLeft');
    expect((await position(page))[0]).toBe(2);

    // Forward until the first prediction: there the next step is blocked until it is answered.
    const checkpoint = page.locator('[data-checkpoint]').first();
    for (let i = 0; i < total && !(await page.locator('.present-hint').isVisible()); i++)
      await page.keyboard.press('ArrowRight');
    await expect(checkpoint.isVisible()).resolves.toBe(true);
    const [gateStep] = await position(page);
    const blocksAtGate = await shownBlocks(page);
    // The block after the prediction is hidden; the hint says what to do.
    const afterCheckpoint = await page
      .locator('[data-lesson-body] > [data-checkpoint] + *')
      .first()
      .isVisible();
    expect(afterCheckpoint).toBe(false);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press(' ');
    expect((await position(page))[0]).toBe(gateStep);
    expect(await shownBlocks(page)).toBe(blocksAtGate);
    await expect(page.locator('.present-hint').textContent()).resolves.toContain(
      'Answer the prediction first',
    );
    await expect(page.getByRole('button', { name: 'Next step' }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'present-lesson1-gate');
    // The hint leaves the prediction in view, and its radio circles read from the back.
    const hintBox = await page.locator('.present-hint').boundingBox();
    const cpBox = await checkpoint.boundingBox();
    expect(hintBox!.y).toBeGreaterThanOrEqual(cpBox!.y + cpBox!.height);
    const radio = await checkpoint.getByRole('radio').first().boundingBox();
    expect(Math.min(radio!.width, radio!.height)).toBeGreaterThanOrEqual(MIN_PX);
    // Answer it: pick a choice (a radio keeps its arrow keys), reveal, then step on.
    await checkpoint.locator('.checkpoint-choice').first().click();
    await page.keyboard.press('ArrowRight'); // moves within the radio group, not the deck
    expect((await position(page))[0]).toBe(gateStep);
    await checkpoint.getByRole('button', { name: 'Reveal the answer' }).click();
    await expect(page.locator('.present-hint').count()).resolves.toBe(0);
    // The answer comes into view above the control bar.
    await expect.poll(() => answerClearOfBar(page)).toBe(true);
    await screenshot(page, 'present-1920-revealed', { fullPage: false });
    await page.keyboard.press('ArrowRight');
    expect((await position(page))[0]).toBe(gateStep + 1);

    // A clicker after a slider is dragged: PageDown and → move the deck, not the slider.
    const slider = page.locator('[data-lesson-body] input[type="range"]').first();
    for (let i = 0; i < total && !(await slider.isVisible()); i++)
      await page.keyboard.press('PageDown');
    await slider.scrollIntoViewIfNeeded();
    const box = (await slider.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('range');
    const dragged = await slider.inputValue();
    const [atSlider] = await position(page);
    await page.keyboard.press('PageDown');
    expect((await position(page))[0]).toBe(atSlider + 1);
    await page.keyboard.press('PageUp');
    expect((await position(page))[0]).toBe(atSlider);
    await page.keyboard.press('ArrowRight');
    expect((await position(page))[0]).toBe(atSlider + 1);
    await page.keyboard.press('ArrowLeft');
    expect((await position(page))[0]).toBe(atSlider);
    expect(await slider.inputValue()).toBe(dragged);
    // Escape leaves the slider first; the deck stays.
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBeNull();
    expect(await page.locator('.present-bar').count()).toBe(1);

    // Type: body text, the numbers, chart tick labels and legend ≥ 20 px on a 1920 × 1080 screen.
    await walkToEnd(page);
    expect(await shownBlocks(page)).toBe(blocksOnPage);
    const sizes = {
      body: await renderedFontPx(page, '[data-lesson-body] > p'),
      small: await renderedFontPx(page, '[data-lesson-body] .small'),
      numbers: await renderedFontPx(page, '[data-lesson-body] dd, [data-lesson-body] dt'),
      ticks: await renderedFontPx(page, '.plot-figure svg [aria-label$="tick label"] text'),
      legend: await renderedFontPx(page, '.plot-figure [class*="-swatches"] > *'),
    };
    console.log(
      'lesson 1 presented at 1920×1080, smallest rendered font (px):',
      Object.fromEntries(Object.entries(sizes).map(([k, v]) => [k, Math.min(...v).toFixed(1)])),
    );
    for (const [what, list] of Object.entries(sizes)) {
      expect(list.length, what).toBeGreaterThan(0);
      expect(Math.min(...list), what).toBeGreaterThanOrEqual(MIN_PX);
    }
    await screenshot(page, 'present-lesson1-end');

    // Escape leaves (full screen, then the mode): the header is back and the address no longer
    // asks for presentation mode.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.present-bar').count()).toBe(0);
    expect(await page.evaluate(() => document.fullscreenElement)).toBeNull();
    await expect(page.locator('.app-header').isVisible()).resolves.toBe(true);
    expect(new URL(page.url()).searchParams.has('present')).toBe(false);
    expect(await shownBlocks(page)).toBe(blocksOnPage);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('opens lesson 2 from ?present; matrices are large and editing one does not change step', async () => {
    const { page, errors } = await openPage(browser(), PROJECTOR);
    await page.goto(`${base()}/lessons/invert-wk?present`);
    await waitForDeck(page);
    expect(await page.locator('.app-header').isVisible()).toBe(false);
    expect((await position(page))[0]).toBe(1);
    // Opened from a link, full screen depends on the browser's activation rules: when it was
    // refused, the bar offers it, and one click takes it.
    const fullScreenButton = page.getByRole('button', { name: 'Full screen' });
    // The request may still be settling when the deck is built: wait until the page shows
    // either full screen or the button that offers it.
    await expect
      .poll(
        async () =>
          (await page.evaluate(() => document.fullscreenElement !== null)) ||
          (await fullScreenButton.count()) === 1,
      )
      .toBe(true);
    const refused = await page.evaluate(() => document.fullscreenElement === null);
    if (refused) await fullScreenButton.click();
    await expect
      .poll(() => page.evaluate(() => document.fullscreenElement?.tagName ?? null))
      .toBe('HTML');
    // The bar re-renders after the fullscreenchange event: the button goes then.
    await expect.poll(() => fullScreenButton.count()).toBe(0);
    // Skip the predictions up to the weights editor; a skipped prediction keeps its answer hidden.
    const cell = page.getByLabel('W_K row 2 column 3');
    let skipped = 0;
    for (let i = 0; i < 40 && !(await cell.isVisible()); i++) {
      if (await page.getByRole('button', { name: 'Skip' }).isVisible()) {
        await page.getByRole('button', { name: 'Skip' }).click();
        skipped++;
      } else await page.keyboard.press('ArrowRight');
    }
    await expect(cell.isVisible()).resolves.toBe(true);
    if (skipped > 0) expect(await page.locator('.checkpoint-result').count()).toBe(0);
    const [at] = await position(page);
    const det = page.getByTestId('det-exact');
    await cell.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press(' ');
    expect((await position(page))[0]).toBe(at);
    await cell.fill('7');
    await walkToEnd(page);
    await expect.poll(() => det.isVisible()).toBe(true);
    expect(await cell.inputValue()).toBe('7');
    const sizes = {
      'matrix cells': await renderedFontPx(page, '[data-lesson-body] table td'),
      'matrix editor': await renderedFontPx(
        page,
        '[data-lesson-body] input[type="text"], [data-lesson-body] input[inputmode]',
      ),
      ticks: await renderedFontPx(page, '.plot-figure svg [aria-label$="tick label"] text'),
    };
    console.log(
      'lesson 2 presented at 1920×1080, smallest rendered font (px):',
      Object.fromEntries(Object.entries(sizes).map(([k, v]) => [k, Math.min(...v).toFixed(1)])),
    );
    for (const [what, list] of Object.entries(sizes)) {
      expect(list.length, what).toBeGreaterThan(0);
      expect(Math.min(...list), what).toBeGreaterThanOrEqual(MIN_PX);
    }
    await screenshot(page, 'present-lesson2-end');
    // The "Leave" button leaves too, and full screen with it.
    await page.getByRole('button', { name: 'Leave (Esc)' }).click();
    await expect.poll(() => page.locator('.present-bar').count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
    expect(await cell.inputValue()).toBe('7');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('presents on a phone: the control bar whole on screen, a revealed answer above it', async () => {
    const { page, errors } = await openPage(browser(), PHONE);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(`${base()}/lessons/why-the-cache-dominates?present`);
    await waitForDeck(page);
    const hint = page.locator('.present-hint');
    for (let i = 0; i < 20 && !(await hint.isVisible()); i++) await page.keyboard.press('PageDown');
    const checkpoint = page.locator('[data-checkpoint]').first();
    await checkpoint.locator('.checkpoint-choice').first().click();
    await checkpoint.getByRole('button', { name: 'Reveal the answer' }).click();
    await expect.poll(() => answerClearOfBar(page)).toBe(true);
    const outside = await page
      .locator('.present-bar button, .present-counter')
      .evaluateAll((els) =>
        els
          .map((el) => el.getBoundingClientRect())
          .filter(
            (r) => r.left < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight,
          ),
      );
    expect(outside).toEqual([]);
    await screenshot(page, 'present-390-revealed', { fullPage: false });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('walks every lesson to its last step in presentation mode (dark theme) with no console errors', async () => {
    const { page, errors } = await openPage(browser(), PROJECTOR);
    await page.addInitScript(() => localStorage.setItem('slim-lab-theme', 'dark'));
    for (const l of lessons) {
      await page.goto(`${base()}/lessons/${l.slug}?present`);
      await waitForDeck(page);
      const skips = await walkToEnd(page);
      // Every prediction before the last step was a gate that needed its skip, and the end
      // shows the whole lesson.
      const lastIsPrediction = await page
        .locator('[data-lesson-body] > :last-child')
        .evaluate(
          (el) => el.matches('[data-checkpoint]') || !!el.querySelector('[data-checkpoint]'),
        );
      expect(skips, l.slug).toBe(l.checkpoints.length - (lastIsPrediction ? 1 : 0));
      expect(await page.locator('[data-checkpoint]').count(), l.slug).toBe(l.checkpoints.length);
      await screenshot(page, `present-${l.slug}-dark`);
      const all = await page.locator('[data-lesson-body]').evaluate((b) => b.children.length);
      expect(await shownBlocks(page), l.slug).toBe(all);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('prints tables whole (first and last rows on one page of the PDF) and long ones unclipped', async () => {
    const { page, errors } = await openPage(browser());
    let checked = 0;
    for (const path of ['/lessons/schemes', '/lessons/gqa', '/lessons/precision']) {
      await page.emulateMedia({ media: 'screen' });
      await page.goto(base() + path);
      await page.locator('table').first().waitFor({ state: 'attached' });
      await page.emulateMedia({ media: 'print' });
      await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
      // Per printed table: the words of its first body row and of its last row.
      const tables = await page.locator('table').evaluateAll((ts) =>
        ts
          .filter((t) => t.getClientRects().length > 0)
          .map((t) => {
            const rows = [...t.querySelectorAll('tr')];
            const words = (r: Element | undefined) =>
              ((r as HTMLElement | undefined)?.innerText ?? '').split(/\s+/).filter(Boolean);
            return {
              name:
                t.getAttribute('aria-label') ??
                (t as HTMLTableElement).caption?.innerText ??
                words(rows[0]).join(' '),
              rows: rows.length,
              first: words(rows[Math.min(1, rows.length - 1)]),
              last: words(rows.at(-1)),
            };
          }),
      );
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
      const pages = execFileSync('pdftotext', ['-', '-'], { input: pdf, encoding: 'utf8' })
        .split('\f')
        .map((p) => p.split(/\s+/));
      const all = pages.flat();
      // A word printed once in the whole PDF pins its row to one page.
      const pageOf = (words: string[]) => {
        const once = words.find((w) => w.length >= 3 && all.filter((x) => x === w).length === 1);
        return once === undefined ? undefined : pages.findIndex((p) => p.includes(once));
      };
      for (const t of tables) {
        const [a, b] = [pageOf(t.first), pageOf(t.last)];
        if (a === undefined || b === undefined) continue;
        const where = `${path}: table “${t.name}” starts on page ${a + 1}, ends on ${b + 1}`;
        // A table longer than a page (the GQA catalog) runs on, its last row printed after its first.
        if (t.rows > 30) expect(b, where).toBeGreaterThan(a);
        else expect(b, where).toBe(a);
        checked++;
      }
    }
    console.log(`printed tables checked whole: ${checked}`);
    expect(checked).toBeGreaterThanOrEqual(8);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('prints a handout before answering: every chart and result, predictions as questions; an answer key adds the answers', async () => {
    const { page, errors } = await openPage(browser());
    await page.addInitScript(() => localStorage.setItem('slim-lab-theme', 'dark'));
    await page.goto(`${base()}/lessons/why-the-cache-dominates?ctx=14`);
    // The reader answers the second prediction wrongly on screen; the first stays unanswered.
    const speedup = page.locator('section.checkpoint').nth(1);
    await speedup.locator('.checkpoint-choice:not(.right)').first().click();
    await speedup.getByRole('button', { name: 'Reveal the answer' }).click();
    const wrong = await speedup.getByRole('status').textContent();
    const onScreen = await page.getByTestId('kv-bytes').textContent();
    // On screen the chart waits for the first prediction.
    const chartsOnScreen = await page.locator('.plot-figure svg').count();
    await page.emulateMedia({ media: 'print' });
    // As a browser does when it prints: the printout is rendered in `beforeprint`.
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    for (const sel of ['.app-header', '.lesson-toc', '.lesson-pager', '.theme-toggle', 'nav'])
      expect(await page.locator(sel).first().isVisible(), sel).toBe(false);
    const visibleButtons = await page
      .locator('button')
      .evaluateAll((bs) => bs.filter((b) => b.getClientRects().length > 0).length);
    expect(visibleButtons).toBe(0);
    // Every chart, the held-back one too, laid out again at the page's width.
    const charts = page.locator('.plot-figure svg');
    expect(await charts.count()).toBeGreaterThan(chartsOnScreen);
    for (const w of await charts.evaluateAll((svgs) =>
      svgs.map((svg) => Number(svg.getAttribute('width'))),
    )) {
      expect(w).toBeGreaterThan(0);
      expect(w).toBeLessThanOrEqual(PRINT_CHART_WIDTH);
    }
    // The predictions as questions: the on-screen ones (with the reader's pick) are hidden.
    expect(await page.locator('.checkpoint-print').count()).toBe(2);
    expect(await page.locator('[data-checkpoint]').first().isVisible()).toBe(false);
    // Numbers as on screen (the context from the link), the paper's address written out.
    expect(await page.getByTestId('kv-bytes').textContent()).toBe(onScreen);
    const cited = await page
      .locator('.app-footer a')
      .evaluate((a) => getComputedStyle(a, '::after').content);
    expect(cited).toContain('https://arxiv.org/abs/2503.05840');
    const paper = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(paper).toBe('rgb(255, 255, 255)');
    // Sliders print as their values; the chip select as the chip's name.
    expect(await page.locator('input[type="range"]').first().isVisible()).toBe(false);
    const chip = await page
      .locator('select')
      .first()
      .evaluate((s: HTMLSelectElement) => s.selectedOptions[0].text);
    await expect(page.locator('.print-value', { hasText: chip }).count()).resolves.toBe(1);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    savePdf(pdf, 'lesson1-handout');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' });
    const pages = text.split('\f').filter((p) => p.trim() !== '');
    console.log(`lesson 1 handout: ${pages.length} A4 pages, ${pdf.length} bytes`);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    // The printed text carries the numbers, the predictions and the paper's link, and neither the
    // reader's verdict nor a note that something waits for an answer.
    expect(text).toContain('https://arxiv.org/abs/2503.05840');
    expect(text).toContain('Predict');
    expect(text.replace(/\s+/g, ' ')).toContain(onScreen?.trim());
    expect(text).not.toMatch(/Reveal the answer|Reset to the defaults|Skip to content/);
    expect(wrong).toMatch(/^Not quite\./);
    expect(text).not.toMatch(/Not quite|Right\.|Answer\.|once the question|is answered/);
    // No page holds only the footer: the last one has lesson text above it.
    const lastPage = pages
      .at(-1)!
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(
      lastPage.filter((l) => !/2503\.05840|Slim Attention Lab/.test(l)).length,
    ).toBeGreaterThan(2);
    // Closing the print dialog puts the page back as it was.
    await page.emulateMedia({ media: 'screen' });
    expect(await page.locator('.plot-figure svg').count()).toBe(chartsOnScreen);
    expect(await page.locator('.checkpoint-print, .print-value').count()).toBe(0);

    // The answer key, from its button: the answers are on paper.
    await page.evaluate(() => {
      window.print = () => void window.dispatchEvent(new Event('beforeprint'));
    });
    await page.getByRole('button', { name: 'Answer key' }).click();
    await page.emulateMedia({ media: 'print' });
    const key = await page.pdf({ format: 'A4', printBackground: true });
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    savePdf(key, 'lesson1-answer-key');
    const keyText = execFileSync('pdftotext', ['-layout', '-', '-'], {
      input: key,
      encoding: 'utf8',
    });
    expect(keyText.match(/Answer\./g)).toHaveLength(2);
    expect(keyText).toContain('☒');
    expect(keyText).not.toMatch(/Not quite/);

    // Every lesson prints without navigation or buttons, with its charts and predictions:
    // lessons.test.ts, where each lesson is opened on desktop.

    // Lesson 2 with an edited W_K: the printed matrices are the edited ones.
    await page.emulateMedia({ media: 'screen' });
    await page.goto(`${base()}/lessons/invert-wk`);
    const cell = page.getByLabel('W_K row 2 column 3');
    await cell.fill('7');
    await expect.poll(() => page.url()).toContain('wk=');
    // The inverse shows once the question above it is answered.
    const inverseCp = page.locator('section.checkpoint', { hasText: 'what kind of numbers' });
    await inverseCp.getByRole('radio').first().check();
    await inverseCp.getByRole('button', { name: 'Reveal the answer' }).click();
    const det = await page.getByTestId('det-exact').textContent();
    const inverse = await page.locator('table[aria-label="W_K inverse"]').textContent();
    await page.emulateMedia({ media: 'print' });
    expect(await cell.isVisible()).toBe(true);
    expect(await cell.inputValue()).toBe('7');
    expect(await page.getByTestId('det-exact').textContent()).toBe(det);
    expect(await page.locator('table[aria-label="W_K inverse"]').isVisible()).toBe(true);
    expect(await page.locator('table[aria-label="W_K inverse"]').textContent()).toBe(inverse);
    const pdf2 = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf2.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    savePdf(pdf2, 'lesson2-handout');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
