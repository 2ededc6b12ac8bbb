/**
 * Issue 10, "Lessons": what a learner, a teacher and an attacker found. Each test fails on the
 * code before the fix (see the comments) and checks values against independent references.
 */
import { afterEach, beforeEach, describe, expect, it, vi, beforeAll } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router-dom';
import { LessonPage } from '../../app/pages/LessonPage';
import { Layout } from '../../app/Layout';
import { MatrixEditor, cellText, parseCell } from '../../components/MatrixEditor';
import { lessons } from '../../lessons/registry';
import { DEFAULT_WEIGHTS, EMBEDDINGS, PROMPT_IDS } from '../../lessons/common/toyData';
import { TOY_MIN_ABS, toyMatrixCodec } from '../../lessons/common/useToyWeights';
import { laplaceDet, mm, referenceGreedy, type Weights } from './lessonsReference';
import { answer, checkpointAsking, renderLesson as renderAt, preloadLessons } from './lessonKit';

// A lesson render runs the toy engine (and lesson 2 its conditioning sweep once per file); on a
// loaded two-core machine that alone can pass vitest's 5 s default.
vi.setConfig({ testTimeout: 30_000 });

const W = DEFAULT_WEIGHTS as Weights;
const link = (m: readonly (readonly (number | string)[])[]) => m.map((r) => r.join(',')).join(';');
/** diag(x, x, x, x) as a link value. */
const diagLink = (x: string) =>
  link([0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? x : '0'))));

const renderLesson = (path: string) => renderAt(path, { index: true, notFound: true });
// Every lesson: the tab titles test opens each one.
beforeAll(() => preloadLessons());

const choiceLabels = (cp: HTMLElement) =>
  [...cp.querySelectorAll('.checkpoint-choice')].map((l) => l.textContent ?? '');

let consoleError: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  localStorage.clear();
  consoleError = vi.spyOn(console, 'error');
});
afterEach(() => consoleError.mockRestore());

describe('tab titles', () => {
  it('names every route: lessons index, each lesson, an unknown lesson, 404', () => {
    const { unmount } = renderLesson('/lessons');
    expect(document.title).toBe('Lessons — Slim Attention Lab');
    unmount();
    for (const l of lessons) {
      const r = renderLesson(`/lessons/${l.slug}`);
      expect(document.title).toBe(`${l.title} — Slim Attention Lab`);
      r.unmount();
    }
    expect(lessons.find((l) => l.slug === 'invert-wk')?.title).toBe('Invert W_K');
    renderLesson('/lessons/nope').unmount();
    expect(document.title).toBe('No such lesson — Slim Attention Lab');
    renderLesson('/nowhere');
    expect(document.title).toBe('Page not found — Slim Attention Lab');
  }, 60_000);

  it('the layout names the header pages (the explorer and the Playground) and follows navigation', async () => {
    const router = createMemoryRouter(
      [
        {
          path: '/',
          element: <Layout />,
          children: [
            { path: 'explorer', element: <p>explorer</p> },
            { path: 'playground', element: <p>playground</p> },
            { path: 'lessons/:slug', element: <LessonPage /> },
          ],
        },
      ],
      { initialEntries: ['/explorer'] },
    );
    render(<RouterProvider router={router} />);
    expect(document.title).toBe('Roofline explorer — Slim Attention Lab');
    await act(() => router.navigate('/lessons/invert-wk'));
    expect(document.title).toBe('Invert W_K — Slim Attention Lab');
    await act(() => router.navigate('/playground'));
    expect(document.title).toBe('Playground — Slim Attention Lab');
  });
});

describe('moving between lessons', () => {
  it('next, previous and the contents open the lesson at the top', () => {
    const scrolled = vi.spyOn(Element.prototype, 'scrollTop', 'set');
    renderLesson('/lessons/why-the-cache-dominates');
    scrolled.mockClear();
    fireEvent.click(screen.getByRole('link', { name: /Invert W_K →/ }));
    // Named in words (the typeset W_K is read from its words).
    expect(screen.getByRole('heading', { level: 1, name: 'Invert W_K' })).toBeTruthy();
    expect(scrolled).toHaveBeenCalledWith(0);
    scrolled.mockClear();
    const toc = screen.getByRole('navigation', { name: 'Lessons' });
    fireEvent.click(within(toc).getByRole('link', { name: 'Generate' }));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Generate');
    expect(scrolled).toHaveBeenCalledWith(0);
    // An edit inside the lesson (its state reaches the address) does not scroll.
    scrolled.mockClear();
    fireEvent.click(screen.getByRole('button', { name: /^Generate/ }));
    expect(scrolled).not.toHaveBeenCalled();
    scrolled.mockRestore();
  }, 30_000);
});

describe('no prediction shows its answer nearby before it is answered', () => {
  it('lesson 5 hides the columns each head reads until "whole-row" is revealed', () => {
    renderLesson('/lessons/many-heads');
    expect(screen.queryByTestId('used-cols-2')).toBeNull();
    expect(document.body.textContent).not.toMatch(/read columns/);
    // With the default weights both W_KV blocks have no zero row: head 2 reads all 4 columns.
    const cp = checkpointAsking(/how many of K’s 4 columns/);
    expect(answer(cp, '4')).toEqual(['4']);
    expect(screen.getByTestId('used-cols-2').textContent).toBe('1, 2, 3, 4');
    expect(screen.getByTestId('used-cols-1').textContent).toBe('1, 2, 3, 4');
  });

  it('lesson 4 states the bytes per step only once "decode-growth" is revealed', () => {
    renderLesson('/lessons/generate');
    const caption = () => screen.getByTestId('cache-caption').textContent ?? '';
    expect(caption()).not.toMatch(/\d+ B/);
    // One key row of d = 4 float32 values: 16 B; the KV-cache adds a key and a value row.
    expect(answer(checkpointAsking(/next decode step add/), '16 B')).toEqual(['16 B']);
    expect(caption()).toContain('Every step appends 32 B to the KV-cache and 16 B to the K-cache.');
  });

  it('lesson 2: after "Break it" the determinant question still offers four choices', () => {
    renderLesson('/lessons/invert-wk');
    fireEvent.click(screen.getByRole('button', { name: /Break it/ }));
    expect(screen.getByTestId('det-exact').textContent).toBe('0');
    const cp = checkpointAsking(/replaced by a copy of row 2/);
    expect(choiceLabels(cp)).toEqual(['−1', '0', '1', '2']);
    expect(answer(cp, '0')).toEqual(['0']);
  });

  it('lesson 4: exactly one "how far apart" choice is right for large weights too', () => {
    // W_V × 1e6: outputs near 1e6, so float64 rounding differences are ~1e-10 in absolute
    // terms: below "clearly different", above the old fixed 1e-12, and no choice was right.
    const wv = link(W.wV.map((r) => r.map((x) => x * 1e6)));
    renderLesson(`/lessons/generate?gen=1&wv=${wv}`);
    const cp = checkpointAsking(/how far apart/);
    const right = answer(cp, 'Exactly 0');
    expect(right).toHaveLength(1);
    expect(choiceLabels(cp)).toHaveLength(3);
  });
});

describe('lesson 4: the standard KV-cache strip', () => {
  it('shows the K half and the V half, V = X·W_V row by row', () => {
    renderLesson('/lessons/generate?gen=1');
    const ids = [...PROMPT_IDS, referenceGreedy(W, EMBEDDINGS, PROMPT_IDS, 1, 1).tokens[0]];
    const X = ids.map((i) => EMBEDDINGS[i]);
    const halves = (name: string) =>
      [...screen.getByRole('region', { name }).querySelectorAll('.cache-rows li')].map((li) =>
        [...li.querySelectorAll('.cache-cell')].map((c) =>
          Number((c.textContent ?? '').replace('−', '-')),
        ),
      );
    expect(halves('standard KV-cache, K half')).toEqual(mm(X, W.wK));
    expect(halves('standard KV-cache, V half')).toEqual(mm(X, W.wV));
    expect(halves('slim K-cache')).toEqual(mm(X, W.wK));
    expect(screen.getByTestId('standard KV-cache, K half bytes').textContent).toBe('64 B');
    expect(screen.getByTestId('standard KV-cache, V half bytes').textContent).toBe('64 B');
    expect(screen.getByTestId('kv-total-bytes').textContent).toBe('128 B');
  });
});

describe('singular and near-singular W_K in Prefill', () => {
  it.each([
    // det = 1e-13 ≠ 0 but cond = 1e13, past linalg's limit (paper Appendix A).
    [
      'near-singular',
      link([
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1e-13],
      ]),
    ],
    // The default W_K with row 4 a copy of row 2: exactly singular.
    ['singular', link(W.wK.map((r, i) => (i === 3 ? W.wK[1] : r)))],
  ])('%s: the editor stays, a specific message, no logged error', (_, wk) => {
    renderLesson(`/lessons/prefill?wk=${wk}`);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Prefill');
    expect(screen.queryByText(/The engine refuses these weights/)).toBeNull();
    expect(screen.getByRole('alert').textContent).toMatch(
      /has no usable inverse \(it is singular, or too close to singular for float64\), so there is no .* and slim attention cannot rebuild V from its K-cache/,
    );
    expect(screen.getByLabelText('W_K row 4 column 4')).toBeTruthy();
    expect(consoleError).not.toHaveBeenCalled();
    // Restoring the weights brings the lesson back.
    fireEvent.click(screen.getByRole('button', { name: 'Restore the default weights' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('prefill-status').textContent).toBe('0 of 3 prompt tokens cached');
  });
});

describe('subnormal entries', () => {
  const subnormal = diagLink('1e-310');

  it('the link codec refuses them; the lessons say so and show the defaults, no NaN', () => {
    expect(toyMatrixCodec.parse(subnormal)).toBeUndefined();
    expect(toyMatrixCodec.parse(diagLink(String(TOY_MIN_ABS)))).toBeDefined();
    expect(toyMatrixCodec.parse(diagLink('0'))).toBeDefined();
    for (const slug of ['invert-wk', 'prefill', 'generate', 'many-heads']) {
      const r = renderLesson(`/lessons/${slug}?wk=${subnormal}`);
      const text = document.body.textContent ?? '';
      expect(text).toContain(
        'The link’s W_K was not used: its entry 1e−310 is too close to zero to compute with (use 0, or a magnitude of at least 1e−30). The default W_K is shown instead.',
      );
      expect(text).not.toMatch(/NaN|fromArray|refuses these weights/);
      expect(consoleError).not.toHaveBeenCalled();
      r.unmount();
    }
    renderLesson(`/lessons/invert-wk?wk=${subnormal}`);
    expect(Number(screen.getByTestId('det-exact').textContent)).toBe(laplaceDet(W.wK));
  }, 30_000);

  it('the editor refuses them with a message and keeps the last valid value', () => {
    expect(parseCell('1e-310', Infinity, TOY_MIN_ABS)).toBeUndefined();
    expect(parseCell('1e-310')).toBeUndefined(); // subnormal float64, whatever the minimum
    expect(parseCell('1e−30', Infinity, TOY_MIN_ABS)).toBe(1e-30); // typographic minus
    let value = [[2]];
    render(
      <MatrixEditor label="W_K" value={value} onChange={(m) => (value = m)} minAbs={TOY_MIN_ABS} />,
    );
    fireEvent.change(screen.getByLabelText('W_K row 1 column 1'), { target: { value: '1e-310' } });
    expect(screen.getByRole('alert').textContent).toBe(
      'W_K: “1e-310” is too close to zero to compute with: type 0, or a number of magnitude at least 1e−30; the last valid value is still used.',
    );
    expect(value).toEqual([[2]]);
  });

  it('a cell shows a tiny value whole, never a cut-off "1.000"', () => {
    expect(cellText(1e-30)).toBe('1e−30');
    expect(cellText(-1.5e-7)).toBe('−1.5e−7');
    expect(cellText(0.25)).toBe('0.25');
    render(<MatrixEditor label="M" value={[[1e-30, 123456.5]]} onChange={() => {}} />);
    const tiny = screen.getByLabelText('M row 1 column 1') as HTMLInputElement;
    expect(tiny.value).toBe('1e−30');
    const wide = screen.getByLabelText('M row 1 column 2') as HTMLInputElement;
    expect(wide.value).toBe('123457');
    // Longer than the cell's default width: the cell is widened to its text.
    expect(wide.style.width).toBe(`${'123457'.length + 2}ch`);
  });
});

describe('lesson charts use the shared chart helpers', () => {
  it('lesson 1: the parameters are a labelled rule, the caches series lines', () => {
    renderLesson('/lessons/why-the-cache-dominates');
    // The chart shows where the cache crosses the parameters: it waits for that question.
    const name = 'Bytes of parameters and caches against context length';
    expect(screen.queryByRole('figure', { name })).toBeNull();
    const cp = checkpointAsking(/context length does the KV-cache become larger/);
    fireEvent.click(within(cp).getAllByRole('radio')[0]);
    fireEvent.click(within(cp).getByRole('button', { name: 'Reveal the answer' }));
    const figure = screen.getByRole('figure', { name });
    // paper §1: Phi-3-mini-128k, 3.8B parameters at 1 byte each.
    expect(figure.querySelector('g[aria-label="rule"]')).not.toBeNull();
    expect(figure.textContent).toContain('parameters, 3.8 GB');
    expect(figure.querySelectorAll('g[aria-label="line"] path').length).toBe(2);
  });

  it('lesson 2: the condition-number axis reads in powers of ten', () => {
    renderLesson('/lessons/invert-wk');
    const figure = screen.getByRole('figure', {
      name: 'Relative float32 reconstruction error against condition number',
    });
    const ticks = [...figure.querySelectorAll('g[aria-label="x-axis tick label"] text')].map(
      (t) => t.textContent,
    );
    expect(ticks).toContain('1e8');
    expect(ticks.join(' ')).not.toMatch(/[kMG]$|[kMG] /);
  });
});
