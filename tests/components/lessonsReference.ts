/**
 * Independent float64 references for the lesson tests: plain nested loops over number[][],
 * written from paper §1 and the toy model's definition (residual + tied unembedding), sharing
 * no code with engine/ or lessons/.
 */
export type Mat = number[][];

export interface Weights {
  wQ: Mat;
  wK: Mat;
  wV: Mat;
  wO: Mat;
}

export function mm(a: Mat, b: Mat): Mat {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
}

/** Determinant by Laplace expansion along the first row (exact for small integer matrices). */
export function laplaceDet(m: Mat): number {
  if (m.length === 1) return m[0][0];
  return m[0].reduce(
    (s, x, j) =>
      s + (j % 2 ? -1 : 1) * x * laplaceDet(m.slice(1).map((r) => r.filter((_, c) => c !== j))),
    0,
  );
}

export function gaussJordanInverse(a: Mat): Mat {
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

export function softmax(v: number[]): number[] {
  const mx = Math.max(...v);
  const e = v.map((x) => Math.exp(x - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Head outputs (before W_O) of the last token, standard attention with h heads. */
export function referenceHeads(w: Weights, emb: Mat, ids: number[], h: number): number[] {
  const X = ids.map((i) => emb[i]);
  const K = mm(X, w.wK);
  const V = mm(X, w.wV);
  const q = mm([X[X.length - 1]], w.wQ)[0];
  const d = q.length;
  const dk = d / h;
  const out = new Array<number>(d).fill(0);
  for (let i = 0; i < h; i++) {
    const cols = [...Array(dk).keys()].map((c) => i * dk + c);
    const s = softmax(K.map((k) => cols.reduce((a, c) => a + q[c] * k[c], 0) / Math.sqrt(dk)));
    for (const c of cols) out[c] = s.reduce((a, p, j) => a + p * V[j][c], 0);
  }
  return out;
}

/** Next-token logits of the last token: (x + head·W_O) · e_t for every vocabulary row e_t. */
export function referenceLogits(w: Weights, emb: Mat, ids: number[], h: number): number[] {
  const x = emb[ids[ids.length - 1]];
  const y = mm([referenceHeads(w, emb, ids, h)], w.wO)[0];
  return emb.map((e) => e.reduce((s, ei, i) => s + ei * (x[i] + y[i]), 0));
}

/** Greedy continuation of `prompt`; also the smallest gap between the best and second logit. */
export function referenceGreedy(
  w: Weights,
  emb: Mat,
  prompt: readonly number[],
  h: number,
  steps: number,
): { tokens: number[]; minMargin: number } {
  const ids = [...prompt];
  const tokens: number[] = [];
  let minMargin = Infinity;
  for (let s = 0; s < steps; s++) {
    const logits = referenceLogits(w, emb, ids, h);
    const best = logits.indexOf(Math.max(...logits));
    const second = Math.max(...logits.filter((_, i) => i !== best));
    minMargin = Math.min(minMargin, logits[best] - second);
    tokens.push(best);
    ids.push(best);
  }
  return { tokens, minMargin };
}

export function maxDiff(a: Mat, b: Mat): number {
  return Math.max(...a.flatMap((r, i) => r.map((x, j) => Math.abs(x - b[i][j]))));
}
