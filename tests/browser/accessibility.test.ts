import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { lessons } from '../../lessons/registry';
import { PHONE, openPage } from './chromium';
import { revealAll, setTheme } from './lessonKit';
import { suiteBrowser } from './suiteBrowser';

/** axe-core's browser build, injected into each page as a script. */
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Every page of the app: home, the lessons page, each lesson, the explorer, the Playground. */
const PAGES = [
  '/',
  '/lessons',
  ...lessons.map((l) => `/lessons/${l.slug}`),
  '/explorer',
  '/playground',
];

/** WCAG 2.1 A and AA violations on the page, one line each ("rule: selector, …"). */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    interface Result {
      violations: { id: string; nodes: { target: string[] }[] }[];
    }
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<Result> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
}

describe('accessibility and phone layout (issue 20)', () => {
  const browser = suiteBrowser();

  it('axe-core finds no WCAG 2.1 AA violation on any page, in either theme', async () => {
    const found: Record<string, string[]> = {};
    const errors: string[] = [];
    // The pages in two halves, each in its own tab (its own renderer): both cores at work.
    const scan = async (paths: readonly string[]) => {
      const opened = await openPage(browser());
      const { page } = opened;
      await setTheme(page, 'light');
      const check = async (path: string) => {
        const theme = await page.evaluate(() => document.documentElement.dataset.theme);
        const violations = await axeViolations(page);
        if (violations.length > 0) found[`${path} (${theme})`] = violations;
      };
      for (const path of paths) {
        await page.goto(inject('baseURL') + path);
        await page.locator('h1').first().waitFor();
        // Every prediction answered, so the charts and tables behind them are checked too.
        await revealAll(page);
        await check(path);
        // The other theme on the same page (the toggle switches it in place and remembers it).
        const other =
          (await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark'
            ? 'light'
            : 'dark';
        await page.getByRole('button', { name: `Switch to ${other} theme` }).click();
        await page.waitForFunction((t) => document.documentElement.dataset.theme === t, other);
        await check(path);
      }
      errors.push(...opened.errors);
      await page.context().close();
    };
    const half = Math.ceil(PAGES.length / 2);
    await Promise.all([scan(PAGES.slice(0, half)), scan(PAGES.slice(half))]);
    expect(Object.keys(found).length).toBe(0);
    expect(found).toEqual({});
    expect(errors).toEqual([]);
  }, 300_000);

  it('home at 1366×768: "Start with lesson 1 →" is above the fold', async () => {
    const { page } = await openPage(browser(), { width: 1366, height: 768 });
    await page.goto(inject('baseURL') + '/');
    const start = page.getByRole('link', { name: 'Start with lesson 1 →' });
    const box = await start.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(768);
    await page.context().close();
  });

  it('phone: wide tables say they scroll; the Playground cache chart text is at least 12 px', async () => {
    const { page, errors } = await openPage(browser(), PHONE);
    // Explorer view 5: its note column is wider than a phone.
    await page.goto(inject('baseURL') + '/explorer');
    const view5 = page.locator('.table-scroll-frame', { hasText: 'cache reduction' });
    await view5.scrollIntoViewIfNeeded();
    await expect
      .poll(() => view5.locator('.table-scroll-cue').textContent())
      .toBe('Scroll sideways for more →');
    expect(await view5.getByRole('region', { name: /scrolls$/ }).getAttribute('tabindex')).toBe(
      '0',
    );

    await page.goto(inject('baseURL') + '/playground');
    await page.getByLabel('Tokens to generate').fill('8');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('progress').textContent(), { timeout: 100_000 })
      .toMatch(/^Done: \d+ steps/);
    const sizes = await page.evaluate(() => {
      const chart = document.querySelector('.playground-chart');
      if (!chart) return [];
      const out: number[] = [];
      for (const el of chart.querySelectorAll('text, span')) {
        if (!el.textContent?.trim() || el.getBoundingClientRect().height === 0) continue;
        // Text in an SVG is drawn at its font size times the SVG's scale on the page.
        const svg = el.closest('svg');
        const scale = svg
          ? svg.getBoundingClientRect().width / Number(svg.getAttribute('width'))
          : 1;
        out.push(parseFloat(getComputedStyle(el).fontSize) * scale);
      }
      return out;
    });
    expect(sizes.length).toBeGreaterThan(5);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11.99);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
