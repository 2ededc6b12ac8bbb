/**
 * What the lesson tests share: rendering a lesson page, reading its numbers and tables back,
 * finding and answering its checkpoints. Reading only: every expected value stays in the test
 * that checks it.
 */
import type { ReactNode } from 'react';
import { expect } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { LessonPage } from '../../app/pages/LessonPage';
import { LessonsIndexPage } from '../../app/pages/LessonsIndexPage';
import { NotFoundPage } from '../../app/pages/NotFoundPage';
import { findLesson, lessons, neighbours, type LessonMeta } from '../../lessons/registry';
import type { Mat } from './lessonsReference';

// ------------------------------------------------------------ loading lesson bodies

/** Slugs whose bodies preloadLessons has loaded in this test file. */
const preloaded = new Set<string>();

/**
 * Loads the bodies of the lessons `slugs` (every lesson when none is named) and of their
 * neighbours in reading order. The app loads a lesson body on demand; once loaded it renders at
 * once, without use() (lessons/registry.ts), so a test reads the page right after render(). The
 * lesson page fetches the neighbours' bodies as it opens (for "next" and "previous"): loading
 * them here too means none is still loading when the test file ends. Each test file loads only
 * the lessons it renders or navigates to: `beforeAll(() => preloadLessons('gqa'))`.
 */
export async function preloadLessons(...slugs: string[]): Promise<void> {
  const named: readonly LessonMeta[] =
    slugs.length === 0
      ? lessons
      : slugs.map((slug) => {
          const meta = findLesson(slug);
          if (!meta) throw new Error(`preloadLessons: no lesson called “${slug}”.`);
          return meta;
        });
  const all = new Set<LessonMeta>();
  for (const meta of named) {
    const { prev, next } = neighbours(meta.slug);
    for (const l of [prev, meta, next]) if (l) all.add(l);
  }
  await Promise.all([...all].map((l) => l.component.preload()));
  for (const l of all) preloaded.add(l.slug);
}

/** Throws unless the lesson at `path` (if it names one) was loaded by preloadLessons. */
function requirePreloaded(path: string) {
  const slug = /^\/lessons\/([^/?#]+)/.exec(path)?.[1];
  if (slug && findLesson(slug) && !preloaded.has(slug))
    throw new Error(
      `The lesson “${slug}” is not loaded: call beforeAll(() => preloadLessons('${slug}')) in this file.`,
    );
}

// ------------------------------------------------------------ rendering

export interface LessonRoutes {
  /** Also route /lessons to the lessons index. */
  index?: boolean;
  /** Also route every other path to the not-found page. */
  notFound?: boolean;
  /** Rendered right after the lesson page (e.g. a probe of the router's location). */
  after?: ReactNode;
}

/**
 * Renders the app's lesson page at `path` (/lessons/<slug>?<query>) in a memory router. The
 * lesson must be loaded first (preloadLessons).
 */
export function renderLesson(path: string, routes: LessonRoutes = {}) {
  requirePreloaded(path);
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        {routes.index && <Route path="/lessons" element={<LessonsIndexPage />} />}
        <Route
          path="/lessons/:slug"
          element={
            <>
              <LessonPage />
              {routes.after}
            </>
          }
        />
        {routes.notFound && <Route path="*" element={<NotFoundPage />} />}
      </Routes>
    </MemoryRouter>,
  );
}

/** A renderer for one lesson: `open('?x=1')` renders /lessons/<slug>?x=1. */
export const lessonRenderer =
  (slug: string) =>
  (search = '') =>
    renderLesson(`/lessons/${slug}${search}`);

// ------------------------------------------------------------ reading what is shown

/** The text of the element whose data-testid is `id`. */
export const shownText = (id: string) => screen.getByTestId(id).textContent ?? '';

/** A shown number: the typographic minus (−) read as '-', then whatever `drop` matches removed. */
export const parseShown = (s: string | null, drop?: RegExp) => {
  const t = (s ?? '').replace(/−/g, '-');
  return Number(drop ? t.replace(drop, '') : t);
};

/** The number shown in the element whose data-testid is `id` (see parseShown for `drop`). */
export const byId = (id: string, drop?: RegExp) => parseShown(shownText(id), drop);

/**
 * The numbers of the table named `label`, row by row, each cell read by `parse`. A row with no
 * cells is skipped only when it is a header row; any other is an error.
 */
export function readMatrix(
  label: string,
  parse: (s: string) => number = (s) => parseShown(s),
): Mat {
  const table = screen.getByRole('table', { name: label });
  return within(table)
    .getAllByRole('row')
    .flatMap((tr, i) => {
      const cells = within(tr).queryAllByRole('cell');
      if (cells.length > 0) return [cells.map((td) => parse(td.textContent ?? ''))];
      if (within(tr).queryAllByRole('columnheader').length > 0) return [];
      throw new Error(`Row ${i + 1} of the table “${label}” has neither cells nor headers.`);
    });
}

/** Shown values carry 4 significant digits: each within 1e-3·max(1, |ref|) of the reference. */
export function expectRowClose(shown: readonly number[], ref: readonly number[]) {
  expect(shown).toHaveLength(ref.length);
  shown.forEach((x, i) =>
    expect(Math.abs(x - ref[i])).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(ref[i]))),
  );
}

/** A shown matrix against its reference: the same shape, every entry as in expectRowClose. */
export function expectMatrixClose(shown: Mat, ref: Mat) {
  expect(shown.length).toBe(ref.length);
  shown.forEach((row, i) => expectRowClose(row, ref[i]));
}

/** Within half a unit of the last of the `digits` significant digits the lesson prints. */
export const expectShown = (shown: number, want: number, digits = 3) =>
  expect(Math.abs(shown - want)).toBeLessThanOrEqual(0.5 * 10 ** (1 - digits) * Math.abs(want));

/** `a` comes before `b` in document (reading) order. */
export const before = (a: Element, b: Element) =>
  !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);

// ------------------------------------------------------------ checkpoints

/** The checkpoint whose text matches `question`. */
export function checkpointAsking(question: RegExp): HTMLElement {
  const cp = screen
    .getAllByRole('region', { name: 'Checkpoint question' })
    .find((el) => question.test(el.textContent ?? ''));
  if (!cp) throw new Error(`No checkpoint on the page asks ${question}.`);
  return cp;
}

/** The labels of the choices of checkpoint `cp` marked right (after its reveal). */
export const rightChoices = (cp: HTMLElement) =>
  within(cp)
    .getAllByRole('radio')
    .map((r) => r.closest('label'))
    .filter((l) => l?.classList.contains('right'))
    .map((l) => l?.textContent ?? '');

/** Picks the choice labelled `label` in `cp` and reveals; returns the choices marked right. */
export function answer(cp: HTMLElement, label: RegExp | string): string[] {
  fireEvent.click(within(cp).getByLabelText(label));
  fireEvent.click(within(cp).getByRole('button', { name: 'Reveal the answer' }));
  return rightChoices(cp);
}

/** Answers the checkpoint asking `question` with `label`; returns that checkpoint. */
export function answerAsking(question: RegExp, label: RegExp | string): HTMLElement {
  const cp = checkpointAsking(question);
  answer(cp, label);
  return cp;
}

/** answer(), then the verdict must start with "Right.". */
export function answerRight(cp: HTMLElement, label: RegExp | string) {
  answer(cp, label);
  expect(within(cp).getByRole('status').textContent).toMatch(/^Right\./);
}

/**
 * Answers every checkpoint on the page with its first choice and reveals it, until none is left
 * open (a reveal can show further checkpoints): the whole text a reader meets.
 */
export function revealEverything() {
  for (let guard = 0; guard < 50; guard++) {
    const open = screen
      .queryAllByRole('region', { name: 'Checkpoint question' })
      .find((cp) => cp.getAttribute('data-checkpoint') === 'open');
    if (!open) return;
    fireEvent.click(within(open).getAllByRole('radio')[0]);
    fireEvent.click(within(open).getByRole('button', { name: 'Reveal the answer' }));
  }
  throw new Error('revealEverything: checkpoints kept opening.');
}

/**
 * The text of `root` outside formulas and charts: its text nodes that have no formula (.tex) and
 * no SVG chart among their ancestors, joined by spaces.
 */
export function plainText(root: Element): string {
  return readerText(root, '.tex, svg, script, style, .visually-hidden');
}

/**
 * The text of `root` a reader meets, formulas included (their source, in component tests): its
 * text nodes outside scripts, style sheets, words only screen readers get (.visually-hidden)
 * and anything matching `skip`, joined by spaces.
 */
export function readerText(root: Element, skip = 'script, style, .visually-hidden'): string {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const out: string[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement?.closest(skip)) continue;
    out.push(n.textContent ?? '');
  }
  return out.join(' ');
}
