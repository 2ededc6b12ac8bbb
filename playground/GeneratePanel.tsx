import { Link } from 'react-router-dom';
import { formatCount } from '../components/format';
import type { DefaultModelCard } from '../components/defaultModels';
import { useState } from 'react';
import type { BackendRequest } from '../engine';
import { cacheSchemeLabels } from '../roofline';
import { samplingOf } from './decoding';
import { Live, Sides } from './GenerateOutput';
import { GENERATION_FIELDS, inRange, type GenerationSettings } from './usePlaygroundUrlState';
import type { PlaygroundWorker } from './usePlaygroundWorker';

const DEFAULT_PROMPT = 'Call me Ishmael. Some years ago';
type Field = (typeof GENERATION_FIELDS)[keyof typeof GENERATION_FIELDS];

/** A number input kept to its field's range: what is typed outside it is not taken. */
function RangeField(props: {
  field: Field;
  label: string;
  value: number;
  onChange: (v: number) => void;
}) {
  const { field, label, value, onChange } = props;
  return (
    <label>
      {label}
      <input
        type="number"
        min={field.min}
        max={field.max}
        step={field.whole ? 1 : 'any'}
        value={value}
        onChange={(e) => {
          const v = field.whole ? Math.round(Number(e.target.value)) : Number(e.target.value);
          if (e.target.value.trim() !== '' && inRange(field, v)) onChange(v);
        }}
      />
    </label>
  );
}

/** Panel 2: the prompt and decoding controls, and both runs side by side as they generate. */
export function GeneratePanel({
  settings,
  ready,
  worker,
  card,
}: {
  settings: GenerationSettings;
  /** A model is loaded. */
  ready: boolean;
  worker: Pick<PlaygroundWorker, 'gen' | 'generate' | 'stop' | 'notice'>;
  /** A default model's card, shown under the output (what runs: a toy model). */
  card?: { name: string } & DefaultModelCard;
}) {
  const { gen, generate, stop } = worker;
  const { backend, setBackend, decoding, setDecoding, steps, setSteps } = settings;
  const [prompt, setPrompt] = useState(DEFAULT_PROMPT);
  /** The prompt of the run shown: editing the box afterwards does not rewrite its output. */
  const [ranPrompt, setRanPrompt] = useState(DEFAULT_PROMPT);
  const F = GENERATION_FIELDS;
  const running = gen.state === 'running';
  const stepList = gen.state === 'idle' ? [] : gen.steps;
  const last = gen.state === 'idle' ? undefined : gen.last;
  const start = gen.state === 'running' || gen.state === 'done' ? gen.start : undefined;
  const sampled = decoding === 'sample';

  return (
    <section className="playground-panel" aria-label="Generate">
      <h2>2. Generate</h2>
      {settings.linkProblems.map((p) => (
        <p key={p} role="note" className="playground-notice" data-testid="link-problem">
          {p}
        </p>
      ))}
      <form
        className="playground-controls"
        onSubmit={(e) => {
          e.preventDefault();
          setRanPrompt(prompt);
          void generate({
            prompt,
            steps,
            sampling: samplingOf(settings),
            backend,
            forceCpu: settings.forceCpu,
          });
        }}
      >
        <label className="wide">
          Prompt
          <textarea rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        </label>
        <div className="playground-row">
          <RangeField
            field={F.steps}
            label="Tokens to generate"
            value={steps}
            onChange={setSteps}
          />
          <fieldset className="playground-decoding">
            <legend>Decoding</legend>
            <label>
              <input
                type="radio"
                name="decoding"
                checked={sampled}
                onChange={() => setDecoding('sample')}
              />{' '}
              seeded sampling
            </label>
            <label>
              <input
                type="radio"
                name="decoding"
                checked={!sampled}
                onChange={() => setDecoding('greedy')}
              />{' '}
              greedy
            </label>
          </fieldset>
          {sampled &&
            (
              [
                [F.temperature, 'Temperature', settings.temperature, settings.setTemperature],
                [F.topK, 'Top-k', settings.topK, settings.setTopK],
                [F.topP, 'Top-p', settings.topP, settings.setTopP],
                [F.seed, 'Seed', settings.seed, settings.setSeed],
              ] as const
            ).map(([field, label, value, onChange]) => (
              <RangeField
                key={label}
                field={field}
                label={label}
                value={value}
                onChange={onChange}
              />
            ))}
          <RangeField
            field={F.repetitionPenalty}
            label="Repetition penalty"
            value={settings.repetitionPenalty}
            onChange={settings.setRepetitionPenalty}
          />
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
        <p className="playground-hint" data-testid="decoding-summary">
          {sampled
            ? `Both sides draw with the same seed (${settings.seed}), so identical tokens still prove the identity; Hugging Face generate's order: repetition penalty, temperature, top-k, top-p.`
            : 'Greedy: each side takes its most likely token.'}
        </p>
      </form>

      {worker.notice && (
        <p role="note" className="playground-notice" data-testid="worker-notice">
          {worker.notice}
        </p>
      )}
      {start && (
        <p className="playground-device" data-testid="device">
          Backend: <strong>{start.backend === 'webgl' ? 'WebGL2' : 'CPU'}</strong> · {start.device}{' '}
          · prompt {start.promptTokens} tokens ·{' '}
          {start.directions === null
            ? 'slim not run'
            : start.slimScheme !== 'k-cache'
              ? `slim runs the ${cacheSchemeLabels[start.slimScheme]} in every layer (paper Appendix G)${start.slimScheme === 'x-cache' ? ', larger than the KV-cache here (see the model note)' : ''}`
              : start.directions.every((d) => d === 'k-cache')
                ? 'slim runs the K-cache in every layer'
                : `slim runs per layer: ${start.directions.map((d) => (d === 'k-cache' ? 'K' : 'V')).join(' ')}`}
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
      {start?.warnings.map((w) => (
        <p key={w} role="note" className="playground-notice" data-testid="slim-warning">
          Warning: {w}
        </p>
      ))}
      {gen.state === 'error' && (
        <div role="alert" className="playground-error" data-testid="generate-error">
          <strong>Generation stopped with an error.</strong> {gen.message}
        </div>
      )}
      {gen.state !== 'idle' && <Sides prompt={ranPrompt} start={start} last={last} />}
      {last && stepList.length > 0 && (
        <Live gen={gen} start={start} stepList={stepList} last={last} />
      )}
      {card && gen.state !== 'idle' && (
        <p className="playground-device" data-testid="model-card">
          {card.name}: {formatCount(card.parameters)} parameters trained for {card.trainMinutes}{' '}
          minutes on {card.text}, held-out loss {card.valLoss.toFixed(2)} nats per token. A toy
          model: expect odd English. Why a model this small runs faster on the CPU than on the GPU,
          and how fast slim is: lesson <Link to="/lessons/trade-offs">Trade-offs and FAQ</Link>.
        </p>
      )}
    </section>
  );
}
