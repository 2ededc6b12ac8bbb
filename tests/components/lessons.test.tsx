import { describe, expect, it, beforeEach } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { LessonPage } from '../../app/pages/LessonPage';
import { LessonsIndexPage } from '../../app/pages/LessonsIndexPage';
import { lessons } from '../../lessons/registry';
import { DEFAULT_WEIGHTS, EMBEDDINGS, PROMPT_IDS } from '../../lessons/toyModel';
import { PROGRESS_KEY } from '../../lessons/progress';

type Mat = number[][];

// ---- independent float64 references, plain nested loops (no engine code) ----
function mm(a: Mat, b: Mat): Mat {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
}
function gaussJordanInverse(a: Mat): Mat {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const piv = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}
function softmax(v: number[]): number[] {
  const mx = Math.max(...v);
  const e = v.map((x) => Math.exp(x - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
/** Head outputs (before W_O) of the last token, standard attention, h heads. */
function referenceHeads(w: typeof DEFAULT_WEIGHTS, ids: number[], h: number): number[] {
  const X = ids.map((i) => EMBEDDINGS[i]);
  const Q = mm(X, w.wQ);
  const K = mm(X, w.wK);
  const V = mm(X, w.wV);
  const q = Q[Q.length - 1];
  const dk = 4 / h;
  const out = new Array(4).fill(0);
  for (let i = 0; i < h; i++) {
    const cols = [...Array(dk).keys()].map((c) => i * dk + c);
    const s = softmax(K.map((k) => cols.reduce((a, c) => a + q[c] * k[c], 0) / Math.sqrt(dk)));
    for (const c of cols) out[c] = s.reduce((a, p, j) => a + p * V[j][c], 0);
  }
  return out;
}
/** Reads a rendered matrix table (numbers or exact fractions) back as numbers. */
function readMatrix(label: string): Mat {
  const table = screen.getByRole('table', { name: label });
  return within(table)
    .getAllByRole('row')
    .map((tr) =>
      within(tr)
        .getAllByRole('cell')
        .map((td) => {
          const t = (td.textContent ?? '').replace(/−/g, '-');
          const [n, d] = t.split('/');
          return d === undefined ? Number(n) : Number(n) / Number(d);
        }),
    );
}
function maxDiff(a: Mat, b: Mat): number {
  return Math.max(...a.flatMap((r, i) => r.map((x, j) => Math.abs(x - b[i][j]))));
}

function renderLesson(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/lessons" element={<LessonsIndexPage />} />
        <Route path="/lessons/:slug" element={<LessonPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

beforeEach(() => localStorage.clear());

describe('lesson framework', () => {
  it('lists every lesson in registry order with prev/next links', () => {
    renderLesson('/lessons');
    const items = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(items).toEqual(lessons.map((l) => l.title));
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
    expect(screen.getByTestId('det-exact').textContent).toBe('1');
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
    // det is linear in the edited entry: 1 + 1·cofactor(1,4) = 1 + (−1)^5·(−1) = 2.
    expect(screen.getByTestId('det-exact').textContent).toBe('2');
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
    expect(cell.value).toBe('1.1');
    fireEvent.change(cell, { target: { value: 'abc' } });
    expect(cell.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toContain('“abc” is not a number');
    // det still reflects 1.1: 1 + 0.1·1 = 1.1 = 11/10.
    expect(screen.getByTestId('det-exact').textContent).toBe('11/10');
  });

  it('a singular W_K shows the specific explanation and no inverse', () => {
    renderLesson('/lessons/invert-wk');
    fireEvent.click(screen.getByRole('button', { name: /Break it/ }));
    expect(screen.getByTestId('det-exact').textContent).toBe('0');
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('row 2 and row 4 of W_K are equal');
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
    // Greedy next token after "I am a" is "student" (id 3) with the default weights.
    const ids = [...PROMPT_IDS, 3];
    const ref = referenceHeads(DEFAULT_WEIGHTS, ids, 1);
    for (const label of ['standard head output', 'option 1 head output', 'option 2 head output']) {
      // Shown with 3 significant digits: compare to half a unit in the third digit.
      const shown = readMatrix(label)[0];
      shown.forEach((v, j) =>
        expect(Math.abs(v - ref[j])).toBeLessThanOrEqual(Math.abs(ref[j]) * 5e-3 + 1e-12),
      );
    }
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
    const kv = () => screen.getByTestId('standard KV-cache bytes').textContent;
    const k = () => screen.getByTestId('slim K-cache bytes').textContent;
    expect([kv(), k()]).toEqual(['128 B', '64 B']);
    fireEvent.click(screen.getByRole('button', { name: /^Generate/ }));
    expect([kv(), k()]).toEqual(['160 B', '80 B']);
  });
});

describe('lesson 5: many heads', () => {
  it('option 2 for two heads matches the reference and the MHA OP counts follow h', () => {
    renderLesson('/lessons/many-heads');
    const ids = [...PROMPT_IDS, 3];
    const ref = referenceHeads(DEFAULT_WEIGHTS, ids, 2);
    readMatrix('option 2 heads')[0].forEach((v, j) =>
      expect(Math.abs(v - ref[j])).toBeLessThanOrEqual(Math.abs(ref[j]) * 5e-4 + 1e-12),
    );
    expect(
      Number(screen.getByTestId('heads-diff-f64').textContent?.replace('−', '-')),
    ).toBeLessThan(1e-12);
    const slider = screen.getByLabelText('heads h');
    fireEvent.change(slider, { target: { value: '3' } });
    const n = 4096;
    const d = 4096;
    const h = 8;
    const fmt = (x: number) => x.toLocaleString('en-US');
    expect(screen.getByTestId('mha-ops-standard').textContent).toBe(fmt(4 * n * d));
    expect(screen.getByTestId('mha-ops-option2').textContent).toBe(fmt(2 * n * d * (h + 1)));
    expect(screen.getByTestId('mha-int-option2').textContent).toBe(String(2 * h + 2));
    expect(screen.getByTestId('mha-int-standard').textContent).toBe('2');
  });
});
