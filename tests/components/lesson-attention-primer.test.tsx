import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi, beforeAll } from 'vitest';
import { lessons } from '../../lessons/registry';
import { DEFAULT_WEIGHTS, EMBEDDINGS, PROMPT_IDS, VOCAB } from '../../lessons/common/toyData';
import { PLAY_INTERVAL_MS } from '../../lessons/attention-primer';
import { PROGRESS_KEY } from '../../lessons/common/progress';
import { mm, referenceGreedy, softmax, type Mat, type Weights } from './lessonsReference';
import { before, lessonRenderer, parseShown, preloadLessons } from './lessonKit';

const W = DEFAULT_WEIGHTS as Weights;
const SLUG = 'attention-primer';

/** The primer's tokens, from the reference: the prompt, then three greedy choices. */
const IDS = [...PROMPT_IDS, ...referenceGreedy(W, EMBEDDINGS, PROMPT_IDS, 1, 3).tokens];

interface RefStep {
  q: number[];
  K: Mat;
  V: Mat;
  scores: number[];
  probs: number[];
  head: number[];
}

/** One head after the first t tokens, written out as nested float64 loops (paper §1). */
function referenceStep(w: Weights, ids: number[], t: number): RefStep {
  const X = ids.slice(0, t).map((i) => EMBEDDINGS[i]);
  const d = X[0].length;
  const q = mm([X[t - 1]], w.wQ)[0];
  const K = mm(X, w.wK);
  const V = mm(X, w.wV);
  const scores: number[] = [];
  for (let j = 0; j < t; j++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += q[c] * K[j][c];
    scores.push(s / Math.sqrt(d));
  }
  const probs = softmax(scores);
  const head: number[] = [];
  for (let c = 0; c < d; c++) {
    let s = 0;
    for (let j = 0; j < t; j++) s += probs[j] * V[j][c];
    head.push(s);
  }
  return { q, K, V, scores, probs, head };
}

const num = (t: string | null) => parseShown(t);
const values = (root: Element, name: string) =>
  [...root.querySelectorAll(`[data-values="${name}"] text.cell-value`)].map((e) =>
    num(e.textContent),
  );
/** Shown with 3 significant digits: within half a unit of the third digit. */
function expectShown(shown: readonly number[], ref: readonly number[]) {
  expect(shown).toHaveLength(ref.length);
  shown.forEach((v, i) =>
    expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(Math.abs(ref[i]) * 5e-3 + 1e-12),
  );
}

/** Everything the diagram shows for the current step, read back from its SVG text. */
function readDiagram() {
  const svg = screen.getByRole('img', { name: /One attention head after/ });
  const rows = [...svg.querySelectorAll('g.cache-row')];
  return {
    q: values(svg.querySelector('[data-testid="primer-q"]')!, 'q'),
    tokens: rows.map((r) => r.querySelector('.row-token')?.textContent),
    K: rows.map((r) => values(r, 'k')),
    V: rows.map((r) => values(r, 'v')),
    scores: rows.map((r) => num(r.querySelector('[data-testid="primer-score"]')!.textContent)),
    probs: rows.map((r) => num(r.querySelector('[data-testid="primer-prob"]')!.textContent)),
    head: values(svg.querySelector('[data-testid="primer-output"]')!, 'output'),
    cacheRows: num(svg.querySelector('[data-testid="primer-cache-rows"]')!.textContent),
  };
}

function expectStep(t: number, w: Weights = W, ids: number[] = IDS) {
  const ref = referenceStep(w, ids, t);
  const shown = readDiagram();
  expect(screen.getByTestId('primer-status').textContent).toBe(`${t} of ${ids.length} tokens read`);
  expect(shown.cacheRows).toBe(t);
  expect(shown.tokens).toEqual(ids.slice(0, t).map((i) => VOCAB[i]));
  // Keys, values and queries of the integer toy model are integers: shown exactly.
  expect(shown.q).toEqual(ref.q);
  expect(shown.K).toEqual(ref.K);
  expect(shown.V).toEqual(ref.V);
  expectShown(shown.scores, ref.scores);
  expectShown(shown.probs, ref.probs);
  expectShown(shown.head, ref.head);
  // The engine layer's cache: one float32 k row and one v row of d = 4 values per token.
  expect(screen.getByTestId('primer-cache-bytes').textContent).toBe(`${t * 2 * 4 * 4} B`);
}

const renderPrimer = lessonRenderer(SLUG);
beforeAll(() => preloadLessons(SLUG));

beforeEach(() => localStorage.clear());

/** Whole lesson pages (KaTeX, the SVG, every step) render slowly in jsdom on a shared machine. */
const SLOW = { timeout: 30_000 };

describe('lesson 0: attention in one picture', () => {
  it('is the first entry of the lesson table, before "Why the cache dominates"', SLOW, () => {
    expect(lessons[0].slug).toBe(SLUG);
    expect(lessons[0].title).toBe('Attention in one picture');
    expect(lessons[1].slug).toBe('why-the-cache-dominates');
    renderPrimer();
    expect(screen.getByText(`Lesson 1 of ${lessons.length}`)).toBeTruthy();
    expect(screen.getByRole('link', { name: /Why the cache dominates →/ })).toBeTruthy();
  });

  it('the toy sequence is the prompt and three greedy tokens', SLOW, () => {
    // The reference's own greedy decode, not the app's: "I am a student . I".
    expect(IDS.map((i) => VOCAB[i]).join(' ')).toBe('I am a student . I');
  });

  it(
    'every step shows q, K, V, scores, softmax and output matching a nested-loop reference',
    SLOW,
    () => {
      renderPrimer();
      expectStep(1);
      const next = screen.getByRole('button', { name: 'Next token →' });
      for (let t = 2; t <= IDS.length; t++) {
        fireEvent.click(next);
        expectStep(t);
      }
      expect((next as HTMLButtonElement).disabled).toBe(true);
      // The weights at the last step add up to 1 (shown to 3 digits).
      expect(readDiagram().probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
      const prev = screen.getByRole('button', { name: '← Previous token' });
      fireEvent.click(prev);
      expectStep(IDS.length - 1);
    },
  );

  it(
    'the same token weighs a longer cache: "I" at steps 1 and 6 has equal q, different output',
    SLOW,
    () => {
      renderPrimer('?tok=6');
      const last = readDiagram();
      expect(last.q).toEqual(referenceStep(W, IDS, 1).q);
      expect(last.cacheRows).toBe(6);
      expectShown(last.head, referenceStep(W, IDS, 6).head);
      expect(Math.abs(last.head[0] - referenceStep(W, IDS, 1).head[0])).toBeGreaterThan(0.5);
    },
  );

  it('the timeline handle steps with the arrow keys, Home and End', SLOW, () => {
    renderPrimer('?tok=3');
    const handle = screen.getByRole('slider', { name: 'tokens read' });
    expect(handle.getAttribute('aria-valuenow')).toBe('3');
    fireEvent.keyDown(handle, { key: 'ArrowRight' });
    expectStep(4);
    fireEvent.keyDown(handle, { key: 'End' });
    expectStep(6);
    fireEvent.keyDown(handle, { key: 'ArrowRight' });
    expectStep(6);
    fireEvent.keyDown(handle, { key: 'Home' });
    expectStep(1);
    expect(handle.getAttribute('aria-valuetext')).toBe('1 of 6 tokens read, newest “I”');
  });

  it('Play advances one token per interval and stops at the end', SLOW, () => {
    vi.useFakeTimers();
    try {
      renderPrimer('?tok=4');
      fireEvent.click(screen.getByRole('button', { name: 'Play' }));
      expect(screen.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe(
        'true',
      );
      act(() => void vi.advanceTimersByTime(PLAY_INTERVAL_MS));
      expectStep(5);
      act(() => void vi.advanceTimersByTime(PLAY_INTERVAL_MS));
      expectStep(6);
      act(() => void vi.advanceTimersByTime(3 * PLAY_INTERVAL_MS));
      expectStep(6);
      // At the end the button offers to start over.
      fireEvent.click(screen.getByRole('button', { name: 'Play from the start' }));
      expectStep(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it(
    'edited weights from the URL flow through: the numbers follow the reference again',
    SLOW,
    () => {
      // W_Q row 1 doubled: queries and scores change, keys and values do not.
      const wQ = W.wQ.map((r, i) => (i === 0 ? r.map((x) => 2 * x) : r));
      const w: Weights = { ...W, wQ };
      const ids = [...PROMPT_IDS, ...referenceGreedy(w, EMBEDDINGS, PROMPT_IDS, 1, 3).tokens];
      renderPrimer(`?tok=5&wq=${encodeURIComponent(wQ.map((r) => r.join(',')).join(';'))}`);
      expectStep(5, w, ids);
    },
  );
});

describe('lesson 0: checkpoint', () => {
  afterEach(() => vi.useRealTimers());

  it('comes before the decoder sketch, the stepper and the diagram that answer it', SLOW, () => {
    renderPrimer();
    const cp = screen.getByRole('region', { name: 'Checkpoint question' });
    expect(cp.textContent).toContain('Now “student” arrives');
    expect(before(cp, screen.getByRole('img', { name: /A decoder step/ }))).toBe(true);
    expect(before(cp, screen.getByRole('button', { name: 'Next token →' }))).toBe(true);
    expect(before(cp, screen.getByRole('img', { name: /One attention head after/ }))).toBe(true);
    // Nothing before it states the answer.
    const textBefore = [...document.querySelectorAll('.lesson p, .lesson li')]
      .filter((el) => before(el, cp))
      .map((el) => el.textContent)
      .join(' ');
    expect(textBefore).not.toMatch(/one row per token|4 rows/);
  });

  it('the computed answer is 4 rows with 1 new, and revealing records progress', SLOW, () => {
    renderPrimer();
    const cp = screen.getByRole('region', { name: 'Checkpoint question' });
    const labels = within(cp)
      .getAllByRole('radio')
      .map((r) => r.closest('label')?.textContent);
    expect(labels).toEqual([
      '4 rows, 1 of them computed now',
      '4 rows, all 4 computed again',
      '1 row: only the newest token’s',
      '3 rows: the new token only asks, it is not kept',
    ]);
    fireEvent.click(within(cp).getByLabelText('4 rows, all 4 computed again'));
    fireEvent.click(within(cp).getByRole('button', { name: 'Reveal the answer' }));
    expect(within(cp).getByRole('status').textContent).not.toContain('Right.');
    expect(cp.textContent).toContain('held 3 key rows after the prompt and 4 after “student”');
    const saved = JSON.parse(localStorage.getItem(PROGRESS_KEY) ?? '{}');
    expect(saved.checkpoints?.[`${SLUG}/cache-rows`]).toEqual({ correct: false });
  });
});
