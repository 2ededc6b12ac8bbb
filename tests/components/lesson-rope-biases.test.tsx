import { beforeEach, describe, expect, it, vi, beforeAll } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { lessons } from '../../lessons/registry';
import { DEFAULT_WEIGHTS, EMBEDDINGS } from '../../lessons/common/toyData';
import {
  gaussJordanInverse,
  mm,
  softmax,
  maxDiff,
  type Mat,
  type Weights,
} from './lessonsReference';
import {
  answer,
  before,
  byId,
  checkpointAsking,
  expectMatrixClose,
  readMatrix,
  renderLesson,
  preloadLessons,
} from './lessonKit';

vi.setConfig({ testTimeout: 30_000 });

const W = DEFAULT_WEIGHTS as Weights;
/** "I am a student ." as the lessons use it, from the test's own table of ids. */
const IDS = [0, 1, 2, 3, 6];
const X = IDS.map((i) => EMBEDDINGS[i]);

// ------------------------------------------------------------ independent float64 references

/** RoPE of one 4-wide row at position m, interleaved pairs, θ_i = 10000^(−2i/4) (Appendix E). */
function rope(row: number[], m: number, inverse = false): number[] {
  const out = [...row];
  for (let i = 0; i < 2; i++) {
    const angle = m * 10000 ** (-(2 * i) / 4) * (inverse ? -1 : 1);
    const [a, b] = [2 * i, 2 * i + 1];
    out[a] = row[a] * Math.cos(angle) - row[b] * Math.sin(angle);
    out[b] = row[a] * Math.sin(angle) + row[b] * Math.cos(angle);
  }
  return out;
}
const addRow = (m: Mat, b?: number[]) => m.map((r) => r.map((x, j) => x + (b ? b[j] : 0)));
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

interface Biases {
  bQ?: number[];
  bK?: number[];
  bV?: number[];
  bO?: number[];
}
/** Standard one-head attention output of the last token, optional RoPE and biases. */
function referenceOutput(w: Weights, withRope: boolean, b: Biases = {}): number[] {
  const n = X.length;
  const Q = addRow(mm(X, w.wQ), b.bQ);
  const K = addRow(mm(X, w.wK), b.bK);
  const V = addRow(mm(X, w.wV), b.bV);
  const q = withRope ? rope(Q[n - 1], n - 1) : Q[n - 1];
  const Kr = withRope ? K.map((r, j) => rope(r, j)) : K;
  const s = softmax(Kr.map((k) => dot(q, k) / 2));
  const y = [0, 1, 2, 3].map((c) => s.reduce((acc, sj, j) => acc + sj * V[j][c], 0));
  return addRow(mm([y], w.wO), b.bO)[0];
}

beforeAll(() => preloadLessons('rope', 'biases'));
beforeEach(() => localStorage.clear());

describe('registry', () => {
  it('lessons 6 and 7 follow "Many heads", each with its checkpoints', () => {
    const slugs = lessons.map((l) => l.slug);
    const i = slugs.indexOf('many-heads');
    expect(slugs.slice(i + 1, i + 3)).toEqual(['rope', 'biases']);
    expect(lessons[i + 1].checkpoints).toEqual(['rotated-wkv', 'rope-rotations']);
    expect(lessons[i + 2].checkpoints).toEqual(['kbias-softmax', 'slim-bias']);
  });
});

describe('lesson 6: RoPE', () => {
  it('the picture’s score matches a nested-loop RoPE and depends only on m − j', () => {
    renderLesson('/lessons/rope');
    const q = mm([X[4]], W.wQ)[0];
    const k = mm([X[0]], W.wK)[0];
    // Default: query at 4, key at 0.
    const ref = dot(rope(q, 4), rope(k, 0));
    expect(Math.abs(byId('rope-score') - ref)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref)));
    expect(Math.abs(byId('rope-score-shifted') - ref)).toBeLessThan(
      1e-5 * Math.max(1, Math.abs(ref)),
    );
    // Drive the query handle with the keyboard: m = 5, then the key handle: j = 2.
    fireEvent.keyDown(screen.getByRole('slider', { name: 'query position' }), {
      key: 'ArrowRight',
    });
    fireEvent.keyDown(screen.getByRole('slider', { name: 'key position' }), { key: 'End' });
    const ref2 = dot(rope(q, 5), rope(k, 6));
    expect(Math.abs(byId('rope-score') - ref2)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref2)));
    expect(screen.getByRole('slider', { name: 'key position' }).getAttribute('aria-valuenow')).toBe(
      '6',
    );
  });

  it('rotated keys times W_KV are not V except at position 0; un-rotating restores K', () => {
    renderLesson('/lessons/rope');
    const K = mm(X, W.wK);
    const V = mm(X, W.wV);
    const Krot = K.map((r, j) => rope(r, j));
    const wKV = mm(gaussJordanInverse(W.wK), W.wV);
    const fromRot = mm(Krot, wKV);
    expectMatrixClose(readMatrix('K raw'), K);
    expectMatrixClose(readMatrix('K rotated'), Krot);
    expect(byId('raw-wkv-diff')).toBeLessThan(1e-12);
    expect(byId('unrotate-diff')).toBeLessThan(1e-12);

    // Checkpoint before what it asks; K̃·W_KV, its distance to V and the matching rows are
    // shown only after the reveal, below the question.
    const cp = checkpointAsking(/Which rows/);
    expect(screen.queryByRole('table', { name: 'rotated K times W_KV' })).toBeNull();
    expect(screen.queryByTestId('rot-wkv-diff')).toBeNull();
    expect(screen.queryByTestId('rot-wkv-rows')).toBeNull();
    const matching = fromRot
      .map((r, i) => (r.every((x, j) => Math.abs(x - V[i][j]) < 1e-9) ? i + 1 : 0))
      .filter((i) => i > 0);
    expect(matching).toEqual([1]);
    answer(cp, /Only row 1/);
    expect(within(cp).getByText('Right.')).toBeTruthy();
    expect(screen.getByTestId('rot-wkv-rows').textContent).toBe('1');
    expectMatrixClose(readMatrix('rotated K times W_KV'), fromRot);
    expect(before(cp, screen.getByRole('table', { name: 'rotated K times W_KV' }))).toBe(true);
    const rotDiff = maxDiff(fromRot, V);
    expect(Math.abs(byId('rot-wkv-diff') - rotDiff)).toBeLessThan(1e-2 * rotDiff);
  });

  it('counts rotations per step from the cost model, checkpoint first', () => {
    renderLesson('/lessons/rope');
    const n = 4096;
    const e = 4096;
    const fmt = (x: number) => x.toLocaleString('en-US');
    // The counts answer the checkpoint: hidden until it is revealed, then below it.
    const cp = checkpointAsking(/how many rotations/);
    expect(screen.queryByRole('table', { name: 'RoPE rotations per decode step' })).toBeNull();
    expect(screen.queryByTestId('rot-slim-raw')).toBeNull();
    answer(cp, /q and every cached key/);
    expect(within(cp).getByText('Right.')).toBeTruthy();
    expect(screen.getByTestId('rot-standard').textContent).toBe(fmt(e));
    expect(screen.getByTestId('rot-slim-raw').textContent).toBe(fmt(((n + 1) * e) / 2));
    expect(screen.getByTestId('rot-slim-rotated').textContent).toBe(fmt(((n + 2) * e) / 2));
    expect(before(cp, screen.getByRole('table', { name: 'RoPE rotations per decode step' }))).toBe(
      true,
    );
  });

  it('slim equals standard with RoPE on (raw or rotated cache) and off, against the reference', () => {
    renderLesson('/lessons/rope');
    const check = (withRope: boolean) => {
      const ref = referenceOutput(W, withRope);
      const shown = readMatrix('RoPE layer outputs');
      expectMatrixClose(shown, [ref, ref, ref]);
      for (const id of ['rope-o1-f64', 'rope-o2-f64']) expect(byId(id)).toBeLessThan(1e-12);
      for (const id of ['rope-o1-f32', 'rope-o2-f32']) expect(byId(id)).toBeLessThan(1e-4);
    };
    check(true);
    // RoPE changes the output: the reference with and without differ.
    expect(maxDiff([referenceOutput(W, true)], [referenceOutput(W, false)])).toBeGreaterThan(1e-3);
    fireEvent.click(screen.getByLabelText('rotated K'));
    expect((screen.getByLabelText('rotated K') as HTMLInputElement).checked).toBe(true);
    check(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'RoPE' }));
    check(false);
  });

  it('shows the engine refusing RoPE for the V-cache and X-cache variants', () => {
    renderLesson('/lessons/rope');
    expect(screen.getByTestId('refusal-v-cache').textContent).toMatch(/V-cache.*cannot use RoPE/);
    expect(screen.getByTestId('refusal-x-cache').textContent).toMatch(/X-cache.*cannot use RoPE/);
    // In the reader's words: no engine scheme ids ('k-cache', 'kv'), no layer labels.
    for (const id of ['refusal-v-cache', 'refusal-x-cache']) {
      const text = screen.getByTestId(id).textContent ?? '';
      expect(text).not.toMatch(/'(k-cache|kv|v-first|x-cache|v-cache)'|scheme|toy /);
      expect(text).toMatch(/caches K instead \(slim\) or K and V \(standard\)/);
    }
  });
});

describe('lesson 7: biases', () => {
  // The lesson's defaults, written out here (not imported) so that the test checks them.
  const B = { bQ: [1, 0, -1, 1], bK: [1, -1, 0, 2], bV: [0, 1, -1, 1], bO: [1, 0, 0, -1] };
  const wKV = mm(gaussJordanInverse(W.wK), W.wV);

  it('scores with b_K shift by q·b_K for every key, and softmax is unchanged', () => {
    renderLesson('/lessons/biases');
    const q = addRow(mm([X[4]], W.wQ), B.bQ)[0];
    const K = mm(X, W.wK);
    const scores = K.map((k) => dot(q, k) / 2);
    const scoresB = K.map(
      (k) =>
        dot(
          q,
          k.map((x, j) => x + B.bK[j]),
        ) / 2,
    );
    const table = screen.getByRole('table', { name: 'scores with and without the key bias' });
    // Before the prediction is answered the table keeps its answer (the softmax with b_K) back.
    expect(within(table).queryByRole('columnheader', { name: 'softmax, with b_K' })).toBeNull();
    expect(screen.queryByTestId('kbias-prob-diff')).toBeNull();
    const cp = checkpointAsking(/softmax weights/);
    expect(before(cp, table)).toBe(true);
    answer(cp, /Nothing/);
    expect(within(cp).getByText('Right.')).toBeTruthy();
    const rows = readMatrix('scores with and without the key bias');
    const p = softmax(scores);
    const ref = scores.map((s, j) => [s, scoresB[j], scoresB[j] - s, p[j], softmax(scoresB)[j]]);
    expectMatrixClose(rows, ref);
    // The shift is the same for every key: q·b_K/2.
    for (const r of ref) expect(r[2]).toBeCloseTo(dot(q, B.bK) / 2, 12);
    expect(byId('kbias-prob-diff')).toBeLessThan(1e-12);
  });

  it('b_V folds into the output bias b_V·W_O + b_O, with the same output', () => {
    renderLesson('/lessons/biases');
    const folded = addRow(mm([B.bV], W.wO), B.bO);
    expectMatrixClose(readMatrix('folded output bias'), folded);
    expect(byId('fold-diff')).toBeLessThan(1e-12);
  });

  it('slim rebuilds V = (K − b_K)·W_KV + b_V; forgetting b_K is off by b_K·W_KV', () => {
    renderLesson('/lessons/biases');
    const V = addRow(mm(X, W.wV), B.bV);
    const Kb = addRow(mm(X, W.wK), B.bK);
    const minus = B.bK.map((x) => -x);
    const slimV = addRow(mm(addRow(Kb, minus), wKV), B.bV);
    const noShift = addRow(mm(Kb, wKV), B.bV);
    expectMatrixClose(readMatrix('V'), V);
    // V rebuilt from K answers the question: hidden until it is revealed.
    const cp = checkpointAsking(/which expression/i);
    expect(screen.queryByRole('table', { name: 'V from K' })).toBeNull();
    expect(screen.queryByTestId('slim-v-diff')).toBeNull();
    answer(cp, /b_K/);
    expect(within(cp).getByText('Right.')).toBeTruthy();
    expect(before(cp, screen.getByRole('table', { name: 'V from K' }))).toBe(true);
    expectMatrixClose(readMatrix('V from K'), slimV);
    expectMatrixClose(readMatrix('V from K without the shift'), noShift);
    expect(maxDiff(slimV, V)).toBeLessThan(1e-12);
    expect(byId('slim-v-diff')).toBeLessThan(1e-12);
    const off = Math.max(...mm([B.bK], wKV)[0].map(Math.abs));
    expect(Math.abs(byId('slim-v-noshift-diff') - off)).toBeLessThan(1e-2 * off);
  });

  it('toggling each bias keeps slim = standard, and the outputs follow the reference', () => {
    renderLesson('/lessons/biases');
    const on: Biases = { ...B };
    const check = () => {
      const ref = referenceOutput(W, false, on);
      expectMatrixClose(readMatrix('bias layer outputs'), [ref, ref, ref]);
      for (const id of ['bias-o1-f64', 'bias-o2-f64']) expect(byId(id)).toBeLessThan(1e-12);
      for (const id of ['bias-o1-f32', 'bias-o2-f32']) expect(byId(id)).toBeLessThan(1e-4);
    };
    check();
    for (const name of ['bK', 'bV', 'bO', 'bQ'] as const) {
      fireEvent.click(screen.getByRole('checkbox', { name: `use ${name[0]}_${name[1]}` }));
      delete on[name];
      check();
    }
    // An edited bias value reaches the layers: b_V back on with a new first entry.
    fireEvent.click(screen.getByRole('checkbox', { name: 'use b_V' }));
    fireEvent.change(screen.getByLabelText('b_V row 1 column 1'), { target: { value: '3' } });
    on.bV = [3, 1, -1, 1];
    check();
  });
});
