/**
 * The text a learner meets, across every lesson (issue 20): lessons are named by title, never by
 * number; matrix names are typeset; no development notes or raw engine strings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { lessons } from '../../lessons/registry';
import { preloadLessons, renderLesson } from './lessonKit';

vi.setConfig({ testTimeout: 60_000 });

beforeAll(() => preloadLessons());

const LESSONS_DIR = join(__dirname, '../../lessons');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** A source file without its comments (block comments, and line comments after a space). */
const withoutComments = (src: string) =>
  src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');

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
      expect(a.textContent).toBe(target?.title);
    }
  });
});
