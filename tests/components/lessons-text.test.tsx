/**
 * The text a learner meets, across every lesson (issue 20): lessons are named by title, never by
 * number; matrix names are typeset; no development notes or raw engine strings.
 */
import { sourceFiles, withoutComments } from '../shared/sourceFiles';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { lessons } from '../../lessons/registry';
import { answerAsking, preloadLessons, renderLesson } from './lessonKit';
import { screen, within } from '@testing-library/react';

vi.setConfig({ testTimeout: 60_000 });

beforeAll(() => preloadLessons());

const LESSONS_DIR = join(__dirname, '../../lessons');

const body = () => document.querySelector('[data-lesson-body]') as HTMLElement;

describe('lessons refer to each other by title', () => {
  it('no lesson source names a lesson by number or writes a lesson title by hand', () => {
    const offenders: string[] = [];
    // LessonLink itself writes “lesson “Title””, from the table.
    const files = sourceFiles(LESSONS_DIR).filter((f) => !f.endsWith('LessonLink.tsx'));
    for (const file of files) {
      const src = withoutComments(readFileSync(file, 'utf8'));
      src.split('\n').forEach((line, i) => {
        // "lesson 6", "lessons 3–5"; and titles quoted by hand, “lesson “RoPE”” (LessonLink
        // writes those from the lesson table).
        if (/\blessons?\s+\d/i.test(line) || /\blessons?\s+“/i.test(line))
          offenders.push(`${file.slice(LESSONS_DIR.length + 1)}:${i + 1}: ${line.trim()}`);
        if (/to="\/lessons\/[a-z]/.test(line))
          offenders.push(`${file.slice(LESSONS_DIR.length + 1)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it.each(lessons.map((l) => l.slug))('%s: the rendered text names no lesson by number', (slug) => {
    renderLesson(`/lessons/${slug}`);
    const byNumber = [...(body().textContent ?? '').matchAll(/.{0,30}\blessons?\s+\d.{0,10}/gi)];
    expect(byNumber.map((m) => m[0])).toEqual([]);
    // Every link to another lesson shows that lesson's title.
    for (const a of body().querySelectorAll<HTMLAnchorElement>('a[href^="/lessons/"]')) {
      const target = lessons.find((l) => a.getAttribute('href')?.startsWith(`/lessons/${l.slug}`));
      expect(target, a.getAttribute('href') ?? '').toBeDefined();
      // Its accessible name is the title in words (a typeset W_K is named in words).
      expect(within(a.parentElement!).getAllByRole('link', { name: target?.title })).toContain(a);
    }
  });
});

describe('figures a learner is told, derived', () => {
  it('"about 2 OPs per value read" is derived from paper Table 2: 8d²/4d² and 4nd/2nd', () => {
    renderLesson('/lessons/why-the-cache-dominates');
    // Each value read is multiplied once and added once: 2 OPs, for the weights and the cache.
    expect(screen.getByTestId('ops-per-value').textContent).toBe(
      `${(8 / 4).toString()} and ${(4 / 2).toString()}`,
    );
  });

  it('trade-offs: the whole step on M4 Max is explained beside the core’s speedup', () => {
    renderLesson('/lessons/trade-offs');
    answerAsking(/on which chip of paper Table 3 is the K-first/, 'Apple M4 Max');
    answerAsking(/Against standard attention’s core, it is/, /still faster/);
    const why = screen.getByTestId('whole-step-gap').textContent ?? '';
    // Paper Table 3, M4 Max: 38 TOPS int8, 410 GB/s; h = 64, d_k = 128, 1 byte per value:
    // standard core 4 OPs per 2 values (memory bound), option 2 2h+2 = 130 OPs per value.
    const core = Math.max(4 / 38e12, 2 / 410e9) / Math.max(130 / 38e12, 1 / 410e9);
    expect(why).toContain(`${Number(core.toPrecision(3))}×`);
    expect(why).toMatch(/weights/);
    expect(why).toMatch(/compute bound/);
    expect(why).toMatch(/0\.994×/);
  });
});

describe('the paper’s option numbers', () => {
  it('the lesson table names each scheme by what it caches or computes, the option in brackets', () => {
    for (const l of lessons)
      for (const m of l.summary.matchAll(/option \d/g))
        expect(l.summary.slice(Math.max(0, m.index - 12), m.index)).toMatch(/paper §\d, $/);
  });
});
