/**
 * The probabilities of sliding-window attention (GPT-Neo's local layers): query row r sees the
 * key rows j with r + causalOffset − window < j ≤ r + causalOffset, the last `window` positions
 * up to its own. backend.attention has the causal mask only; where the window hides keys (a
 * prefill longer than the window) the scores are formed head by head, the keys older than the
 * window pushed to −1e30 before the causal softmax, as the X-cache layer forms its own.
 */
import type { Backend } from '../backend';
import type { Tensor } from '../tensor';

/** Added to a score the window hides: exp(−1e30 − max) is 0 in float32 and float64. */
const HIDDEN = -1e30;

/** [heads·m, n]: head i's rows at [i·m, (i+1)·m), as backend.attnProbs lays them out. */
export function windowedProbs(
  b: Backend,
  q: Tensor,
  k: Tensor,
  options: { heads: number; scale: number; causalOffset: number; window: number },
): Tensor {
  const { heads, scale, causalOffset, window } = options;
  const [m, e] = q.shape;
  const n = k.shape[0];
  const dk = e / heads;
  const mask = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    const oldest = r + causalOffset - window; // keys j ≤ oldest are outside the window
    for (let j = 0; j <= Math.min(oldest, n - 1); j++) mask[r * n + j] = HIDDEN;
  }
  const hidden = b.fromArray(mask, [m, n]);
  const p = b.zeros([heads * m, n]);
  for (let i = 0; i < heads; i++) {
    const qi = b.sliceCols(q, i * dk, (i + 1) * dk);
    const ki = b.sliceCols(k, i * dk, (i + 1) * dk);
    const scores = b.add(b.scale(b.matmul(qi, ki, { transposeB: true }), scale), hidden);
    b.writeRows(p, i * m, b.softmax(scores, { causalOffset }));
  }
  return p;
}
