import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi, beforeAll } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { lessons } from '../../lessons/registry';
import { directorySources } from '../../engine/io/node';
import {
  checkModel,
  float16ReconstructionError,
  openModel,
  readWeights,
  restoreLayer,
} from '../../engine';

// jsdom has no Worker: the lesson measures on the page instead (same engine calls).
import { DEFAULT_WEIGHTS } from '../../lessons/common/toyData';
import { gaussJordanInverse } from './lessonsReference';
import {
  answer,
  before,
  byId,
  checkpointAsking,
  expectShown,
  lessonRenderer,
  parseShown,
  readMatrix,
  shownText,
  preloadLessons,
} from './lessonKit';
import { toHalf } from '../shared/float16';

vi.setConfig({ testTimeout: 60_000 });

// ------------------------------------------------------------ independent references

type Mat = number[][];
const mm = (a: Mat, b: Mat): Mat =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
/** The toy W_K by hand: U·diag(1, σ)·Vᵀ with the 3-4-5 rotations the lesson states. */
const toyWk = (sigma: number): Mat =>
  mm(
    mm(
      [
        [0.6, -0.8],
        [0.8, 0.6],
      ],
      [
        [1, 0],
        [0, sigma],
      ],
    ),
    [
      [0.8, -0.6],
      [0.6, 0.8],
    ],
  );
const WV: Mat = [
  [1.5, 0.5],
  [-0.5, 1],
];
const inv2 = ([[a, b], [c, d]]: Mat): Mat => {
  const det = a * d - b * c;
  return [
    [d / det, -b / det],
    [-c / det, a / det],
  ];
};
/** max |store(A)·store(B) − A·B| / max |target|, products and sums rounded to float32. */
function rebuildError(a: Mat, b: Mat, target: Mat, store: (x: number) => number): number {
  const exact = mm(a, b);
  // A value past float16's range cannot be stored: the rebuild fails outright.
  if ([...a.flat(), ...b.flat()].some((x) => !Number.isFinite(store(x)))) return Infinity;
  let worst = 0;
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 2; j++) {
      let s = 0;
      for (let k = 0; k < 2; k++) s = Math.fround(s + Math.fround(store(a[i][k]) * store(b[k][j])));
      worst = Math.max(worst, Math.abs(s - exact[i][j]));
    }
  return worst / Math.max(...target.flat().map(Math.abs));
}
/** The toy at σ, by hand: cond = 1/σ, W_KV = W_K⁻¹W_V, W_VK = W_V⁻¹W_K and the four errors. */
function toyReference(sigma: number) {
  const wK = toyWk(sigma);
  const wKV = mm(inv2(wK), WV);
  const wVK = mm(inv2(WV), wK);
  return {
    wK,
    wKV,
    cond: 1 / sigma,
    f32KtoV: rebuildError(wK, wKV, WV, Math.fround),
    f16KtoV: rebuildError(wK, wKV, WV, toHalf),
    f32VtoK: rebuildError(WV, wVK, wK, Math.fround),
    f16VtoK: rebuildError(WV, wVK, wK, toHalf),
  };
}
/** cond(W_V) by hand: the singular values of a 2×2 from the eigenvalues of W_VᵀW_V. */
function cond2(m: Mat): number {
  const [[a, b], [c, d]] = m;
  const t = a * a + b * b + c * c + d * d;
  const det = Math.abs(a * d - b * c);
  const s1 = Math.sqrt((t + Math.sqrt(t * t - 4 * det * det)) / 2);
  return s1 / (det / s1);
}

/** Largest singular value of m: power iteration on mᵀm. */
function sigmaMax(m: Mat): number {
  const mtm = mm(
    m[0].map((_, j) => m.map((r) => r[j])),
    m,
  );
  let v = m[0].map((_, i) => 1 + i / 7);
  let lambda = 0;
  for (let it = 0; it < 500; it++) {
    const w = mtm.map((r) => r.reduce((s, x, k) => s + x * v[k], 0));
    lambda = Math.hypot(...w);
    v = w.map((x) => x / lambda);
  }
  return Math.sqrt(lambda);
}
/** 2-norm condition number: σ_max(W)·σ_max(W⁻¹). */
const cond = (m: Mat) => sigmaMax(m) * sigmaMax(gaussJordanInverse(m));
/** Lesson 2's near-singular W_K, by hand: row 4 = row 2 + ε·(row 4 − row 2). */
const nearSingularWk = (eps: number): Mat =>
  DEFAULT_WEIGHTS.wK.map((row, i) =>
    i === 3
      ? row.map((x, j) => DEFAULT_WEIGHTS.wK[1][j] + eps * (x - DEFAULT_WEIGHTS.wK[1][j]))
      : [...row],
  );

// ------------------------------------------------------------ helpers

const renderLesson = lessonRenderer('precision');
beforeAll(() => preloadLessons('precision'));

/**
 * Serves public/models to fetch, as the app's server does, in the test that reads the real
 * layers; elsewhere the models are not found (the lesson says so), which keeps those tests from
 * measuring eight layers on jsdom's one thread.
 */
let serveModels = false;
beforeEach(() => {
  serveModels = false;
  vi.stubGlobal('fetch', async (url: string) => {
    const path = new URL(url).pathname.replace(/^\//, '');
    return serveModels
      ? new Response(readFileSync(`public/${path}`))
      : new Response(null, { status: 404 });
  });
  localStorage.clear();
});
afterEach(() => vi.unstubAllGlobals());

describe('lesson 11, precision and conditioning', () => {
  it('follows "Sparsity" with its two checkpoints', () => {
    const i = lessons.findIndex((l) => l.slug === 'sparsity');
    expect(lessons[i + 1].slug).toBe('precision');
    expect(lessons[i + 1].checkpoints).toEqual(['fp16-error', 'better-direction']);
  });

  it('shows u per format and the toy W_K, W_KV, cond and float32 error, measured by hand', async () => {
    renderLesson();
    await screen.findByTestId('toy-cond');
    expectShown(byId('u-float64'), 2 ** -53);
    expectShown(byId('u-float32'), 2 ** -24);
    expectShown(byId('u-float16'), 2 ** -11);
    expectShown(byId('u-bfloat16'), 2 ** -8);

    // The default: σ₂ = 0.1.
    let ref = toyReference(0.1);
    readMatrix('toy W_K').forEach((r, i) => r.forEach((x, j) => expectShown(x, ref.wK[i][j], 4)));
    readMatrix('toy W_KV').forEach((r, i) => r.forEach((x, j) => expectShown(x, ref.wKV[i][j], 4)));
    expectShown(byId('toy-cond'), 10);
    expectShown(byId('toy-f32'), ref.f32KtoV);
    expectShown(byId('toy-f32-rule'), 10 * 2 ** -24);
    expectShown(byId('toy-condv'), cond2(WV));
    // Nothing of float16 before its prediction.
    expect(screen.queryByTestId('toy-f16')).toBeNull();

    // σ₂ = 10⁻⁴: cond 10⁴, the error grows.
    fireEvent.change(screen.getByRole('slider'), { target: { value: '-4' } });
    ref = toyReference(1e-4);
    expectShown(byId('toy-cond'), 1e4);
    expectShown(byId('toy-f32'), ref.f32KtoV);
    expectShown(byId('toy-f32-rule'), 1e4 * 2 ** -24);
    readMatrix('toy W_KV').forEach((r, i) => r.forEach((x, j) => expectShown(x, ref.wKV[i][j], 4)));
  });

  it('asks for the float16 error at cond 10⁴ before showing it, then measures it', async () => {
    renderLesson('?sigma=-2');
    await screen.findByTestId('toy-cond');
    const cp = checkpointAsking(/float16/);
    const chart = screen.getByRole('figure', { name: /against cond\(W_K\)/ });
    expect(before(cp, chart)).toBe(true);
    const ask = toyReference(1e-4);
    // The measured error is of order 1: the right answer is "Around 1".
    expect(ask.f16KtoV).toBeGreaterThan(0.1);
    answer(cp, /Around 1/);
    expect(within(cp).getByText(/Right|Correct/i)).toBeTruthy();
    expectShown(byId('ask-f16'), ask.f16KtoV);
    const here = toyReference(1e-2);
    expectShown(byId('toy-f16'), here.f16KtoV);
    expectShown(byId('toy-f16-rule'), 100 * 2 ** -11);
    // Past float16's range W_KV overflows.
    fireEvent.change(screen.getByRole('slider'), { target: { value: '-6' } });
    expect(shownText('toy-f16')).toBe('overflows');
    expect(toyReference(1e-6).f16KtoV).toBe(Infinity);
  });

  it('asks which direction wins at cond 10⁶, then shows both with the engine’s choice', async () => {
    renderLesson('?sigma=-6');
    await screen.findByTestId('toy-cond');
    expect(screen.queryByTestId('toy-direction')).toBeNull();
    const ref = toyReference(1e-6);
    expect(ref.f32VtoK).toBeLessThan(ref.f32KtoV);
    const cp = checkpointAsking(/which rebuild/);
    answer(cp, /K from V/);
    expectShown(byId('ask-ktov'), ref.f32KtoV);
    expectShown(byId('ask-vtok'), ref.f32VtoK);
    expectShown(byId('toy-dir-f32-k'), ref.f32KtoV);
    expectShown(byId('toy-dir-f32-v'), ref.f32VtoK);
    expect(shownText('toy-dir-f16-k')).toBe('overflows');
    expectShown(byId('toy-dir-f16-v'), ref.f16VtoK);
    expect(shownText('toy-direction')).toBe('V-cache');
    fireEvent.change(screen.getByRole('slider'), { target: { value: '0' } });
    // cond 1: either is exact enough; the engine keeps the smaller float32 error.
    const one = toyReference(1);
    expect(shownText('toy-direction')).toBe(one.f32KtoV <= one.f32VtoK ? 'K-cache' : 'V-cache');
  });

  it('runs the toy head with the same σ₂: slim = standard in float64, float32 drifts with cond', async () => {
    renderLesson('?sigma=0');
    await screen.findByTestId('layer-cond');
    expectShown(byId('layer-cond'), cond(nearSingularWk(1)));
    for (const id of ['precision-o1-f64', 'precision-o2-f64']) expect(byId(id)).toBeLessThan(1e-12);
    const calm = Math.max(byId('precision-o1-f32'), byId('precision-o2-f32'));
    expect(calm).toBeLessThan(1e-5);
    fireEvent.change(screen.getByRole('slider'), { target: { value: '-6' } });
    const c = cond(nearSingularWk(1e-6));
    expectShown(byId('layer-cond'), c);
    for (const id of ['precision-o1-f64', 'precision-o2-f64'])
      expect(byId(id)).toBeLessThan(c * 2 ** -53 * 100);
    for (const id of ['precision-o1-f32', 'precision-o2-f32']) {
      // Far above float32's rounding, and within the rule of thumb's reach (outputs are ≈ 1).
      expect(byId(id)).toBeGreaterThan(Math.max(1000 * calm, 1e-3));
      expect(byId(id)).toBeLessThan(c * 2 ** -24 * 10);
    }
  });

  it('measures every layer of both default models, as checkModel and the float16 rebuild do', async () => {
    serveModels = true;
    renderLesson();
    expect(await screen.findByTestId('precision-progress')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('precision-report-moby-llama')).toBeTruthy(), {
      timeout: 50_000,
    });
    for (const name of ['moby-gpt2', 'moby-llama']) {
      const opened = await openModel(await directorySources(`public/models/${name}`), name);
      const checks = await checkModel(opened);
      const table = screen.getByTestId(`precision-report-${name}`);
      const rows = within(table).getAllByRole('row').slice(1);
      expect(rows).toHaveLength(checks.length);
      for (const [i, tr] of rows.entries()) {
        const c = checks[i];
        const cells = within(tr)
          .getAllByRole('cell')
          .map((td) => td.textContent ?? '');
        const w = await readWeights(opened, opened.spec.layout.tensors(i));
        restoreLayer(opened.spec, w, i);
        const { wK, wV } = opened.spec.layout.read(w, i);
        expectShown(parseShown(cells[0]), c.condK);
        expectShown(parseShown(cells[1]), c.condV);
        expectShown(parseShown(cells[2]), c.f32KtoV as number);
        expectShown(parseShown(cells[3]), float16ReconstructionError(wK, wV));
        expectShown(parseShown(cells[4]), c.f32VtoK as number);
        expectShown(parseShown(cells[5]), float16ReconstructionError(wV, wK));
        expect(cells[6]).toBe(c.direction === 'v-cache' ? 'V-cache' : 'K-cache');
      }
      expectShown(byId(`${name}-max-cond`), Math.max(...checks.map((c) => c.condK)));
      expect(byId(`${name}-v-layers`)).toBe(checks.filter((c) => c.direction === 'v-cache').length);
    }
    // The RoPE model keeps the K-cache everywhere.
    expect(byId('moby-llama-v-layers')).toBe(0);
    await act(async () => {});
  });

  it('prints the published Whisper figures with cond × u beside them', async () => {
    renderLesson();
    await screen.findByTestId('paper-median');
    // The later study's figures (paper Appendix A), as published.
    expect(shownText('paper-median')).toBe('1.4e7');
    expect(shownText('paper-max')).toBe('5.2e9');
    expect(shownText('paper-condv')).toBe('4.5e6');
    expect(shownText('paper-logit-k')).toBe('0.54');
    expect(shownText('paper-logit-v')).toBe('0.0059');
    expect(shownText('paper-better-whisper-tiny')).toContain('3 of 4 layers of whisper-tiny');
    expect(shownText('paper-better-whisper-large-v3')).toContain(
      '31 of 32 layers of whisper-large-v3',
    );
    expectShown(byId('paper-median-f32'), 1.4e7 / 2 ** 24);
    expectShown(byId('paper-max-f32'), 5.2e9 / 2 ** 24);
    expectShown(byId('paper-condv-f16'), 4.5e6 / 2 ** 11);
    expectShown(byId('paper-max-f64'), 5.2e9 / 2 ** 53);
    expect(screen.getByText(/failed at every model size/)).toBeTruthy();
    expect(screen.getByText(/Only X-caching/)).toBeTruthy();
    // Their exact source, beside them (issue 20): not a section or table of the paper, but the
    // later study after Appendix A, published in the paper's source repository.
    const source = screen.getByTestId('paper-study-source');
    expect(source.textContent).toMatch(/not from a section or table of the paper/);
    expect(source.textContent).toMatch(/Appendix A/);
    const links = [...source.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    const repo = 'https://github.com/OpenMachine-ai/transformer-tricks/pull';
    expect(links).toEqual([
      'https://arxiv.org/abs/2503.05840',
      `${repo}/28`,
      `${repo}/23`,
      `${repo}/29`,
    ]);
    // Without the model files the lesson says which file it could not fetch.
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /could not be measured: The default model file moby-gpt2\/config.json could not be fetched \(HTTP 404\)/,
    );
  });
});
