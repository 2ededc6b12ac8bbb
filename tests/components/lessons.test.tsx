import { afterEach, describe, expect, it, beforeEach, vi, beforeAll } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useLocation } from 'react-router-dom';
import { lessons } from '../../lessons/registry';
import { DEFAULT_WEIGHTS, EMBEDDINGS, PROMPT_IDS } from '../../lessons/common/toyData';
import { PROGRESS_KEY } from '../../lessons/common/progress';
import {
  gaussJordanInverse,
  laplaceDet,
  maxDiff,
  mm,
  referenceGreedy,
  referenceHeads as referenceHeadsOf,
  type Mat,
  type Weights,
} from './lessonsReference';
import {
  before,
  checkpointAsking,
  parseShown,
  readMatrix as readTable,
  renderLesson as renderAt,
  preloadLessons,
} from './lessonKit';

// A lesson render runs the toy engine (and lesson 2 its conditioning sweep once per file); on a
// loaded two-core machine that alone can pass vitest's 5 s default.
vi.setConfig({ testTimeout: 30_000 });

const W = DEFAULT_WEIGHTS as Weights;
/** Head outputs of the last token of `ids` with the default embeddings. */
const referenceHeads = (w: Weights, ids: number[], h: number) =>
  referenceHeadsOf(w, EMBEDDINGS, ids, h);
/** The first greedy token after the prompt, from the reference (not from the app). */
const firstToken = (w: Weights, h: number) =>
  referenceGreedy(w, EMBEDDINGS, PROMPT_IDS, h, 1).tokens[0];
/** Lesson 5 opens on its second decode step: the prompt and two greedy tokens. */
const lesson5Ids = (w: Weights) => [
  ...PROMPT_IDS,
  ...referenceGreedy(w, EMBEDDINGS, PROMPT_IDS, 2, 2).tokens,
];
const num = (el: HTMLElement) => parseShown(el.textContent);

/** A shown number or exact fraction (3/4). */
function numberOrFraction(s: string): number {
  const [n, d] = s.replace(/−/g, '-').split('/');
  return d === undefined ? Number(n) : Number(n) / Number(d);
}
/** Reads a rendered matrix table (numbers or exact fractions) back as numbers. */
const readMatrix = (label: string) => readTable(label, numberOrFraction);

/** Shows the router's current search string, to check what reaches the URL. */
function LocationProbe() {
  return <output data-testid="location-search">{useLocation().search}</output>;
}

const renderLesson = (path: string) => renderAt(path, { index: true, after: <LocationProbe /> });
beforeAll(() =>
  preloadLessons('why-the-cache-dominates', 'invert-wk', 'prefill', 'generate', 'many-heads'),
);

beforeEach(() => localStorage.clear());

describe('lesson framework', () => {
  it('lists every lesson in registry order with prev/next links', () => {
    renderLesson('/lessons');
    // By accessible name (a typeset W_K is named in words), in registry order.
    const named = lessons.map((l) => screen.getByRole('heading', { level: 2, name: l.title }));
    expect(screen.getAllByRole('heading', { level: 2 })).toEqual(named);
  });

  it('shows a specific message for an unknown lesson', () => {
    renderLesson('/lessons/nope');
    expect(screen.getByRole('alert').textContent).toContain('No lesson called “nope”');
  });

  it('links prev/next and carries edited weights along', () => {
    renderLesson('/lessons/prefill?wk=1,0,0,0;0,1,0,0;0,0,1,0;0,0,0,1&step=2');
    const next = screen.getByRole('link', { name: /Generate →/ });
    expect(next.getAttribute('href')).toBe(
      '/lessons/generate?wk=1%2C0%2C0%2C0%3B0%2C1%2C0%2C0%3B0%2C0%2C1%2C0%3B0%2C0%2C0%2C1',
    );
    expect(screen.getByRole('link', { name: /← Invert W_K/ })).toBeTruthy();
  });

  it('checkpoint: reveal needs a prediction, then records progress', () => {
    renderLesson('/lessons/prefill');
    const cp = screen.getByRole('region', { name: 'Checkpoint question' });
    const reveal = within(cp).getByRole('button', { name: 'Reveal the answer' });
    expect((reveal as HTMLButtonElement).disabled).toBe(true);
    // Slim cache after p = 3 tokens: 3 rows · d = 4 · 4 bytes (float32) = 48 B.
    fireEvent.click(within(cp).getByLabelText('48 B'));
    fireEvent.click(reveal);
    expect(within(cp).getByRole('status').textContent).toContain('Right.');
    const saved = JSON.parse(localStorage.getItem(PROGRESS_KEY) ?? '{}');
    expect(saved.checkpoints['prefill/prefill-bytes']).toEqual({ correct: true });
    expect(saved.visited).toContain('prefill');
    // The only checkpoint of lesson 3 is answered: the table of contents marks it done.
    expect(screen.getByRole('navigation', { name: 'Lessons' }).textContent).toContain('✓');
  });

  it('reset clears the URL state back to the defaults', () => {
    renderLesson('/lessons/prefill?step=2');
    expect(screen.getByTestId('prefill-status').textContent).toBe('2 of 3 prompt tokens cached');
    fireEvent.click(screen.getByRole('button', { name: 'Reset to the defaults' }));
    expect(screen.getByTestId('prefill-status').textContent).toBe('0 of 3 prompt tokens cached');
  });
});

describe('lesson 2: invert W_K', () => {
  it('shows det, W_K⁻¹ and W_KV matching an independent Gauss–Jordan inverse', () => {
    renderLesson('/lessons/invert-wk');
    expect(num(screen.getByTestId('det-exact'))).toBe(laplaceDet(W.wK));
    expect(Math.abs(laplaceDet(W.wK))).toBe(1);
    // The inverse answers the question above it: hidden until that is revealed.
    expect(screen.queryByRole('table', { name: 'W_K inverse' })).toBeNull();
    revealCheckpoint(/what\s+kind of numbers/);
    const inv = gaussJordanInverse(DEFAULT_WEIGHTS.wK);
    // Exact fractions vs a float64 elimination: agree to rounding (entries are O(1), 1e-12).
    expect(maxDiff(readMatrix('W_K inverse'), inv)).toBeLessThan(1e-12);
    expect(maxDiff(readMatrix('W_KV'), mm(inv, DEFAULT_WEIGHTS.wV))).toBeLessThan(1e-12);
    expect(screen.getByTestId('check-error').textContent).toBe('0');
  });

  it('editing a W_K cell updates det, the inverse, W_KV and V from K', () => {
    renderLesson('/lessons/invert-wk');
    fireEvent.change(screen.getByLabelText('W_K row 1 column 4'), { target: { value: '2' } });
    const wK = DEFAULT_WEIGHTS.wK.map((r) => [...r]);
    wK[0][3] = 2;
    // An integer matrix has an integer det; Laplace expansion gives it exactly.
    expect(num(screen.getByTestId('det-exact'))).toBe(laplaceDet(wK));
    revealCheckpoint(/what\s+kind of numbers/);
    const inv = gaussJordanInverse(wK);
    expect(maxDiff(readMatrix('W_K inverse'), inv)).toBeLessThan(1e-12);
    expect(maxDiff(readMatrix('W_KV'), mm(inv, DEFAULT_WEIGHTS.wV))).toBeLessThan(1e-12);
    const X = PROMPT_IDS.map((i) => EMBEDDINGS[i]);
    expect(maxDiff(readMatrix('K = X W_K'), mm(X, wK))).toBeLessThan(1e-12);
    expect(maxDiff(readMatrix('K W_KV'), mm(X, DEFAULT_WEIGHTS.wV))).toBeLessThan(1e-9);
  });

  it('arrow keys step a cell; Shift steps by 0.1; bad text is flagged, never applied', () => {
    renderLesson('/lessons/invert-wk');
    const cell = screen.getByLabelText('W_K row 1 column 4') as HTMLInputElement;
    fireEvent.keyDown(cell, { key: 'ArrowUp', shiftKey: true });
    const stepped = DEFAULT_WEIGHTS.wK[0][3] + 0.1;
    expect(Number(cell.value)).toBeCloseTo(stepped, 12);
    fireEvent.change(cell, { target: { value: 'abc' } });
    expect(cell.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toContain('“abc” is not a number');
    // det still reflects the stepped value. det is linear in one entry, so ×10 makes it an
    // integer: det(W_K with 10·row 1) = 10·det, and the shown fraction is that over 10.
    const wK10 = DEFAULT_WEIGHTS.wK.map((r) => [...r]);
    wK10[0] = wK10[0].map((x, j) => 10 * (j === 3 ? stepped : x));
    const det10 = Math.round(laplaceDet(wK10));
    const [n, d] = (screen.getByTestId('det-exact').textContent ?? '').replace('−', '-').split('/');
    expect(Number(n) / Number(d ?? 1)).toBeCloseTo(det10 / 10, 12);
  });

  it('a singular W_K shows the specific explanation and no inverse', () => {
    renderLesson('/lessons/invert-wk');
    fireEvent.click(screen.getByRole('button', { name: /Break it/ }));
    expect(screen.getByTestId('det-exact').textContent).toBe('0');
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Row 2 and row 4 of W_K are equal');
    expect(alert.textContent).toContain('z = [0, −1, 0, 1]');
    expect(screen.queryByRole('table', { name: 'W_K inverse' })).toBeNull();
    expect(screen.getByTestId('cond').textContent).toBe('∞');
  });

  it('the conditioning slider raises cond and the float32 error', () => {
    renderLesson('/lessons/invert-wk');
    const slider = screen.getByLabelText('ε (row 4 → row 2)');
    fireEvent.change(slider, { target: { value: '-1' } });
    const cond1 = Number(screen.getByTestId('sweep-cond').textContent);
    const err1 = Number(screen.getByTestId('sweep-error').textContent?.replace('−', '-'));
    fireEvent.change(slider, { target: { value: '-6' } });
    const cond6 = Number(screen.getByTestId('sweep-cond').textContent?.replace('e', 'e'));
    const err6 = Number(screen.getByTestId('sweep-error').textContent?.replace('−', '-'));
    // cond grows like 1/ε: five decades of ε give about five decades of cond.
    expect(cond6 / cond1).toBeGreaterThan(1e4);
    expect(err6).toBeGreaterThan(err1);
  });
});

describe('lesson 3: prefill', () => {
  it('each step grows the standard cache by 2·d·4 bytes and the slim cache by d·4', () => {
    renderLesson('/lessons/prefill');
    const next = screen.getByRole('button', { name: /Add the next token/ });
    for (let step = 1; step <= 3; step++) {
      fireEvent.click(next);
      expect(screen.getByTestId('slim-bytes').textContent).toBe(`${step * 4 * 4} B`);
      expect(screen.getByTestId('standard-bytes').textContent).toBe(`${step * 2 * 4 * 4} B`);
      expect(screen.getByTestId('slim V-cache bytes').textContent).toBe('0 B');
    }
    expect((next as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('lesson 4: generate', () => {
  it('standard, option 1 and option 2 agree with a nested-loop float64 reference', () => {
    renderLesson('/lessons/generate');
    fireEvent.click(screen.getByRole('button', { name: /^Generate/ }));
    expect(screen.getByTestId('generate-status').textContent).toContain('n = 4');
    const ids = [...PROMPT_IDS, firstToken(W, 1)];
    const ref = referenceHeads(W, ids, 1);
    for (const label of ['standard head output', 'V-first head output', 'K-first head output']) {
      // Shown with 3 significant digits: compare to half a unit in the third digit.
      const shown = readMatrix(label)[0];
      shown.forEach((v, j) =>
        expect(Math.abs(v - ref[j])).toBeLessThanOrEqual(Math.abs(ref[j]) * 5e-3 + 1e-12),
      );
    }
    // The max |Δ| table answers "how far apart": it shows once that is revealed.
    expect(screen.queryByTestId('diff-float64-o2-std')).toBeNull();
    revealCheckpoint(/how far apart/);
    const d64 = Number(screen.getByTestId('diff-float64-o2-std').textContent?.replace('−', '-'));
    const d32 = Number(screen.getByTestId('diff-float32-o2-std').textContent?.replace('−', '-'));
    expect(d64).toBeLessThan(1e-12);
    expect(d32).toBeLessThan(1e-5);
    // Paper §2 per-head OPs at n = 4, d = d_k = 4.
    expect(screen.getByTestId('ops-standard').textContent).toBe(String(2 * 4 * 4));
    expect(screen.getByTestId('ops-option1').textContent).toBe(String(2 * 4 * 4 * 4 + 2 * 4 * 4));
    expect(screen.getByTestId('ops-option2').textContent).toBe(String(2 * 4 * 4 + 2 * 4 * 4));
  });

  it('generating appends to the K-cache only: 16 B per step slim, 32 B standard', () => {
    renderLesson('/lessons/generate?gen=1');
    const kv = () => screen.getByTestId('kv-total-bytes').textContent;
    const k = () => screen.getByTestId('slim K-cache bytes').textContent;
    expect([kv(), k()]).toEqual(['128 B', '64 B']);
    fireEvent.click(screen.getByRole('button', { name: /^Generate/ }));
    expect([kv(), k()]).toEqual(['160 B', '80 B']);
  });
});

describe('lesson 5: many heads', () => {
  it('option 2 for two heads matches the reference and the MHA OP counts follow h', () => {
    renderLesson('/lessons/many-heads');
    const ids = lesson5Ids(W);
    const ref = referenceHeads(W, ids, 2);
    readMatrix('K-first heads')[0].forEach((v, j) =>
      expect(Math.abs(v - ref[j])).toBeLessThanOrEqual(Math.abs(ref[j]) * 5e-4 + 1e-12),
    );
    expect(
      Number(screen.getByTestId('heads-diff-f64').textContent?.replace('−', '-')),
    ).toBeLessThan(1e-12);
    const slider = screen.getByLabelText('heads h');
    fireEvent.change(slider, { target: { value: '4' } });
    const n = 4096;
    const d = 4096;
    const h = 16; // the slider moves log2 h
    const fmt = (x: number) => x.toLocaleString('en-US');
    expect(screen.getByTestId('mha-ops-standard').textContent).toBe(fmt(4 * n * d));
    expect(screen.getByTestId('mha-ops-option2').textContent).toBe(fmt(2 * n * d * (h + 1)));
    expect(screen.getByTestId('mha-int-option2').textContent).toBe(String(2 * h + 2));
    expect(screen.getByTestId('mha-int-standard').textContent).toBe('2');
  });
});

/** Picks the first choice of the checkpoint asking `text` and reveals its answer. */
function revealCheckpoint(text: RegExp) {
  const cp = checkpointAsking(text);
  fireEvent.click(within(cp).getAllByRole('radio')[0]);
  fireEvent.click(within(cp).getByRole('button', { name: 'Reveal the answer' }));
  return cp;
}
function edit(label: string, value: number) {
  fireEvent.change(screen.getByLabelText(label), { target: { value: String(value) } });
}
function withEntry(m: readonly (readonly number[])[], i: number, j: number, v: number): Mat {
  return m.map((r, a) => r.map((x, b) => (a === i && b === j ? v : x)));
}

describe('weight editors in lessons 3–5', () => {
  it('lesson 3: editing W_K changes the cached key rows, not the byte counts', () => {
    renderLesson('/lessons/prefill?step=3');
    const panel = screen.getByText(/Edit the weights/).closest('details')!;
    expect(panel.open).toBe(false);
    edit('W_K row 2 column 1', 3);
    const wK = withEntry(W.wK, 1, 0, 3);
    const K = mm(
      PROMPT_IDS.map((i) => EMBEDDINGS[i]),
      wK,
    );
    // The cache strip lists one row per token: its name, then the d cached values.
    const strip = screen.getByRole('region', { name: 'slim K-cache' });
    const rows = within(strip)
      .getAllByRole('listitem')
      .map((li) =>
        [...li.querySelectorAll('.cache-cell')].map((c) =>
          Number((c.textContent ?? '').replace('−', '-')),
        ),
      );
    // Integer entries are shown exactly.
    expect(maxDiff(rows, K)).toBe(0);
    expect(screen.getByTestId('slim-bytes').textContent).toBe(`${3 * 4 * 4} B`);
    // The summary names the edited matrix, typeset.
    expect(document.querySelector('.weights-edited')?.textContent).toBe(' · edited: W_K');
  });

  it('lesson 4: after editing W_Q, W_K and W_V all three paths still match the reference', () => {
    renderLesson('/lessons/generate?gen=2');
    edit('W_Q row 2 column 1', 2);
    edit('W_K row 3 column 1', 2);
    edit('W_V row 1 column 1', -2);
    const w: Weights = {
      ...W,
      wQ: withEntry(W.wQ, 1, 0, 2),
      wK: withEntry(W.wK, 2, 0, 2),
      wV: withEntry(W.wV, 0, 0, -2),
    };
    // The edited model decodes its own tokens: follow the reference's greedy choice.
    const ids = [...PROMPT_IDS, ...referenceGreedy(w, EMBEDDINGS, PROMPT_IDS, 1, 2).tokens];
    expect(screen.getByTestId('generate-status').textContent).toContain(`n = ${ids.length}`);
    const ref = referenceHeads(w, ids, 1);
    for (const label of ['standard head output', 'V-first head output', 'K-first head output'])
      readMatrix(label)[0].forEach((v, j) =>
        // 3 significant digits shown: half a unit in the third digit.
        expect(Math.abs(v - ref[j])).toBeLessThanOrEqual(Math.abs(ref[j]) * 5e-3 + 1e-12),
      );
    revealCheckpoint(/how far apart/);
    expect(num(screen.getByTestId('diff-float64-o1-std'))).toBeLessThan(1e-12);
    expect(num(screen.getByTestId('diff-float64-o2-std'))).toBeLessThan(1e-12);
    // float32 caches: relative rounding ~6e-8 times values of order 10.
    expect(num(screen.getByTestId('diff-float32-o2-std'))).toBeLessThan(1e-5);
  });

  it('lesson 4: a singular W_K keeps the editors and explains why nothing is compared', () => {
    renderLesson('/lessons/generate?gen=1');
    // Copy row 2 of W_K into row 4, one cell at a time: two equal rows, det = 0.
    W.wK[1].forEach((x, j) => edit(`W_K row 4 column ${j + 1}`, x));
    expect(laplaceDet(W.wK.map((r, i) => (i === 3 ? W.wK[1] : r)))).toBe(0);
    expect(screen.getByRole('alert').textContent).toContain('has no inverse');
    expect(screen.queryByRole('table', { name: 'K-first head output' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Restore the default weights' }));
    expect(screen.getByRole('table', { name: 'K-first head output' })).toBeTruthy();
  });

  it('lesson 5: editing W_V changes the W_KV blocks and option 2 still matches', () => {
    renderLesson('/lessons/many-heads');
    edit('W_V row 2 column 4', 2);
    revealCheckpoint(/columns does computing them read/);
    const w: Weights = { ...W, wV: withEntry(W.wV, 1, 3, 2) };
    const wKV = mm(gaussJordanInverse(w.wK), w.wV);
    expect(
      maxDiff(
        readMatrix('W_KV head 2 block'),
        wKV.map((r) => r.slice(2)),
      ),
    ).toBeLessThan(1e-12);
    const ids = lesson5Ids(w);
    const ref = referenceHeads(w, ids, 2);
    readMatrix('K-first heads')[0].forEach((v, j) =>
      expect(Math.abs(v - ref[j])).toBeLessThanOrEqual(Math.abs(ref[j]) * 5e-4 + 1e-12),
    );
    expect(num(screen.getByTestId('heads-diff-f64'))).toBeLessThan(1e-12);
  });
});

describe('predictions come before the reveals they are about', () => {
  it('lesson 1: the crossover question comes before the sliders and numbers', () => {
    renderLesson('/lessons/why-the-cache-dominates');
    const cp = checkpointAsking(/context length does the KV-cache become larger/);
    expect(before(cp, screen.getByLabelText('context length n'))).toBe(true);
    expect(before(cp, screen.getByTestId('kv-bytes'))).toBe(true);
    // The step times answer the batch-16 speedup question, which now comes before them.
    expect(screen.queryByTestId('speedup')).toBeNull();
    const speed = revealCheckpoint(/batch of 16/);
    expect(before(speed, screen.getByTestId('speedup'))).toBe(true);
  });

  it('lesson 2: the inverse question comes before the inverse', () => {
    renderLesson('/lessons/invert-wk');
    const cp = revealCheckpoint(/what\s+kind of numbers/);
    expect(before(cp, screen.getByRole('table', { name: 'W_K inverse' }))).toBe(true);
    // The determinant question comes before the ε sweep, whose text gives it away.
    const det = checkpointAsking(/replaced by a copy of row 2/);
    expect(before(det, screen.getByLabelText('ε (row 4 → row 2)'))).toBe(true);
  });

  it('lesson 3: the slim bytes question comes before the first step', () => {
    renderLesson('/lessons/prefill');
    const cp = checkpointAsking(/slim/);
    expect(before(cp, screen.getByRole('button', { name: /Add the next token/ }))).toBe(true);
  });

  it('lesson 4: the K-cache growth question comes before Generate, with a computed answer', () => {
    renderLesson('/lessons/generate');
    const cp = checkpointAsking(/next decode step add/);
    const gen = screen.getByRole('button', { name: /^Generate/ });
    expect(before(cp, gen)).toBe(true);
    // One key row: d = 4 values of 4 bytes (float32).
    fireEvent.click(within(cp).getByLabelText('16 B'));
    fireEvent.click(within(cp).getByRole('button', { name: 'Reveal the answer' }));
    expect(within(cp).getByRole('status').textContent).toContain('Right.');
    const k = () => screen.getByTestId('slim K-cache bytes').textContent;
    const bytesBefore = k();
    fireEvent.click(gen);
    expect(Number.parseInt(k() ?? '') - Number.parseInt(bytesBefore ?? '')).toBe(16);
    // The option 1 vs option 2 question precedes the table that answers it.
    expect(screen.queryByTestId('diff-float64-o1-o2')).toBeNull();
    const agree = revealCheckpoint(/how far apart/);
    expect(before(agree, screen.getByTestId('diff-float64-o1-o2'))).toBe(true);
  });

  it('lesson 5: both questions come before their answers', () => {
    renderLesson('/lessons/many-heads');
    expect(screen.queryByRole('table', { name: 'W_KV head 2 block' })).toBeNull();
    const whole = revealCheckpoint(/columns does computing them read/);
    expect(before(whole, screen.getByRole('table', { name: 'W_KV head 2 block' }))).toBe(true);
    const intensity = checkpointAsking(/h = 32 heads/);
    expect(before(intensity, screen.getByTestId('mha-int-option2'))).toBe(true);
  });
});

describe('lesson state and layout', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('an edit shows at once and reaches the URL shortly after; reset undoes it', async () => {
    renderLesson('/lessons/invert-wk');
    edit('W_K row 1 column 4', 2);
    const wK = withEntry(W.wK, 0, 3, 2);
    expect(num(screen.getByTestId('det-exact'))).toBe(laplaceDet(wK));
    // The next-lesson link already carries the edit, before the URL is rewritten.
    const href = screen.getByRole('link', { name: /Prefill →/ }).getAttribute('href') ?? '';
    expect(new URLSearchParams(href.split('?')[1]).get('wk')).toBe(
      wK.map((r) => r.join(',')).join(';'),
    );
    await waitFor(() => expect(screen.getByTestId('location-search').textContent).toMatch(/wk=/));
    fireEvent.click(screen.getByRole('button', { name: 'Reset to the defaults' }));
    await waitFor(() => expect(screen.getByTestId('location-search').textContent).toBe(''));
    expect(num(screen.getByTestId('det-exact'))).toBe(laplaceDet(W.wK));
    expect((screen.getByLabelText('W_K row 1 column 4') as HTMLInputElement).value).toBe(
      String(W.wK[0][3]),
    );
  });

  it('the contents start collapsed on a phone-sized screen and open on a wide one', () => {
    for (const wide of [false, true]) {
      vi.stubGlobal(
        'matchMedia',
        (query: string) =>
          ({
            matches: wide,
            media: query,
            addEventListener: () => {},
            removeEventListener: () => {},
          }) as unknown as MediaQueryList,
      );
      const { unmount } = renderLesson('/lessons/prefill');
      const details = screen.getByRole('navigation', { name: 'Lessons' }).querySelector('details');
      expect(details?.open).toBe(wide);
      unmount();
    }
  });
});
