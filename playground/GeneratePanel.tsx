import { useState } from 'react';
import { formatBytes, formatNumber } from '../components/format';
import { CacheChart } from './CacheChart';
import { compareRuns, maxDeltaUntilDivergence, type Sampling, type StepReport } from './decoding';
import type { BackendRequest } from '../engine';
import type { GenerationSettings } from './usePlaygroundUrlState';
import type { GenState, PlaygroundWorker } from './usePlaygroundWorker';
import type { GenerateStart, GenerateUpdate } from './worker';

const DEFAULT_PROMPT = 'Call me Ishmael. Some years ago';
const MAX_STEPS = 512;

/** A number input that rounds what is typed to a whole number. */
function WholeNumberField(props: {
  label: string;
  min: number;
  value: number;
  onChange: (value: number) => void;
}) {
  const { label, min, value, onChange } = props;
  return (
    <label>
      {label}
      <input
        type="number"
        min={min}
        step={1}
        value={value}
        onChange={(e) => onChange(Math.round(Number(e.target.value)))}
      />
    </label>
  );
}

function Sides({ prompt, last }: { prompt: string; last?: GenerateUpdate }) {
  return (
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
                ? formatBytes(side === 'standard' ? last.standardCacheBytes : last.slimCacheBytes)
                : '–'}
            </span>
          </p>
        </section>
      ))}
    </div>
  );
}

function Live({
  gen,
  start,
  stepList,
  last,
}: {
  gen: GenState;
  start?: GenerateStart;
  stepList: StepReport[];
  last: GenerateUpdate;
}) {
  const verdict = compareRuns(stepList);
  return (
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
        max |Δ logits| this step <strong>{formatNumber(last.maxAbsDelta, 3)}</strong>, over the run{' '}
        <strong>{formatNumber(maxDeltaUntilDivergence(stepList), 3)}</strong>
        {verdict.identical ? '' : ' (up to the divergence)'} · float32 rounding: the identity is
        exact (paper §1).
      </p>
      <p data-testid="cache-ratio">
        Cache: standard {formatBytes(last.standardCacheBytes)}, slim{' '}
        {formatBytes(last.slimCacheBytes)} (
        {((100 * last.slimCacheBytes) / last.standardCacheBytes).toFixed(0)} % of standard).
      </p>
      <CacheChart steps={stepList} />
    </div>
  );
}

/** Panel 2: the prompt and decoding controls, and both runs side by side as they generate. */
export function GeneratePanel({
  settings,
  ready,
  worker,
}: {
  settings: GenerationSettings;
  /** A model is loaded. */
  ready: boolean;
  worker: Pick<PlaygroundWorker, 'gen' | 'generate' | 'stop'>;
}) {
  const { gen, generate, stop } = worker;
  const { backend, setBackend, decoding, setDecoding, steps, setSteps } = settings;
  const { temperature, setTemperature, topK, setTopK, seed, setSeed } = settings;
  const [prompt, setPrompt] = useState(DEFAULT_PROMPT);

  const sampling: Sampling =
    decoding === 'greedy' ? { kind: 'greedy' } : { kind: 'sample', temperature, topK, seed };

  const running = gen.state === 'running';
  const stepList = gen.state === 'idle' ? [] : gen.steps;
  const last = gen.state === 'idle' ? undefined : gen.last;
  const start = gen.state === 'running' || gen.state === 'done' ? gen.start : undefined;

  return (
    <section className="playground-panel" aria-label="Generate">
      <h2>2. Generate</h2>
      <form
        className="playground-controls"
        onSubmit={(e) => {
          e.preventDefault();
          void generate({ prompt, steps, sampling, backend, forceCpu: settings.forceCpu });
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
                setSteps(Math.max(1, Math.min(MAX_STEPS, Math.round(Number(e.target.value)) || 1)))
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
              <WholeNumberField label="Top-k" min={1} value={topK} onChange={setTopK} />
              <WholeNumberField label="Seed" min={0} value={seed} onChange={setSeed} />
            </>
          )}
          <label>
            Backend
            <select value={backend} onChange={(e) => setBackend(e.target.value as BackendRequest)}>
              <option value="auto">Automatic (the faster here)</option>
              <option value="webgl">WebGL2 (GPU)</option>
              <option value="cpu">CPU</option>
            </select>
          </label>
          <button type="submit" disabled={!ready || running}>
            {running ? 'Generating…' : 'Generate'}
          </button>
          <button type="button" className="secondary" disabled={!running} onClick={stop}>
            Stop
          </button>
        </div>
      </form>

      {start && (
        <p className="playground-device" data-testid="device">
          Backend: <strong>{start.backend === 'webgl' ? 'WebGL2' : 'CPU'}</strong> · {start.device}{' '}
          · prompt {start.promptTokens} tokens · slim runs{' '}
          {start.directions.every((d) => d === 'k-cache')
            ? 'the K-cache in every layer'
            : `per layer: ${start.directions.map((d) => (d === 'k-cache' ? 'K' : 'V')).join(' ')}`}
        </p>
      )}
      {start && !start.notice && (
        <p className="playground-device" data-testid="backend-reason">
          {start.reason}
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
      {gen.state !== 'idle' && <Sides prompt={prompt} last={last} />}
      {last && stepList.length > 0 && (
        <Live gen={gen} start={start} stepList={stepList} last={last} />
      )}
    </section>
  );
}
