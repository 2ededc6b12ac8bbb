import { useEffect, useRef, useState } from 'react';
import * as Comlink from 'comlink';
import { Tex } from '../../../components/Tex';
import { kernels, type Gpt2Config } from '../../../engine';
import { useDocumentTitle } from '../../../components/useDocumentTitle';
import type { EngineWorkerApi, RunResult } from './engine-worker';
import './engine.css';

/** Model sizes the page offers; all random weights (real checkpoints are a later issue). */
const PRESETS: Record<string, { label: string; config: Gpt2Config }> = {
  tiny: {
    label: 'tiny (d 128, 4 heads, 2 layers)',
    config: { vocabSize: 1024, nPositions: 256, d: 128, heads: 4, layers: 2, lnEps: 1e-5 },
  },
  small: {
    label: 'small (d 384, 6 heads, 4 layers)',
    config: { vocabSize: 4096, nPositions: 512, d: 384, heads: 6, layers: 4, lnEps: 1e-5 },
  },
  gpt2: {
    label: 'GPT-2 small shape (d 768, 12 heads, 12 layers)',
    config: { vocabSize: 50257, nPositions: 1024, d: 768, heads: 12, layers: 12, lnEps: 1e-5 },
  },
};

const PROMPT = [464, 2068, 7586, 21831];

const bytes = (b: number): string =>
  b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`;

/** The GLSL the slim decode step runs, beside the math it implements (paper §1, §2). */
function KernelView() {
  return (
    <details className="kernel-view">
      <summary>View the kernel: slim decode, option 2</summary>
      <div className="kernel-grid">
        <div className="kernel-math">
          <p>One decode step at position n, for every head i (paper §2, option 2):</p>
          <Tex
            block
          >{String.raw`s_i = \operatorname{softmax}\!\left(\frac{q_i K_i^\top}{\sqrt{d_k}}\right) \in \mathbb{R}^{1\times n}`}</Tex>
          <p>
            Weighted sum of the <em>whole</em> K rows (d wide, not only head i): the K-cache is the
            only cache.
          </p>
          <Tex block>{String.raw`u_i = s_i\,K \in \mathbb{R}^{1\times d}`}</Tex>
          <p>All heads at once, one block-diagonal product with W_KV = W_K⁻¹ W_V:</p>
          <Tex block>{String.raw`y_i = u_i\,W_{KV,i} \in \mathbb{R}^{1\times d_k}`}</Tex>
          <p>
            Cost per head 2·n·d + 2·d·d_k OPs; cache reads n·d values instead of 2·n·d (paper §2,
            Table 2). Scores: <code>attnScores</code>; softmax in chunks with a running max and sum:{' '}
            <code>softmaxChunkStats</code>, <code>softmaxCombine</code>, <code>softmaxApply</code>.
            u = s·K for all h heads at once: <code>matmulTiled</code>, where each fragment computes
            a block of 8 heads (4 where the GPU has only 4 render targets) × 4 columns, reading each
            K texel once for the whole block, and the n keys are split into chunks (split-K) summed
            by <code>unblockRows</code>. y = u·W_KV: <code>matmulNN</code> with HEAD_ROWS, a GEMV
            per head, also split over its 768-long reduction.
          </p>
        </div>
        <div className="kernel-code">
          {[
            kernels.attnScores,
            kernels.softmaxChunkStats,
            kernels.softmaxCombine,
            kernels.matmulTiled,
            kernels.unblockRows,
            kernels.matmulNN,
          ].map((k) => (
            <figure key={k.name}>
              <figcaption>
                <code>{k.name}</code> (GLSL ES 3.0 fragment shader body)
              </figcaption>
              <pre>
                <code>{k.body.trim()}</code>
              </pre>
            </figure>
          ))}
        </div>
      </div>
    </details>
  );
}

type Status =
  | { state: 'idle' }
  | { state: 'running'; phase: string; done: number; total: number }
  | { state: 'done'; result: RunResult }
  | { state: 'error'; message: string; lost: boolean };

export function EnginePage() {
  useDocumentTitle('Engine');
  const [preset, setPreset] = useState<keyof typeof PRESETS>('tiny');
  const [steps, setSteps] = useState(32);
  const [status, setStatus] = useState<Status>({ state: 'idle' });
  const workerRef = useRef<Worker | null>(null);

  useEffect(() => () => workerRef.current?.terminate(), []);

  const run = async (): Promise<void> => {
    workerRef.current?.terminate();
    // A fresh worker (and WebGL context) per run: a lost context is rebuilt by running again.
    const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' });
    workerRef.current = worker;
    const api = Comlink.wrap<EngineWorkerApi>(worker);
    const params = new URLSearchParams(window.location.search);
    setStatus({ state: 'running', phase: 'building the models', done: 0, total: steps });
    let finished = false;
    try {
      const result = await api.run(
        {
          config: PRESETS[preset].config,
          prompt: PROMPT.map((t) => t % PRESETS[preset].config.vocabSize),
          steps,
          forceCpu: params.get('backend') === 'cpu',
          loseContext: params.get('loseContext') === '1',
        },
        // Progress arrives on its own message port and may land after the result: drop late ones.
        Comlink.proxy((phase: string, done: number, total: number) => {
          if (!finished) setStatus({ state: 'running', phase, done, total });
        }),
      );
      finished = true;
      setStatus({ state: 'done', result });
    } catch (error) {
      finished = true;
      const e = error as Error;
      const lost = e?.name === 'ContextLostError' || /context was lost/i.test(String(e?.message));
      setStatus({ state: 'error', message: e?.message ?? String(error), lost });
    } finally {
      worker.terminate();
      if (workerRef.current === worker) workerRef.current = null;
    }
  };

  const r = status.state === 'done' ? status.result : null;
  return (
    <article className="engine-page">
      <h1>The engine: standard vs slim, live</h1>
      <p className="lede">
        A GPT-2-shaped model with random weights runs on this device’s GPU through WebGL2, once with
        a KV-cache and once with only a K-cache (V = K·W<sub>KV</sub>). Same tokens, half the cache.
      </p>
      <form
        className="engine-controls"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          Model
          <select
            value={preset}
            onChange={(e) => setPreset(e.target.value as keyof typeof PRESETS)}
          >
            {Object.entries(PRESETS).map(([k, p]) => (
              <option key={k} value={k}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tokens to generate
          <input
            type="number"
            min={1}
            max={128}
            step={1}
            value={steps}
            onChange={(e) =>
              setSteps(Math.max(1, Math.min(128, Math.round(Number(e.target.value)) || 1)))
            }
          />
        </label>
        <button type="submit" disabled={status.state === 'running'}>
          {status.state === 'running' ? 'Running…' : 'Run standard vs slim'}
        </button>
      </form>

      {status.state === 'running' && (
        <p role="status" className="engine-progress">
          {status.phase}: {status.done} / {status.total} tokens
        </p>
      )}
      {status.state === 'error' && (
        <div role="alert" className="engine-error">
          <strong>{status.lost ? 'The GPU context was lost.' : 'The run failed.'}</strong>{' '}
          {status.message} Press “Run standard vs slim” to rebuild the engine and try again.
        </div>
      )}
      {r && (
        <section aria-label="Results" className="engine-results">
          {r.notice && (
            <p role="note" className="engine-notice">
              {r.notice}
            </p>
          )}
          <p className="engine-device">
            Backend: <strong>{r.backend === 'webgl' ? 'WebGL2' : 'CPU fallback'}</strong> ·{' '}
            {r.device}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col"></th>
                <th scope="col">standard (KV-cache)</th>
                <th scope="col">slim (K-cache)</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">tokens / s</th>
                <td>{r.standard.tokensPerSecond.toFixed(1)}</td>
                <td>{r.slim.tokensPerSecond.toFixed(1)}</td>
              </tr>
              <tr>
                <th scope="row">K-cache</th>
                <td>{bytes(r.standard.kCacheBytes)}</td>
                <td>{bytes(r.slim.kCacheBytes)}</td>
              </tr>
              <tr>
                <th scope="row">V-cache</th>
                <td>{bytes(r.standard.vCacheBytes)}</td>
                <td>{bytes(r.slim.vCacheBytes)}</td>
              </tr>
              <tr>
                <th scope="row">cache total</th>
                <td data-testid="standard-cache">
                  {bytes(r.standard.kCacheBytes + r.standard.vCacheBytes)}
                </td>
                <td data-testid="slim-cache">{bytes(r.slim.kCacheBytes + r.slim.vCacheBytes)}</td>
              </tr>
              <tr>
                <th scope="row">weights on the device</th>
                <td>{bytes(r.standard.weightBytes)}</td>
                <td>{bytes(r.slim.weightBytes)}</td>
              </tr>
            </tbody>
          </table>
          <p className="engine-verdict" data-testid="verdict">
            Greedy tokens identical: <strong>{r.tokensIdentical ? 'yes' : 'no'}</strong> · max |Δ
            logits| = <strong>{r.maxAbsLogitDiff.toExponential(2)}</strong> (float32 rounding; the
            identity is exact, paper §1)
          </p>
          <p className="engine-tokens">
            Tokens (ids): <code>{r.slim.tokens.join(' ')}</code>
          </p>
        </section>
      )}
      <KernelView />
    </article>
  );
}
