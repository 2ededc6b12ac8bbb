/**
 * An independent reference of Hugging Face `generate`'s sampling, written naively on plain
 * arrays from transformers' definitions (RepetitionPenaltyLogitsProcessor, then
 * TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper, softmax), and a draw by one
 * uniform number walking the vocabulary in index order.
 */
export interface ReferenceSampling {
  temperature: number;
  topK?: number;
  topP?: number;
  penalty?: number;
  seen?: number[];
}

/** The probabilities of every token. */
export function reference(logits: number[], o: ReferenceSampling): number[] {
  let s = logits.slice();
  const penalty = o.penalty ?? 1;
  for (const t of [...new Set(o.seen ?? [])]) s[t] = s[t] > 0 ? s[t] / penalty : s[t] * penalty;
  s = s.map((x) => x / o.temperature);
  if (o.topK) {
    const kth = [...s].sort((a, b) => b - a)[o.topK - 1];
    s = s.map((x) => (x < kth ? -Infinity : x));
  }
  const softmax = (xs: number[]) => {
    const m = Math.max(...xs);
    const e = xs.map((x) => Math.exp(x - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  };
  let p = softmax(s);
  if (o.topP !== undefined && o.topP < 1) {
    // The smallest set of the most probable tokens whose probabilities sum to ≥ p.
    const order = p.map((_, i) => i).sort((a, b) => p[b] - p[a]);
    const keep = new Set<number>();
    let sum = 0;
    for (const i of order) {
      keep.add(i);
      sum += p[i];
      if (sum >= o.topP) break;
    }
    p = softmax(s.map((x, i) => (keep.has(i) ? x : -Infinity)));
  }
  return p;
}

/** The token one uniform number `u` draws from `p`: the first whose cumulative sum passes u. */
export function referenceDraw(p: readonly number[], u: number): number {
  const cumulative = p.map((_, i) => p.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const i = cumulative.findIndex((c, j) => p[j] > 0 && c > u);
  return i >= 0 ? i : p.findLastIndex((x) => x > 0);
}
