/**
 * Chunked prefill (DecoderModel.prefill's `chunk`): a prompt run as consecutive forward passes
 * through the caches gives the logits of one whole pass, and the same greedy tokens after it,
 * in every family (GPT-2; Llama with RoPE; GPT-Neo, whose local layers' window must see across
 * chunk edges; Qwen2 with grouped-query attention), standard and slim, on the float64
 * reference and both float32 kernels. Also checked against the independent float64 forward.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../engine/cpu';
import { loadModel, type DecoderOptions, type LoadedModel } from '../../engine/models';
import { PREFILL_CHUNK } from '../../engine/models/decoder';
import {
  referenceLogits,
  tinyCheckpoint,
  TINY_CONFIGS,
  TINY_GPT_NEO,
  type TinyFamily,
} from './models-helpers';

/** 23 tokens: longer than GPT-Neo's window (4), ending mid-chunk for every chunk size below. */
const PROMPT = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6];
/** Chunk sizes: 1 (token by token), the window, a size not a multiple of 4, 8. */
const CHUNKS = [1, TINY_GPT_NEO.window, 5, 8];
const STEPS = 6;

/**
 * Bounds on |chunked − whole| / max|logit|. The float64 loops and the TypeScript kernels sum
 * every product in the same order whatever the row count (measured: no difference at all). The
 * WebAssembly kernels sum a row's products in a tree when it is left over from the groups of
 * four rows and in sequence inside a group, so a row's group can change its float32 rounding
 * (≈ k·2⁻²⁴ relative for a sum of k ≤ 40 terms), carried through 2–3 layers and, for slim,
 * W_KV: the largest seen is 6·10⁻⁶ (GPT-Neo, slim v-first); 2·10⁻⁵ leaves a factor of 3.
 */
const BACKENDS = [
  ['float64', () => new CpuBackend({ dtype: 'float64' }), 1e-12],
  ['float32 WebAssembly', () => new CpuBackend({ dtype: 'float32' }), 2e-5],
  ['float32 TypeScript', () => new CpuBackend({ dtype: 'float32', kernels: 'js' }), 2e-5],
] as const;

const SCHEMES: DecoderOptions[] = [
  { scheme: 'kv' },
  { scheme: 'k-cache', decodeOrder: 'v-first' },
  { scheme: 'k-cache', decodeOrder: 'k-first' },
];

const FAMILIES: TinyFamily[] = ['gpt2', 'llama', 'gpt-neo', 'qwen2'];

/** The logits after the prompt and the greedy tokens after it. */
async function run(model: LoadedModel, chunk: number) {
  let out = model.prefill(PROMPT, { chunk });
  const logits = await out.read();
  const tokens: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    const next = await model.argmax(out);
    out.dispose();
    tokens.push(next);
    out = model.decode(next);
  }
  out.dispose();
  model.reset();
  return { logits, tokens };
}

describe('chunked prefill = one whole pass', () => {
  for (const family of FAMILIES) {
    const config = TINY_CONFIGS[family];
    const ckpt = tinyCheckpoint(family, config, { seed: 11 });
    const want = referenceLogits(family, config, ckpt.weights, PROMPT).at(-1)!;
    const scale = Math.max(...want.map(Math.abs));
    for (const [name, backend, bound] of BACKENDS) {
      it(`${family}, ${name}: same logits (≤ ${bound}·max|logit|) and tokens, standard and slim`, async () => {
        const be = backend();
        for (const options of SCHEMES) {
          const model = await loadModel(ckpt.files, be, options);
          const whole = await run(model, PROMPT.length);
          // The whole pass is the model's: it matches the independent float64 forward.
          want.forEach((w, j) =>
            expect(Math.abs(whole.logits[j] - w)).toBeLessThanOrEqual(
              (be.dtype === 'float64' ? 1e-9 : 1e-4) * scale,
            ),
          );
          for (const chunk of CHUNKS) {
            const got = await run(model, chunk);
            whole.logits.forEach((w, j) =>
              expect(Math.abs(got.logits[j] - w)).toBeLessThanOrEqual(bound * scale),
            );
            expect(got.tokens).toEqual(whole.tokens);
          }
          model.dispose();
        }
        expect(be.stats().liveTensors).toBe(0);
      });
    }
  }

  it('chunks of a multiple of 4 give the float32 kernels’ whole-pass logits bit for bit (GPT-2)', async () => {
    // Every product takes rows in groups of 4 from the first: chunk edges at multiples of 4
    // keep the groups, and the keys beyond a row's causal limit add exact zeros.
    const ckpt = tinyCheckpoint('gpt2', TINY_CONFIGS.gpt2, { seed: 11 });
    const model = await loadModel(ckpt.files, new CpuBackend({ dtype: 'float32' }), {
      scheme: 'kv',
    });
    const whole = await run(model, PROMPT.length);
    for (const chunk of [4, 8, 12]) expect((await run(model, chunk)).logits).toEqual(whole.logits);
    model.dispose();
  });

  it('the default chunk is a multiple of 4; a bad chunk is refused', async () => {
    expect(PREFILL_CHUNK % 4).toBe(0);
    const ckpt = tinyCheckpoint('gpt2', TINY_CONFIGS.gpt2, { seed: 11 });
    const model = await loadModel(ckpt.files, new CpuBackend({ dtype: 'float32' }), {
      scheme: 'kv',
    });
    for (const chunk of [0, 1.5, Number.NaN])
      expect(() => model.prefill(PROMPT, { chunk })).toThrow(/prefill chunk must be a whole/);
    expect(model.length).toBe(0);
    model.dispose();
  });
});
