/**
 * The GPT-2 of gpt2Onnx.ts on ONNX Runtime (Web's wasm backend in the bench page, its Node
 * build in `bench/export-onnx.ts --check`): one InferenceSession, the past key/values fed back
 * from each run's present outputs, positions and the causal bias made on the host. The ort
 * namespace is passed in, so the page and Node import the build that suits them.
 */
import type * as Ort from 'onnxruntime-web';
import type { Gpt2Config } from '../../engine';
import { causalBias, gpt2OnnxNames as N } from './gpt2Onnx';

type OrtModule = typeof Ort;

export class OrtGpt2 {
  private past: { k: Ort.Tensor; v: Ort.Tensor }[] = [];
  private n = 0;

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly config: Gpt2Config,
  ) {
    this.reset();
  }

  /** A session over the model bytes (wasm execution provider, ORT's default optimisations). */
  static async create(ort: OrtModule, model: Uint8Array, config: Gpt2Config): Promise<OrtGpt2> {
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    return new OrtGpt2(ort, session, config);
  }

  /** Tokens in the cache. */
  get length(): number {
    return this.n;
  }

  /** Empties the cache (zero-row past tensors). */
  reset(): void {
    const { heads, d, layers } = this.config;
    const empty = () => new this.ort.Tensor('float32', new Float32Array(0), [heads, 0, d / heads]);
    this.past = Array.from({ length: layers }, () => ({ k: empty(), v: empty() }));
    this.n = 0;
  }

  /** Appends `ids` (causal, after what is cached); the last token's logits [vocab]. */
  async forward(ids: readonly number[]): Promise<Float32Array> {
    const m = ids.length;
    const n0 = this.n;
    if (n0 + m > this.config.nPositions)
      throw new Error(`ORT GPT-2: ${n0 + m} tokens exceed ${this.config.nPositions} positions`);
    const { Tensor } = this.ort;
    const feeds: Record<string, Ort.Tensor> = {
      [N.inputIds]: new Tensor('int64', BigInt64Array.from(ids, BigInt), [m]),
      [N.positionIds]: new Tensor(
        'int64',
        BigInt64Array.from({ length: m }, (_, i) => BigInt(n0 + i)),
        [m],
      ),
      [N.attnBias]: new Tensor('float32', causalBias(n0, m), [m, n0 + m]),
    };
    this.past.forEach((p, i) => {
      feeds[N.pastKey(i)] = p.k;
      feeds[N.pastValue(i)] = p.v;
    });
    const out = await this.session.run(feeds);
    for (const t of Object.values(feeds)) t.dispose();
    this.past = this.past.map((_, i) => ({ k: out[N.presentKey(i)], v: out[N.presentValue(i)] }));
    this.n = n0 + m;
    const logits = out[N.logits];
    return logits.data as Float32Array;
  }

  async release(): Promise<void> {
    for (const p of this.past) {
      p.k.dispose();
      p.v.dispose();
    }
    await this.session.release();
  }
}

/** The index of the largest value (the first one on a tie, as argmax on the GPU backends). */
export function argmaxOf(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}
