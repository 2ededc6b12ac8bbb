import { beforeEach, describe, expect, it, vi, beforeAll } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { lessons } from '../../lessons/registry';
import { DEFAULT_WEIGHTS, EMBEDDINGS } from '../../lessons/common/toyData';
import { paperWhisperTable } from '../../roofline';
import { mm, softmax, type Mat, type Weights } from './lessonsReference';
import {
  answer,
  before,
  checkpointAsking,
  expectMatrixClose,
  expectShown,
  lessonRenderer,
  readMatrix,
  preloadLessons,
} from './lessonKit';

vi.setConfig({ testTimeout: 30_000 });

const W = DEFAULT_WEIGHTS as Weights;
/** The lesson's default encoder output (3 frames × d = 4), typed here from the lesson text. */
const E0: Mat = [
  [1, 0, -1, 1],
  [0, 1, 1, 0],
  [-1, 1, 0, 1],
];
/** Decoder tokens "I am a". */
const X = [0, 1, 2].map((i) => EMBEDDINGS[i]);

// ------------------------------------------------------------ independent float64 references

const T = (m: Mat): Mat => m[0].map((_, j) => m.map((r) => r[j]));
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
/** Layer 2 uses the transposes of the toy weights. */
const LAYERS: Weights[] = [W, { wQ: T(W.wQ), wK: T(W.wK), wV: T(W.wV), wO: T(W.wO) }];

/** One-head cross-attention of x against E (no mask; d_k = 4, scale 1/2), paper §4. */
function cross(w: Weights, x: number[], e: Mat): number[] {
  const q = mm([x], w.wQ)[0];
  const K = mm(e, w.wK);
  const V = mm(e, w.wV);
  const s = softmax(K.map((k) => dot(q, k) / 2));
  const y = [0, 1, 2, 3].map((c) => s.reduce((acc, sj, j) => acc + sj * V[j][c], 0));
  return mm([y], w.wO)[0];
}
/** The decoder: x + cross₁(x), then + cross₂(·), for each token. */
function decoder(e: Mat, layers = LAYERS): Mat {
  return X.map((x0) =>
    layers.reduce((x, w) => {
      const y = cross(w, x, e);
      return x.map((v, i) => v + y[i]);
    }, x0),
  );
}

/** Whisper's shapes as paper §4 lists them: d, layers l. p = 1500, n = 448, vocab 51,865. */
const WHISPER: [number, number][] = [
  [384, 4],
  [512, 6],
  [768, 12],
  [1024, 24],
  [1280, 32],
];
function whisperRef(d: number, l: number, batch: number) {
  const [p, n, vocab] = [1500, 448, 51865];
  const cross = 2 * p * d * l;
  const self = 2 * n * d * l;
  const cache = { baseline: cross + self, option1: (cross + self) / 2, option2: self / 2 };
  const base = d * vocab + l * (6 * d * d + 2 * d * 4 * d);
  const params = { baseline: base, option1: base + l * d * d, option2: base + 2 * l * d * d };
  const reads = {
    baseline: cache.baseline + params.baseline / batch,
    option1: cache.option1 + params.option1 / batch,
    option2: cache.option2 + params.option2 / batch,
  };
  return { eCache: p * d, cross, self, cache, params, reads };
}

// ------------------------------------------------------------ helpers

const renderLesson = lessonRenderer('encoder-decoder');
beforeAll(() => preloadLessons('encoder-decoder'));
const text = (el: Element) => (el.textContent ?? '').replace(/−/g, '-');
const num = (s: string) => Number(s.replace(/[M×,]|ms/g, '').trim());
const byId = (id: string) => num(text(screen.getByTestId(id)));
/** A cell's own number, without the paper's value under it. */
const cellValue = (id: string) => {
  const el = screen.getByTestId(id);
  return num(text(el.firstChild as Node as Element) || (el.firstChild?.nodeValue ?? ''));
};

beforeEach(() => localStorage.clear());

describe('registry', () => {
  it('lesson 9 comes after "Biases" with its three checkpoints', () => {
    const slugs = lessons.map((l) => l.slug);
    const i = slugs.indexOf('encoder-decoder');
    expect(i).toBeGreaterThan(slugs.indexOf('biases'));
    expect(lessons[i].checkpoints).toEqual(['e-cache-values', 'whisper-cache', 'first-token']);
  });
});

describe('lesson 9: the toy encoder–decoder', () => {
  it('shows the four cross caches the baseline computes from E', () => {
    renderLesson();
    LAYERS.forEach((w, j) => {
      expectMatrixClose(readMatrix(`K${j + 1}`), mm(E0, w.wK));
      expectMatrixClose(readMatrix(`V${j + 1}`), mm(E0, w.wV));
    });
  });

  it('every scheme reproduces the reference decoder, in float64 and float32', () => {
    renderLesson();
    const ref = decoder(E0);
    const shown = readMatrix('decoder outputs');
    expect(shown).toHaveLength(5);
    shown.forEach((row) => expectMatrixClose([row], [ref[2]]));
    for (const v of ['option1V', 'option1K', 'option2V', 'option2K']) {
      expect(byId(`cross-${v}-f64`)).toBeLessThanOrEqual(1e-12);
      expect(byId(`cross-${v}-f32`)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('asks about the E-cache before showing the engine’s cache counts', () => {
    renderLesson();
    const cp = checkpointAsking(/How many values does the E-cache keep/);
    expect(screen.queryByRole('table', { name: 'toy cross caches' })).toBeNull();
    // p·d = 12: one copy of E for both layers.
    answer(cp, /^12$/);
    expect(within(cp).getByText(/^Right\./)).toBeTruthy();
    const table = screen.getByRole('table', { name: 'toy cross caches' });
    expect(before(cp, table)).toBe(true);
    const [p, d, l] = [3, 4, 2];
    expect(byId('cache-baseline-values')).toBe(2 * p * d * l);
    expect(byId('cache-option1V-values')).toBe(p * d * l);
    expect(byId('cache-option2V-values')).toBe(p * d);
    // float32 engine: 4 bytes per value.
    expect(byId('cache-baseline-bytes')).toBe(4 * 2 * p * d * l);
    expect(byId('cache-option2V-bytes')).toBe(4 * p * d);
    expect(text(table)).toMatch(/E \(shared\) \(3 × 4\)/);
  });

  it('an edited E changes every output, and the schemes still agree', () => {
    renderLesson();
    fireEvent.change(screen.getByLabelText('E row 2 column 3'), { target: { value: '3' } });
    fireEvent.blur(screen.getByLabelText('E row 2 column 3'));
    const e = E0.map((r) => [...r]);
    e[1][2] = 3;
    const ref = decoder(e);
    expect(Math.abs(ref[2][0] - decoder(E0)[2][0])).toBeGreaterThan(1e-3);
    readMatrix('decoder outputs').forEach((row) => expectMatrixClose([row], [ref[2]]));
    expectMatrixClose(readMatrix('K2'), mm(e, LAYERS[1].wK));
    expect(byId('cross-option2K-f64')).toBeLessThanOrEqual(1e-12);
  });

  it('a singular W_K stops the K-caches with the engine’s reason; the E-cache still agrees', () => {
    const wk = '1,1,0,0;1,1,0,0;0,0,1,0;0,0,0,1';
    renderLesson(`?wk=${encodeURIComponent(wk)}`);
    expect(screen.getByRole('alert').textContent).toMatch(
      /The K-caches cannot be used: .*singular/,
    );
    expect(text(screen.getByTestId('cross-option1V-f64'))).toBe('—');
    const singular: Weights = {
      ...W,
      wK: [
        [1, 1, 0, 0],
        [1, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
    };
    const layers = [singular, { ...LAYERS[1], wK: T(singular.wK) }];
    readMatrix('decoder outputs').forEach((row) =>
      expectMatrixClose([row], [decoder(E0, layers)[2]]),
    );
    expect(byId('cross-option2V-f64')).toBeLessThanOrEqual(1e-12);
    expect(byId('cross-option2K-f32')).toBeLessThanOrEqual(1e-5);
  });
});

describe('lesson 9: Whisper (paper §4)', () => {
  const sizes = WHISPER.map((_, i) => i);

  it('asks for the savings first, then regenerates the table at B = 64 beside the paper', () => {
    renderLesson();
    const cp = checkpointAsking(/How much smaller is Whisper/);
    expect(screen.queryByRole('table', { name: 'Whisper table' })).toBeNull();
    answer(cp, /^8\.7/);
    expect(within(cp).getByText(/^Right\./)).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Whisper table' });
    expect(before(cp, table)).toBe(true);
    const P = paperWhisperTable;
    for (const i of sizes) {
      const r = whisperRef(...WHISPER[i], 64);
      expectShown(cellValue(`whisper-e-cache-${i}`) * 1e6, r.eCache);
      expectShown(cellValue(`whisper-cross-kv-${i}`) * 1e6, r.cross);
      expectShown(cellValue(`whisper-cache-option2-${i}`) * 1e6, r.cache.option2);
      expectShown(cellValue(`whisper-savings-${i}`), r.cache.baseline / r.cache.option2);
      expectShown(cellValue(`whisper-params-option2-${i}`) * 1e6, r.params.option2);
      expectShown(cellValue(`whisper-reads-baseline-${i}`) * 1e6, r.reads.baseline);
      expectShown(cellValue(`whisper-speedup-option2-${i}`), r.reads.baseline / r.reads.option2);
      // The paper's printed values sit under ours, all matching.
      expect(text(screen.getByTestId(`whisper-paper-speedup-option2-${i}`))).toBe(
        `paper ${P.speedupB64.option2[i]}`,
      );
      expect(text(screen.getByTestId(`whisper-paper-cache-option2-${i}`))).toBe(
        `paper ${P.cache.option2[i]}`,
      );
    }
    // "5x+ at batch 64".
    for (const i of sizes) expect(cellValue(`whisper-speedup-option2-${i}`)).toBeGreaterThan(5);
    expect(table.querySelectorAll('.whisper-paper.bad')).toHaveLength(0);
  });

  it('the batch slider moves the reads and speedups (paper values at B = 1, none at B = 8)', () => {
    renderLesson();
    answer(checkpointAsking(/How much smaller is Whisper/), /^8\.7/);
    const slider = screen.getByRole('slider', { name: 'batch B' });
    fireEvent.change(slider, { target: { value: '0' } });
    for (const i of sizes) {
      const r = whisperRef(...WHISPER[i], 1);
      expectShown(cellValue(`whisper-speedup-option1-${i}`), r.reads.baseline / r.reads.option1);
      expect(text(screen.getByTestId(`whisper-paper-speedup-option2-${i}`))).toBe(
        `paper ${paperWhisperTable.speedupB1.option2[i]}`,
      );
    }
    fireEvent.change(slider, { target: { value: '3' } });
    const r8 = whisperRef(...WHISPER[4], 8);
    expectShown(cellValue('whisper-reads-option2-4') * 1e6, r8.reads.option2);
    expect(screen.queryByTestId('whisper-paper-speedup-option2-4')).toBeNull();
    // Cache rows do not depend on B and keep their printed values.
    expect(screen.getByTestId('whisper-paper-cache-baseline-4')).toBeTruthy();
  });

  it('times the first token: option 1 halves the cross phase, option 2 has none', () => {
    renderLesson();
    const cp = checkpointAsking(/first token/);
    expect(screen.queryByRole('table', { name: 'time to first token' })).toBeNull();
    answer(cp, /far from twice/);
    expect(within(cp).getByText(/^Right\./)).toBeTruthy();
    // Whisper-large, B = 64, H200 fp16 (989.4 TFLOPS dense, 4.8 TB/s), 2 bytes per value.
    const [p, d, l, f, B, bpv] = [1500, 1280, 32, 5120, 64, 2];
    const [peak, bw] = [989.4e12, 4.8e12];
    const t = (ops: number, bytes: number) => Math.max(ops / peak, bytes / bw) * 1e3;
    const prompt = t(
      B * l * (8 * p * d * d + 4 * p * p * d + 4 * p * d * f),
      l * (4 * d * d + 2 * d * f) * bpv,
    );
    const crossBase = t(B * l * 4 * p * d * d, l * (2 * d * d + B * (p * d + 2 * p * d)) * bpv);
    const crossO1 = t(B * l * 2 * p * d * d, l * (d * d + B * (p * d + p * d)) * bpv);
    expectShown(byId('ttft-prompt-baseline'), prompt);
    expect(byId('ttft-prompt-option2')).toBe(byId('ttft-prompt-baseline'));
    expectShown(byId('ttft-cross-baseline'), crossBase);
    expectShown(byId('ttft-cross-option1'), crossO1);
    expectShown(byId('ttft-cross-option1') * 2, byId('ttft-cross-baseline'));
    expect(text(screen.getByTestId('ttft-cross-option2'))).toBe('none');
    for (const s of ['baseline', 'option1', 'option2']) {
      const sum = [`ttft-prompt-${s}`, `ttft-step-${s}`].reduce((a, id) => a + byId(id), 0);
      const cross = s === 'option2' ? 0 : byId(`ttft-cross-${s}`);
      expectShown(byId(`ttft-total-${s}`), sum + cross);
    }
    expect(byId('ttft-total-option2')).toBeLessThan(byId('ttft-total-baseline'));
    expect(byId('ttft-total-baseline') / byId('ttft-total-option2')).toBeLessThan(1.5);
  });
});
