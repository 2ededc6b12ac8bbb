import type { DecoderModel } from '../../engine';

/**
 * Prefill, then greedy decode for `steps` steps: the tokens, and the logits row that chose each,
 * held in float64 (exact for a float32 or float64 backend; the tests' one decode loop).
 */
export async function greedy(
  model: DecoderModel,
  prompt: readonly number[],
  steps: number,
): Promise<{ tokens: number[]; logits: Float64Array[] }> {
  const tokens: number[] = [];
  const logits: Float64Array[] = [];
  let out = model.prefill(prompt);
  for (let s = 0; s < steps; s++) {
    logits.push(Float64Array.from(await out.read()));
    const next = await model.argmax(out);
    out.dispose();
    tokens.push(next);
    out = model.decode(next);
  }
  out.dispose();
  return { tokens, logits };
}
