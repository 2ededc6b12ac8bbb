import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import * as Comlink from 'comlink';
import { DEFAULT_HUB_ENDPOINT, repoIdProblem, type LayerPrecision } from '../engine';
import { formatBytes, formatCount, formatNumber } from '../components/format';
import { enumCodec, numberCodec, stringCodec, useUrlState } from '../components/useUrlState';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { untilSettled } from '../components/workerCalls';
import { CacheChart } from './CacheChart';
import { KernelView } from './KernelView';
import { LayerReportTable } from '../components/LayerReportTable';
import { compareRuns, maxDeltaUntilDivergence, type Sampling, type StepReport } from './decoding';
import {
  DEFAULT_MODELS,
  DEFAULT_MODEL_NAMES,
  defaultModelsBase,
  type DefaultModel,
} from '../components/defaultModels';
import {
  type GenerateResult,
  type GenerateStart,
  type GenerateUpdate,
  type LoadProgress,
  type ModelInfo,
  type ModelSource,
  type PlaygroundWorkerApi,
} from './worker';
import './playground.css';

type ModelChoice = DefaultModel | 'hub' | 'files';
const MODEL_CHOICES: readonly ModelChoice[] = [...DEFAULT_MODEL_NAMES, 'hub', 'files'];
const modelCodec = enumCodec(MODEL_CHOICES);
const backendCodec = enumCodec(['webgl', 'cpu'] as const);
const decodingCodec = enumCodec(['greedy', 'sample'] as const);

const DEFAULT_PROMPT = 'Call me Ishmael. Some years ago';
const MAX_STEPS = 512;

type LoadState =
  | { state: 'idle' }
  | { state: 'loading'; what: string; progress?: LoadProgress }
  | { state: 'ready'; info: ModelInfo }
  | { state: 'cancelled'; what: string }
  | { state: 'error'; message: string };

type GenState =
  | { state: 'idle' }
  | {
      state: 'running' | 'done';
      start?: GenerateStart;
      steps: StepReport[];
      last?: GenerateUpdate;
      result?: GenerateResult;
    }
  | { state: 'error'; message: string; steps: StepReport[]; last?: GenerateUpdate };

type CheckState =
  | { state: 'idle' }
  | { state: 'running'; done: number; total: number }
  | { state: 'done'; rows: LayerPrecision[] }
  | { state: 'error'; message: string };

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const rate = (bytesPerSecond: number): string => `${formatBytes(bytesPerSecond)}/s`;

function DownloadBar({ p }: { p: LoadProgress }) {
  const pct = p.percent ?? undefined;
  return (
    <div className="playground-download" data-testid="download-progress">
      <progress max={100} value={pct} aria-label={`Downloading ${p.file}`} />
      <span>
        {p.file} (file {p.fileIndex + 1} of {p.knownFiles} or fewer): {formatBytes(p.received)}
        {p.total !== undefined ? ` of ${formatBytes(p.total)}` : ''}
        {pct !== undefined ? ` · ${pct.toFixed(0)} %` : ''}
        {p.fromCache ? ' · from the cache' : ` · ${rate(p.bytesPerSecond)}`}
      </span>
    </div>
  );
}

function ModelSummary({ info }: { info: ModelInfo }) {
  return (
    <p className="playground-model" data-testid="model-info">
      Loaded <strong>{info.name}</strong>: {info.family}, {info.layers} layers, d {info.d},{' '}
      {info.heads} heads, vocabulary {formatCount(info.vocabSize)}, {formatCount(info.parameters)}{' '}
      parameters, context {formatCount(info.maxPositions)}
      {info.tokenizer ? `, tokenizer from ${info.tokenizer}` : ', no tokenizer files'}
      {info.fromCache ? ' · from the cache, no download' : ''}.
      {info.notes.map((n) => (
        <span key={n}> {n}</span>
      ))}
    </p>
  );
}

export default function PlaygroundPage() {
  useDocumentTitle('Playground');
  const [model, setModel] = useUrlState('model', modelCodec, 'moby-gpt2');
  const [backend, setBackend] = useUrlState('backend', backendCodec, 'webgl');
  const [decoding, setDecoding] = useUrlState('decoding', decodingCodec, 'greedy');
  const [temperature, setTemperature] = useUrlState('temperature', numberCodec, 0.8);
  const [topK, setTopK] = useUrlState('topk', numberCodec, 40);
  const [seed, setSeed] = useUrlState('seed', numberCodec, 1);
  const [steps, setSteps] = useUrlState('steps', numberCodec, 64);
  const [hubParam] = useUrlState('hub', stringCodec, DEFAULT_HUB_ENDPOINT);
  const [repoParam] = useUrlState('repo', stringCodec, '');
  const [revParam] = useUrlState('rev', stringCodec, 'main');
  const [endpoint, setEndpoint] = useState(hubParam);
  const [repo, setRepo] = useState(repoParam);
  const [revision, setRevision] = useState(revParam);
  const [prompt, setPrompt] = useState(DEFAULT_PROMPT);
  const [load, setLoad] = useState<LoadState>({ state: 'idle' });
  const [gen, setGen] = useState<GenState>({ state: 'idle' });
  const [check, setCheck] = useState<CheckState>({ state: 'idle' });
  const [dragging, setDragging] = useState(false);
  const apiRef = useRef<Comlink.Remote<PlaygroundWorkerApi> | null>(null);
  const loadSeq = useRef(0);
  const cancelled = useRef(false);

  useEffect(() => {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    apiRef.current = Comlink.wrap<PlaygroundWorkerApi>(worker);
    return () => {
      apiRef.current = null;
      worker.terminate();
    };
  }, []);

  const startLoad = useCallback(async (source: ModelSource, what: string) => {
    const api = apiRef.current;
    if (!api) return;
    const seq = ++loadSeq.current;
    cancelled.current = false;
    // A generation still running belongs to the previous model: end it.
    void api.stop();
    setLoad({ state: 'loading', what });
    setGen({ state: 'idle' });
    setCheck({ state: 'idle' });
    try {
      const info = await untilSettled((guard) =>
        api.load(
          source,
          Comlink.proxy(
            guard((progress: LoadProgress) => {
              if (seq === loadSeq.current) setLoad({ state: 'loading', what, progress });
            }),
          ),
        ),
      );
      if (seq === loadSeq.current) setLoad({ state: 'ready', info });
    } catch (error) {
      if (seq !== loadSeq.current) return;
      setLoad(
        cancelled.current
          ? { state: 'cancelled', what }
          : { state: 'error', message: messageOf(error) },
      );
    }
  }, []);

  // A default model loads as soon as it is picked (and on the first visit).
  useEffect(() => {
    if (model !== 'hub' && model !== 'files')
      void startLoad({ kind: 'default', name: model, base: defaultModelsBase() }, model);
  }, [model, startLoad]);

  const loadHub = () => {
    const problem = repoIdProblem(repo.trim());
    if (problem) {
      setLoad({ state: 'error', message: `Repo id “${repo}”: ${problem}.` });
      return;
    }
    void startLoad(
      {
        kind: 'hub',
        endpoint: endpoint.trim(),
        repo: repo.trim(),
        revision: revision.trim() || 'main',
      },
      `${repo.trim()} from ${endpoint.trim()}`,
    );
  };

  const loadFiles = (list: FileList | null) => {
    const files = list ? [...list] : [];
    if (files.length === 0) return;
    void startLoad({ kind: 'files', files }, files.map((f) => f.name).join(', '));
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (model !== 'files') setModel('files');
    loadFiles(e.dataTransfer.files);
  };

  const sampling: Sampling =
    decoding === 'greedy' ? { kind: 'greedy' } : { kind: 'sample', temperature, topK, seed };

  const generate = async () => {
    const api = apiRef.current;
    if (!api) return;
    const steps0: StepReport[] = [];
    setGen({ state: 'running', steps: [] });
    try {
      const result = await untilSettled((guard) =>
        api.generate(
          {
            prompt,
            steps,
            sampling,
            backend,
            forceCpu: new URLSearchParams(window.location.search).get('forceCpu') === '1',
          },
          Comlink.proxy(
            guard((start: GenerateStart) => setGen({ state: 'running', start, steps: [] })),
          ),
          Comlink.proxy(
            guard((u: GenerateUpdate) => {
              steps0.push(u);
              setGen((g) => (g.state === 'running' ? { ...g, steps: [...steps0], last: u } : g));
            }),
          ),
        ),
      );
      setGen((g) => (g.state === 'running' ? { ...g, state: 'done', result } : g));
    } catch (error) {
      setGen({
        state: 'error',
        message: messageOf(error),
        steps: steps0,
        last: steps0.at(-1) as GenerateUpdate | undefined,
      });
    }
  };

  const runCheck = async () => {
    const api = apiRef.current;
    if (!api) return;
    setCheck({ state: 'running', done: 0, total: 1 });
    try {
      const rows = await untilSettled((guard) =>
        api.check(
          Comlink.proxy(
            guard((done: number, total: number) => setCheck({ state: 'running', done, total })),
          ),
        ),
      );
      setCheck({ state: 'done', rows });
    } catch (error) {
      setCheck({ state: 'error', message: messageOf(error) });
    }
  };

  const ready = load.state === 'ready';
  const running = gen.state === 'running';
  const stepList = gen.state === 'idle' ? [] : gen.steps;
  const last = gen.state === 'idle' ? undefined : gen.last;
  const verdict = stepList.length > 0 ? compareRuns(stepList) : undefined;
  const start = gen.state === 'running' || gen.state === 'done' ? gen.start : undefined;

  return (
    <article className="playground-page">
      <h1>Playground: standard vs slim on real weights</h1>
      <p className="lede">
        A trained model generates twice, token by token: once with the standard KV-cache and once
        with slim attention’s K-cache alone (V = K·W<sub>KV</sub>, paper §1). Same tokens, half the
        cache. Everything runs in a worker on this device, on WebGL2 or the CPU.
      </p>

      <section
        className={`playground-panel${dragging ? ' dragging' : ''}`}
        aria-label="Model"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <h2>1. Model</h2>
        <fieldset className="playground-choices">
          <legend>Pick a model</legend>
          {MODEL_CHOICES.map((c) => (
            <label key={c}>
              <input
                type="radio"
                name="model"
                value={c}
                checked={model === c}
                onChange={() => setModel(c)}
              />
              {c === 'hub'
                ? 'Hugging Face Hub repo'
                : c === 'files'
                  ? 'Local files'
                  : `${c} (${DEFAULT_MODELS[c]})`}
            </label>
          ))}
        </fieldset>
        {model === 'hub' && (
          <form
            className="playground-row"
            onSubmit={(e) => {
              e.preventDefault();
              loadHub();
            }}
          >
            <label>
              Repo id
              <input
                value={repo}
                placeholder="owner/name, e.g. distilgpt2"
                onChange={(e) => setRepo(e.target.value)}
              />
            </label>
            <label>
              Revision
              <input value={revision} onChange={(e) => setRevision(e.target.value)} />
            </label>
            <button type="submit" disabled={load.state === 'loading'}>
              Download
            </button>
            {load.state === 'loading' && (
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  cancelled.current = true;
                  void apiRef.current?.cancelDownload();
                }}
              >
                Cancel
              </button>
            )}
            <details className="playground-advanced">
              <summary>Advanced: Hub address</summary>
              <label>
                Hub address
                <input value={endpoint} onChange={(e) => setEndpoint(e.target.value)} />
              </label>
              <p className="hint">
                Files come from <code>{'{address}/{repo}/resolve/{revision}/{file}'}</code> and are
                kept in this browser’s Cache Storage: a second load makes no request.
              </p>
            </details>
          </form>
        )}
        {model === 'files' && (
          <div className="playground-drop">
            <label>
              config.json and model.safetensors (and tokenizer.json)
              <input
                type="file"
                multiple
                accept=".json,.safetensors,.txt"
                data-testid="file-input"
                onChange={(e) => loadFiles(e.target.files)}
              />
            </label>
            <p className="hint">…or drop the files anywhere on this box.</p>
          </div>
        )}
        {load.state === 'loading' && (
          <div role="status" className="playground-status">
            Loading {load.what}…{load.progress && <DownloadBar p={load.progress} />}
          </div>
        )}
        {load.state === 'cancelled' && (
          <p role="status" className="playground-status" data-testid="load-cancelled">
            Download of {load.what} cancelled. Press Download to continue: the bytes already
            received are kept where the server allows a resume.
          </p>
        )}
        {load.state === 'error' && (
          <div role="alert" className="playground-error" data-testid="load-error">
            <strong>The model could not be loaded.</strong> {load.message}
          </div>
        )}
        {load.state === 'ready' && <ModelSummary info={load.info} />}
      </section>

      <section className="playground-panel" aria-label="Generate">
        <h2>2. Generate</h2>
        <form
          className="playground-controls"
          onSubmit={(e) => {
            e.preventDefault();
            void generate();
          }}
        >
          <label className="wide">
            Prompt
            <textarea rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
          </label>
          <div className="playground-row">
            <label>
              Tokens to generate
              <input
                type="number"
                min={1}
                max={MAX_STEPS}
                value={steps}
                onChange={(e) =>
                  setSteps(
                    Math.max(1, Math.min(MAX_STEPS, Math.round(Number(e.target.value)) || 1)),
                  )
                }
              />
            </label>
            <label>
              Decoding
              <select
                value={decoding}
                onChange={(e) => setDecoding(e.target.value as 'greedy' | 'sample')}
              >
                <option value="greedy">greedy</option>
                <option value="sample">seeded sampling</option>
              </select>
            </label>
            {decoding === 'sample' && (
              <>
                <label>
                  Temperature
                  <input
                    type="number"
                    min={0.05}
                    max={5}
                    step={0.05}
                    value={temperature}
                    onChange={(e) => setTemperature(Number(e.target.value))}
                  />
                </label>
                <label>
                  Top-k
                  <input
                    type="number"
                    min={1}
                    step={1}
                    value={topK}
                    onChange={(e) => setTopK(Math.round(Number(e.target.value)))}
                  />
                </label>
                <label>
                  Seed
                  <input
                    type="number"
                    min={0}
                    step={1}
                    value={seed}
                    onChange={(e) => setSeed(Math.round(Number(e.target.value)))}
                  />
                </label>
              </>
            )}
            <label>
              Backend
              <select
                value={backend}
                onChange={(e) => setBackend(e.target.value as 'webgl' | 'cpu')}
              >
                <option value="webgl">WebGL2 (GPU)</option>
                <option value="cpu">CPU (JavaScript)</option>
              </select>
            </label>
            <button type="submit" disabled={!ready || running}>
              {running ? 'Generating…' : 'Generate'}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!running}
              onClick={() => void apiRef.current?.stop()}
            >
              Stop
            </button>
          </div>
        </form>

        {start && (
          <p className="playground-device" data-testid="device">
            Backend: <strong>{start.backend === 'webgl' ? 'WebGL2' : 'CPU'}</strong> ·{' '}
            {start.device} · prompt {start.promptTokens} tokens · slim runs{' '}
            {start.directions.every((d) => d === 'k-cache')
              ? 'the K-cache in every layer'
              : `per layer: ${start.directions.map((d) => (d === 'k-cache' ? 'K' : 'V')).join(' ')}`}
          </p>
        )}
        {start?.notice && (
          <p role="note" className="playground-notice">
            {start.notice}
          </p>
        )}
        {gen.state === 'error' && (
          <div role="alert" className="playground-error" data-testid="generate-error">
            <strong>Generation stopped with an error.</strong> {gen.message}
          </div>
        )}
        {gen.state !== 'idle' && (
          <div className="playground-sides">
            {(['standard', 'slim'] as const).map((side) => (
              <section
                key={side}
                className="playground-side"
                aria-label={`${side} output`}
                data-testid={`${side}-side`}
              >
                <h3>{side === 'standard' ? 'Standard (KV-cache)' : 'Slim (K-cache only)'}</h3>
                <p className="playground-text">
                  <span className="prompt">{prompt}</span>
                  <span data-testid={`${side}-text`}>
                    {last ? (side === 'standard' ? last.standardText : last.slimText) : ''}
                  </span>
                </p>
                <p className="playground-stats">
                  <span data-testid={`${side}-rate`}>
                    {last && last.step > 1
                      ? `${(side === 'standard' ? last.standardTokensPerSecond : last.slimTokensPerSecond).toFixed(1)} tokens/s`
                      : '… tokens/s'}
                  </span>{' '}
                  · cache{' '}
                  <span data-testid={`${side}-cache`}>
                    {last
                      ? formatBytes(
                          side === 'standard' ? last.standardCacheBytes : last.slimCacheBytes,
                        )
                      : '–'}
                  </span>
                </p>
              </section>
            ))}
          </div>
        )}
        {last && verdict && (
          <div className="playground-live" data-testid="live">
            <p data-testid="progress">
              {gen.state === 'running'
                ? `Step ${last.step} of ${start?.steps ?? '…'}`
                : gen.state === 'done' && gen.result?.stopped
                  ? `Stopped after ${last.step} of ${start?.steps ?? '…'} steps.`
                  : `Done: ${last.step} steps.`}{' '}
              {last.cachedTokens} tokens in each cache.
            </p>
            <p data-testid="verdict">
              Tokens identical:{' '}
              {verdict.identical ? (
                <strong className="good">yes</strong>
              ) : (
                <strong className="bad">
                  first divergence at step {verdict.step} (logit margin there{' '}
                  {formatNumber(verdict.margin, 3)})
                </strong>
              )}
            </p>
            <p data-testid="delta">
              max |Δ logits| this step <strong>{formatNumber(last.maxAbsDelta, 3)}</strong>, over
              the run <strong>{formatNumber(maxDeltaUntilDivergence(stepList), 3)}</strong>
              {verdict.identical ? '' : ' (up to the divergence)'} · float32 rounding: the identity
              is exact (paper §1).
            </p>
            <p data-testid="cache-ratio">
              Cache: standard {formatBytes(last.standardCacheBytes)}, slim{' '}
              {formatBytes(last.slimCacheBytes)} (
              {((100 * last.slimCacheBytes) / last.standardCacheBytes).toFixed(0)} % of standard).
            </p>
            <CacheChart steps={stepList} />
          </div>
        )}
      </section>

      <section className="playground-panel" aria-label="Per-layer check">
        <h2>3. Per-layer check</h2>
        <p>
          Can each layer rebuild V from K (K-cache, paper §1) or K from V (the V-cache variant,
          Appendix C), and how accurately in float32 and float16? The direction with the smaller
          error is chosen per layer (RoPE models can only cache K); later generations use it.
        </p>
        <button
          type="button"
          disabled={!ready || check.state === 'running' || running}
          onClick={() => void runCheck()}
        >
          Run the per-layer check
        </button>
        {check.state === 'running' && (
          <div role="status" className="playground-status" data-testid="check-progress">
            <progress max={check.total} value={check.done} aria-label="Per-layer check" />{' '}
            {check.done} / {check.total} layers checked (two SVDs and four rebuilds per layer)
          </div>
        )}
        {check.state === 'error' && (
          <div role="alert" className="playground-error">
            <strong>The check failed.</strong> {check.message}
          </div>
        )}
        {check.state === 'done' && <LayerReportTable rows={check.rows} />}
      </section>

      <KernelView />
    </article>
  );
}
