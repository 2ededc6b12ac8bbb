/**
 * Lesson 12 (GQA, MQA, MLA; paper Appendix G): every number the lesson shows, against this
 * file's own arithmetic (d_cache = h_kv·(d_k + d_v), c = d_cache/d, 1 − 1/c from the catalog's
 * shapes), the paper's printed c values (CodeGemma-7B 2.67, Gemma2-9B 1.14), an independent
 * nested-loop GQA output for the toy, and the engine's refusal messages; checkpoints come before
 * what they ask and their answers stay hidden until revealed.
 */
import { beforeEach, describe, expect, it, vi, beforeAll } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { lessons } from '../../lessons/registry';
import { DEFAULT_WEIGHTS, EMBEDDINGS } from '../../lessons/common/toyData';
import { models } from '../../roofline';
import { laplaceDet, mm, softmax, type Mat } from './lessonsReference';
import {
  answerRight,
  before,
  byId,
  checkpointAsking,
  expectRowClose,
  lessonRenderer,
  readMatrix,
  shownText,
  preloadLessons,
} from './lessonKit';

vi.setConfig({ testTimeout: 30_000 });

const IDS = [0, 1, 2, 3, 6];
const X = IDS.map((i) => EMBEDDINGS[i]);
const W = DEFAULT_WEIGHTS;

const renderLesson = lessonRenderer('gqa');
beforeAll(() => preloadLessons('gqa'));
const text = (id: string) => shownText(id).replace(/−/g, '-');
const cols = (m: readonly (readonly number[])[], c: number[]) => m.map((r) => c.map((j) => r[j]));

/** Causal GQA with h = 2 query heads of width dk sharing kvHeads key/value heads, last token. */
function gqaLastOutput(wQ: Mat, wK: Mat, wV: Mat, wO: Mat, dk: number, kvHeads: number) {
  const Q = mm(X, wQ);
  const K = mm(X, wK);
  const V = mm(X, wV);
  const n = X.length;
  const y: number[] = [];
  for (let h = 0; h < 2; h++) {
    const j = Math.floor(h / (2 / kvHeads));
    const q = Q[n - 1].slice(h * dk, (h + 1) * dk);
    const s = softmax(
      K.map((k) => q.reduce((a, x, c) => a + x * k[j * dk + c], 0) / Math.sqrt(dk)),
    );
    for (let c = 0; c < dk; c++) y.push(s.reduce((a, sj, t) => a + sj * V[t][j * dk + c], 0));
  }
  return mm([y], wO)[0];
}

beforeEach(() => localStorage.clear());

describe('registry', () => {
  it('the GQA lesson follows "Precision and conditioning" with its three checkpoints', () => {
    const slugs = lessons.map((l) => l.slug);
    expect(slugs[slugs.indexOf('precision') + 1]).toBe('gqa');
    expect(lessons.find((l) => l.slug === 'gqa')?.checkpoints).toEqual([
      'gqa-toy',
      'gemma2-saving',
      'llama3-shrink',
    ]);
  });
});

describe('lesson 12: the toy on the engine', () => {
  it('MQA with d_k = 2: the engine refuses the K-cache and the d-wide cache, with its messages', () => {
    renderLesson();
    const cp = checkpointAsking(/Can the engine rebuild V/);
    expect(screen.queryByRole('table', { name: 'toy schemes run by the engine' })).toBeNull();
    expect(screen.queryByTestId('toy-c')).toBeNull();
    answerRight(cp, /^No: 2 numbers per token/);
    const table = screen.getByRole('table', { name: 'toy schemes run by the engine' });
    expect(before(cp, table)).toBe(true);
    // Standard: 2 cached rows of width h_kv·d_k = 2 each.
    expect(byId('toy-values-kv')).toBe(1 * (2 + 2));
    expect(text('toy-refusal-k-cache')).toContain(
      'W_K (toy) is 4×2: narrower than its input width, so it cannot be inverted',
    );
    expect(text('toy-refusal-d-wide-cache')).toContain(
      'd_cache = 2·h_kv·d_k = 4 values per token, not more than d = 4',
    );
    expect(byId('toy-e')).toBe(2);
    expect(byId('toy-dcache')).toBe(4);
    expect(byId('toy-c')).toBe(1);
    expect(text('toy-saving')).toBe('0%');
    const out = readMatrix('toy outputs');
    expect(out).toHaveLength(1);
    expectRowClose(out[0], gqaLastOutput(W.wQ, cols(W.wK, [0, 1]), cols(W.wV, [0, 1]), W.wO, 2, 1));
  });

  it('MQA with d_k = 3: W_K* = [W_K | first column of W_V], 4 values instead of 6, outputs equal', () => {
    renderLesson();
    fireEvent.click(screen.getByLabelText(/MQA, d_k = 3/));
    answerRight(checkpointAsking(/Can the engine rebuild V/), /^No: 2 numbers per token/);
    const star = cols(W.wK, [0, 1, 2]).map((r, i) => [...r, W.wV[i][0]]);
    const shown = within(screen.getByRole('table', { name: 'W_K star' }))
      .getAllByRole('cell')
      .map((td) => Number((td.textContent ?? '').replace(/−/g, '-')));
    expect(shown).toEqual(star.flat());
    // W_K* is invertible (det ±1 here), so K and V can be rebuilt from the d-wide row.
    expect(Math.abs(laplaceDet(star))).toBe(1);
    expect(byId('toy-values-kv')).toBe(6);
    expect(byId('toy-values-d-wide-cache')).toBe(4);
    expect(text('toy-refusal-k-cache')).toContain(
      'W_K (toy) is 4×3: narrower than its input width',
    );
    expect(byId('toy-diff64-d-wide-cache')).toBeLessThan(1e-12);
    expect(byId('toy-diff32-d-wide-cache')).toBeLessThan(1e-5);
    expect(byId('toy-c')).toBe(1.5);
    expect(text('toy-saving')).toBe(`${Number((100 * (1 - 4 / 6)).toPrecision(3))}%`);
    // W_Q and W_O cut to two heads of width 3: columns 0-2 and 1-3 (rows of W_O likewise).
    const wQ = cols(W.wQ, [0, 1, 2, 1, 2, 3]);
    const wO = [0, 1, 2, 1, 2, 3].map((r) => [...W.wO[r]]);
    const ref = gqaLastOutput(wQ, cols(W.wK, [0, 1, 2]), cols(W.wV, [0, 1, 2]), wO, 3, 1);
    const out = readMatrix('toy outputs');
    expect(out).toHaveLength(2);
    for (const row of out) expectRowClose(row, ref);
  });

  it('MHA: the K-cache works (4 values per token) and the runs match a nested-loop reference', () => {
    renderLesson();
    fireEvent.click(screen.getByLabelText(/MHA, d_k = 2/));
    answerRight(checkpointAsking(/Can the engine rebuild V/), /^No: 2 numbers per token/);
    expect(byId('toy-values-kv')).toBe(8);
    expect(byId('toy-values-k-cache')).toBe(4);
    expect(byId('toy-values-d-wide-cache')).toBe(4);
    expect(byId('toy-diff64-k-cache')).toBeLessThan(1e-12);
    expect(byId('toy-diff32-k-cache')).toBeLessThan(1e-5);
    expect(byId('toy-c')).toBe(2);
    expect(text('toy-saving')).toBe('50%');
    const ref = gqaLastOutput(W.wQ, W.wK, W.wV, W.wO, 2, 2);
    const out = readMatrix('toy outputs');
    expect(out).toHaveLength(3);
    for (const row of out) expectRowClose(row, ref);
    // Sharing the key/value head changes the output: the MQA reference is another vector.
    const mqa = gqaLastOutput(W.wQ, cols(W.wK, [0, 1]), cols(W.wV, [0, 1]), W.wO, 2, 1);
    expect(Math.max(...ref.map((x, i) => Math.abs(x - mqa[i])))).toBeGreaterThan(1e-3);
  });
});

describe('lesson 12: Appendix G’s models and the catalog', () => {
  it('CodeGemma-7B c = 2.67 and Gemma2-9B c = 1.14 as printed; the saving 12.5% after the reveal', () => {
    renderLesson();
    expect(text('codegemma-c')).toBe('2.67');
    expect((2 * 16 * 256) / 3072).toBeCloseTo(2.6667, 4);
    const cp = checkpointAsking(/How much of Gemma-2-9B/);
    expect(screen.queryByTestId('gemma-saving')).toBeNull();
    expect(screen.queryByText(/The trick in plain words/)).toBeNull();
    answerRight(cp, /about one eighth/);
    const c = (2 * 8 * 256) / 3584;
    expect(text('gemma-c')).toBe(c.toFixed(2));
    expect(text('gemma-c')).toBe('1.14');
    expect(text('gemma-saving')).toBe(`${Number((100 * (1 - 1 / c)).toPrecision(3))}%`);
    expect(text('gemma-saving')).toBe('12.5%');
    expect(text('gemma-share')).toBe('87.5%');
    expect(screen.getByText(/The trick in plain words/).textContent).toContain(
      '1,536 of the values',
    );
    expect(
      screen
        .getByRole('link', { name: 'Open Gemma-2-9B in the roofline explorer' })
        .getAttribute('href'),
    ).toBe('/explorer?model=gemma-2-9b');
  });

  it('Llama-3-8B: no gain; the catalog is sorted by c with MHA at the top, and filters', () => {
    renderLesson();
    const cp = checkpointAsking(/Llama-3-8B has/);
    expect(screen.queryByRole('table', { name: 'catalog models sorted by c' })).toBeNull();
    answerRight(cp, /^No: its KV-cache row/);
    const table = screen.getByRole('table', { name: 'catalog models sorted by c' });
    expect(before(cp, table)).toBe(true);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(models.length);
    // c by this file's arithmetic for every model, in the shown order.
    const byName = new Map(models.map((m) => [m.name, m]));
    const ours = rows.map((tr) => {
      const m = byName.get(within(tr).getByRole('rowheader').textContent ?? '');
      if (!m) throw new Error('unknown model row');
      return { m, c: (m.kvHeads * (m.headDim + (m.valueHeadDim ?? m.headDim))) / m.d };
    });
    for (let i = 1; i < ours.length; i++) expect(ours[i - 1].c).toBeGreaterThanOrEqual(ours[i].c);
    const firstNonMha = ours.findIndex((r) => r.m.kvHeads !== r.m.heads);
    expect(ours.slice(firstNonMha).every((r) => r.m.kvHeads !== r.m.heads)).toBe(true);
    expect(firstNonMha).toBeGreaterThan(40);
    expect(text('catalog-c-llama-3-8b')).toBe(String((2 * 8 * 128) / 4096));
    expect(text('catalog-c-gemma-2-9b')).toBe('1.14');
    expect(text('catalog-c-t5-11b')).toBe('32');
    // Filter: "no gain" keeps exactly the models with c ≤ 1 among decoder-only GQA/MQA here.
    fireEvent.click(screen.getByLabelText('no gain'));
    const noGain = ours.filter((r) => r.c <= 1).map((r) => r.m.id);
    expect(noGain.sort()).toEqual(['falcon-7b', 'llama-3-8b', 'mistral-7b', 'qwen2.5-7b']);
    const shown = within(screen.getByRole('table', { name: 'catalog models sorted by c' }))
      .getAllByRole('row')
      .slice(1)
      .map((tr) => tr.getAttribute('data-testid'));
    expect(shown.sort()).toEqual(noGain.map((id) => `catalog-${id}`));
    expect(text('catalog-count')).toMatch(new RegExp(`^${noGain.length} of ${models.length}`));
    fireEvent.click(screen.getByLabelText('slim helps'));
    expect(text('catalog-count')).toMatch(
      new RegExp(`^${models.length - noGain.length} of ${models.length}`),
    );
    expect(
      screen.getByRole('figure', { name: 'catalog models by compression factor c' }),
    ).toBeTruthy();
  });
});
