import { beforeEach, describe, expect, it, vi, beforeAll } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { lessons } from '../../lessons/registry';
import { gaussJordanInverse, maxDiff, mm, softmax, type Mat } from './lessonsReference';
import {
  answer,
  before,
  checkpointAsking,
  expectMatrixClose,
  lessonRenderer,
  parseShown,
  readMatrix as readTable,
  shownText,
  preloadLessons,
} from './lessonKit';

vi.setConfig({ testTimeout: 30_000 });

// ------------------------------------------------------------ the toy, transcribed independently

/** d = 2, h = 2, d_k = 2, e = 4: the lesson's defaults, typed again here. */
const WQ: Mat = [
  [1, 0, 0, 1],
  [0, 1, 1, 0],
];
const WK: Mat = [
  [1, 1, 1, -1],
  [1, -1, 1, 1],
];
const WV: Mat = [
  [1, 0, -1, 1],
  [0, 1, 1, 0],
];
const WO: Mat = [
  [1, 0],
  [0, 1],
  [1, 0],
  [0, -1],
];
const X: Mat = [
  [1, 0],
  [0, 1],
  [1, 1],
  [2, -1],
];
const transpose = (m: Mat): Mat => m[0].map((_, j) => m.map((r) => r[j]));
const cols = (m: Mat, a: number, b: number): Mat => m.map((r) => r.slice(a, b));

/** Standard multi-head attention output of the last row of X (it sees all four rows). */
function referenceOutput(wQ: Mat, wK: Mat, wV: Mat, bQ = [0, 0, 0, 0]): number[] {
  const heads: number[] = [];
  for (let i = 0; i < 2; i++) {
    const q = mm([X[3]], cols(wQ, 2 * i, 2 * i + 2))[0].map((x, c) => x + bQ[2 * i + c]);
    const K = mm(X, cols(wK, 2 * i, 2 * i + 2));
    const V = mm(X, cols(wV, 2 * i, 2 * i + 2));
    const s = softmax(K.map((k) => (q[0] * k[0] + q[1] * k[1]) / Math.sqrt(2)));
    heads.push(...[0, 1].map((c) => s.reduce((acc, sj, j) => acc + sj * V[j][c], 0)));
  }
  return mm([heads], WO)[0];
}
/** W_Kᵀ(W_K W_Kᵀ)⁻¹ by the formula itself (the engine takes a QR route). */
const rightInverseRef = (wK: Mat) => mm(transpose(wK), gaussJordanInverse(mm(wK, transpose(wK))));

// ------------------------------------------------------------ helpers

const renderLesson = lessonRenderer('non-square');
beforeAll(() => preloadLessons('non-square'));
/** Shown numbers here may carry thousands separators (Table 4's d = 3,072). */
const parse = (s: string | null) => parseShown(s, /,/g);
const byId = (id: string) => parse(shownText(id));
const cellsOf = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map((td) => td.textContent ?? '');
const readMatrix = (label: string) => readTable(label, parse);

beforeEach(() => localStorage.clear());

describe('registry', () => {
  it('lesson 8 follows "Biases", with its two checkpoints', () => {
    const slugs = lessons.map((l) => l.slug);
    expect(slugs[slugs.indexOf('biases') + 1]).toBe('non-square');
    expect(lessons[slugs.indexOf('non-square')].checkpoints).toEqual([
      'x-cache-factor',
      'right-inverse-product',
    ]);
  });
});

describe('lesson 8: the paper’s models', () => {
  it('Table 4: d, d_k, h, e and r of CodeGemma-7B, T5-3B, T5-11B as the paper prints them', () => {
    renderLesson();
    // paper §3, Table 4: d, d_k, h, e, printed r.
    const printed: Record<string, [string, string, string, string, string]> = {
      'codegemma-7b': ['3,072', '256', '16', '4,096', '1.3'],
      't5-3b': ['1,024', '128', '32', '4,096', '4'],
      't5-11b': ['1,024', '128', '128', '16,384', '16'],
    };
    for (const [id, [d, dk, h, e, r]] of Object.entries(printed)) {
      const cells = cellsOf(screen.getByTestId(`table4-${id}`));
      expect(cells.slice(0, 4)).toEqual([d, dk, h, e]);
      // Computed r, then the printed one; they agree at the printed precision.
      expect(Math.abs(parse(cells[4]) - Number(r))).toBeLessThan(0.05);
      expect(cells[5]).toBe(r);
    }
    expect(cellsOf(screen.getByTestId('table4-codegemma-7b'))[4]).toBe('1.33');
    expect(cellsOf(screen.getByTestId('table4-codegemma-7b'))[6]).toBe('RoPE');
    expect(cellsOf(screen.getByTestId('table4-t5-11b'))[6]).toBe('relative position biases');
  });

  it('right inverse: W_KV is r times W_V, extra weights per cache-holding attention', () => {
    renderLesson();
    // layers · attentions · (e² − d·e): CodeGemma 28 decoder layers; T5 24 decoder layers with
    // self- and cross-attention.
    const extra = {
      'codegemma-7b': 28 * (4096 * 4096 - 3072 * 4096),
      't5-3b': 24 * 2 * (4096 * 4096 - 1024 * 4096),
      't5-11b': 24 * 2 * (16384 * 16384 - 1024 * 16384),
    };
    expect(cellsOf(screen.getByTestId('extra-codegemma-7b'))).toEqual(['1.33', '117.4 M', '8.5 G']);
    expect(cellsOf(screen.getByTestId('extra-t5-3b'))).toEqual(['4', '604.0 M', '3.0 G']);
    expect(cellsOf(screen.getByTestId('extra-t5-11b'))).toEqual(['16', '12.1 G', '11.0 G']);
    expect(extra['codegemma-7b']).toBe(117_440_512);
    expect(extra['t5-3b']).toBe(603_979_776);
    expect(extra['t5-11b']).toBe(12_079_595_520);
    // (11e9 + 12.08e9) / 11e9 = 2.098, shown with 3 significant digits.
    expect(Number(((11e9 + extra['t5-11b']) / 11e9).toPrecision(3))).toBe(2.1);
    expect(byId('option1-weight-growth')).toBe(2.1);
  });

  it('asks for the T5-11B factor before showing it: 32x (paper §3)', () => {
    renderLesson();
    const cp = checkpointAsking(/How many times smaller is its X-cache/);
    expect(screen.queryByRole('table', { name: 'cache per token and layer' })).toBeNull();
    expect(screen.queryByTestId('cache-t5-11b')).toBeNull();
    answer(cp, /^32x$/);
    expect(within(cp).getByText('Right.')).toBeTruthy();
    const table = screen.getByRole('table', { name: 'cache per token and layer' });
    expect(before(cp, table)).toBe(true);
    // KV = 2e, K = e, X = d, 2e/d, usable without RoPE.
    expect(cellsOf(screen.getByTestId('cache-t5-11b'))).toEqual([
      '32,768',
      '16,384',
      '1,024',
      '32x',
      'yes',
    ]);
    expect(cellsOf(screen.getByTestId('cache-t5-3b'))).toEqual([
      '8,192',
      '4,096',
      '1,024',
      '8x',
      'yes',
    ]);
    expect(cellsOf(screen.getByTestId('cache-codegemma-7b'))).toEqual([
      '8,192',
      '4,096',
      '3,072',
      '2.67x',
      'no (RoPE)',
    ]);
  });

  it('X-cache OPs for T5-11B at n = 512: 4de per token whatever n, d-wide core', () => {
    renderLesson();
    const [d, e, h, n] = [1024, 16384, 128, 512];
    expect(byId('ops-x-proj')).toBe(4 * d * e);
    expect(byId('ops-x-proj')).toBe(67_108_864);
    expect(byId('ops-std-proj')).toBe(2 * 2 * d * e);
    expect(byId('ops-std-core')).toBe(h * (2 * n * 128 + 2 * n * 128));
    expect(byId('ops-x-core')).toBe(h * (2 * n * d + 2 * n * d));
    expect(byId('reads-std')).toBe(2 * n * e);
    expect(byId('reads-x')).toBe(n * d);
    expect(byId('ops-x-intensity')).toBe(4 * h);
  });
});

describe('lesson 8: the d = 2, e = 4 toy', () => {
  it('shows W_K⁺ = W_Kᵀ(W_K W_Kᵀ)⁻¹ and W_K W_K⁺ = I₂; W_KV is 4 × 4 and K·W_KV = V', () => {
    renderLesson();
    const plus = rightInverseRef(WK);
    expectMatrixClose(readMatrix('right inverse'), plus);
    // Round-off of the exact zeros is shown as 0: the identity reads exactly.
    expect(readMatrix('W_K times its right inverse')).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(screen.queryByRole('table', { name: 'W_KV' })).toBeNull();
    answer(checkpointAsking(/the other way round/), /leaves every row of K/);
    const wKV = mm(plus, WV);
    expectMatrixClose(readMatrix('W_KV'), wKV);
    expectMatrixClose(readMatrix('V'), mm(X, WV));
    expectMatrixClose(readMatrix('V from K'), mm(mm(X, WK), wKV));
    expect(byId('v-from-k-error')).toBeLessThan(1e-12);
  });

  it('asks what W_K⁺·W_K is before showing it: a projection that keeps K', () => {
    renderLesson();
    const cp = checkpointAsking(/the other way round/);
    expect(screen.queryByRole('table', { name: 'projection' })).toBeNull();
    expect(screen.queryByTestId('k-back-error')).toBeNull();
    const P = mm(rightInverseRef(WK), WK);
    const I4 = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : 0)));
    expect(maxDiff(P, I4)).toBeGreaterThan(0.1);
    answer(cp, /leaves every row of K/);
    expect(within(cp).getByText('Right.')).toBeTruthy();
    expect(before(cp, screen.getByRole('table', { name: 'projection' }))).toBe(true);
    expectMatrixClose(readMatrix('projection'), P);
    const K = mm(X, WK);
    expectMatrixClose(readMatrix('K'), K);
    expectMatrixClose(readMatrix('K projected'), mm(K, P));
    expect(Math.abs(byId('projector-vs-identity') - maxDiff(P, I4))).toBeLessThan(1e-3);
    expect(byId('k-back-error')).toBeLessThan(1e-12);
    // A unit row W_K cannot make is moved: row 1 of P = (1, 0, 0, 0)·P.
    expectMatrixClose([P[0]], [[0.5, 0, 0.5, 0]]);
    expect(document.body.textContent).toMatch(/is row 1 of the projection, \(0\.5, 0, 0\.5, 0\)\./);
  });

  it('standard, right inverse and X-cache agree with the reference, in float64 and float32', () => {
    renderLesson();
    const ref = referenceOutput(WQ, WK, WV);
    expectMatrixClose(readMatrix('layer outputs'), [ref, ref, ref]);
    for (const id of ['ns-o1-f64', 'ns-x-f64']) expect(byId(id)).toBeLessThan(1e-12);
    for (const id of ['ns-o1-f32', 'ns-x-f32']) expect(byId(id)).toBeLessThan(1e-5);
    // Values per token 2e, e, d; float32 bytes 4 each; the cost model's column equals them.
    const rows = [0, 1, 2].map((i) => cellsOf(screen.getByTestId(`toy-cache-${i}`)));
    expect(rows).toEqual([
      ['8', '32', '8'],
      ['4', '16', '4'],
      ['2', '8', '2'],
    ]);
  });

  it('a query bias: all three layers add it and still agree (the X-cache folds it in)', () => {
    renderLesson();
    fireEvent.click(screen.getByRole('checkbox', { name: /add a query bias/ }));
    const ref = referenceOutput(WQ, WK, WV, [1, 0, -1, 1]);
    expect(maxDiff([ref], [referenceOutput(WQ, WK, WV)])).toBeGreaterThan(0.01);
    expectMatrixClose(readMatrix('layer outputs'), [ref, ref, ref]);
    for (const id of ['ns-o1-f64', 'ns-x-f64']) expect(byId(id)).toBeLessThan(1e-12);
    for (const id of ['ns-o1-f32', 'ns-x-f32']) expect(byId(id)).toBeLessThan(1e-5);
  });

  it('follows edits of W_Q, W_V and W_K live', () => {
    renderLesson();
    fireEvent.change(screen.getByLabelText('W_Q row 1 column 2'), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('W_V row 2 column 4'), { target: { value: '-2' } });
    const wQ = [
      [1, 3, 0, 1],
      [0, 1, 1, 0],
    ];
    const wV = [
      [1, 0, -1, 1],
      [0, 1, 1, -2],
    ];
    const ref = referenceOutput(wQ, WK, wV);
    expect(maxDiff([ref], [referenceOutput(WQ, WK, WV)])).toBeGreaterThan(0.1);
    expectMatrixClose(readMatrix('layer outputs'), [ref, ref, ref]);
    for (const id of ['ns-o1-f64', 'ns-x-f64']) expect(byId(id)).toBeLessThan(1e-12);
    // W_K with rows no longer orthogonal: the right inverse is not W_Kᵀ/4 any more.
    fireEvent.change(screen.getByLabelText('W_K row 1 column 2'), { target: { value: '3' } });
    const wK = [
      [1, 3, 1, -1],
      [1, -1, 1, 1],
    ];
    expectMatrixClose(readMatrix('right inverse'), rightInverseRef(wK));
    expect(
      maxDiff(
        rightInverseRef(wK),
        transpose(wK).map((r) => r.map((x) => x / 4)),
      ),
    ).toBeGreaterThan(0.01);
    const ref2 = referenceOutput(wQ, wK, wV);
    expectMatrixClose(readMatrix('layer outputs'), [ref2, ref2, ref2]);
    for (const id of ['ns-o1-f64', 'ns-x-f64']) expect(byId(id)).toBeLessThan(1e-12);
    for (const id of ['ns-o1-f32', 'ns-x-f32']) expect(byId(id)).toBeLessThan(1e-5);
  });

  it('W_K of rank 1: the right inverse (paper §3, option 1) is refused with the reason, the X-cache still matches', () => {
    renderLesson();
    fireEvent.click(screen.getByRole('button', { name: 'Make W_K rank 1' }));
    const wK = [WK[0], WK[0].map((x) => 2 * x)];
    const alert = screen.getByTestId('rank-refusal');
    // A 2 × 4 matrix is rank-deficient, not singular; its right inverse is what fails.
    expect(alert.textContent).toMatch(
      /\(toy W_K\) is numerically rank-deficient: condition number/,
    );
    expect(alert.textContent).toMatch(/float64 right inverse would carry errors/);
    expect(alert.textContent).toMatch(/has no usable right inverse: it needs 2 independent rows/);
    expect(alert.textContent).not.toMatch(/invertible|singular/);
    expect(alert.textContent).toMatch(/Its rank is 1/);
    // z·W_K = 0 exactly, and z·W_V is the gap between two inputs with equal keys.
    const zText = screen.getByTestId('rank-z');
    const z = (zText.dataset.z ?? '').split(',').map(Number);
    expect(z.some((x) => x !== 0)).toBe(true);
    expect(mm([z], wK)[0]).toEqual([0, 0, 0, 0]);
    expect((zText.dataset.gap ?? '').split(',').map(Number)).toEqual(mm([z], WV)[0]);
    expect(screen.getByTestId('ns-o1-f64').textContent).toBe('—');
    expect(screen.getByTestId('ns-o1-f32').textContent).toBe('—');
    const ref = referenceOutput(WQ, wK, WV);
    expectMatrixClose(readMatrix('layer outputs'), [ref, ref]);
    expect(byId('ns-x-f64')).toBeLessThan(1e-12);
    expect(byId('ns-x-f32')).toBeLessThan(1e-5);
    expect(cellsOf(screen.getByTestId('toy-cache-1'))).toEqual(['—', '—', '4']);
    expect(
      screen
        .getAllByRole('region', { name: 'Checkpoint question' })
        .some((el) => /the other way round/.test(el.textContent ?? '')),
    ).toBe(false);
    // Next to the button: the refusal and the X-cache's agreement, in both dtypes.
    expect(screen.getByTestId('rank-status').textContent).toMatch(
      /The right inverse is refused now/,
    );
    // Restoring W_K brings the right inverse back.
    fireEvent.click(screen.getByRole('button', { name: 'Restore W_K' }));
    expect(screen.queryByTestId('rank-status')).toBeNull();
    expect(screen.queryByTestId('rank-refusal')).toBeNull();
    expect(byId('ns-o1-f64')).toBeLessThan(1e-12);
  });
});
