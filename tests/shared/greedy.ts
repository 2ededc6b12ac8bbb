import type { LoadedModel } from '../../engine';

/**
 * Prefill, then greedy decode for `steps` steps: the tokens, and the logits row that chose each
 * (the tests' one decode loop over a LoadedModel).
 */
export async function greedy(
  model: LoadedModel,
  prompt: readonly number[],
  steps: number,
): Promise<{ tokens: number[]; logits: Float32Array[] }> {
  const tokens: number[] = [];
  const logits: Float32Array[] = [];
  let out = model.prefill(prompt);
  for (let s = 0; s < steps; s++) {
    logits.push(Float32Array.from(await out.read()));
    const next = await model.argmax(out);
    out.dispose();
    tokens.push(next);
    out = model.decode(next);
  }
  out.dispose();
  return { tokens, logits };
}
