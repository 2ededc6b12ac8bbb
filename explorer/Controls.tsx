import { useId, useState, type FormEvent } from 'react';
import { ChipPicker } from '../components/pickers/ChipPicker';
import { ModelPicker } from '../components/pickers/ModelPicker';
import { formatCapacity, formatCount } from '../components/format';
import { chips, models } from '../roofline';
import type { PositionalKind } from '../roofline';
import {
  customModel,
  HfConfigError,
  parseHfConfig,
  storageFormats,
  type StorageFormat,
} from '../roofline';
import { CountInput } from './CountInput';
import {
  CUSTOM,
  customChipProblem,
  type CustomChipState,
  type CustomModelState,
  type ExplorerState,
} from './state';

/** Index of the grid point nearest to n (the slider moves over the plotted grid). */
function nearestIndex(grid: readonly number[], n: number): number {
  let best = 0;
  for (let i = 1; i < grid.length; i++)
    if (Math.abs(Math.log(grid[i] / n)) < Math.abs(Math.log(grid[best] / n))) best = i;
  return best;
}

function NumberField({
  label,
  value,
  onChange,
  min = 1,
  step = 1,
  hint,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  min?: number;
  step?: number | 'any';
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        min={min}
        step={step}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && <span className="small">{hint}</span>}
    </div>
  );
}

const positionals: PositionalKind[] = ['rope', 'learned', 'absolute', 'relative', 'alibi'];

/** A message as a sentence: capital first letter, final full stop. */
function sentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function CustomModelEditor({
  value,
  onApply,
}: {
  value: CustomModelState;
  onApply: (m: CustomModelState) => void;
}) {
  const [fields, setFields] = useState({
    d: String(value.d),
    layers: String(value.layers),
    heads: String(value.heads),
    kvHeads: String(value.kvHeads),
    headDim: String(value.headDim),
    contextLength: String(value.contextLength ?? 4096),
    paramsB: String(value.params / 1e9),
  });
  const [positional, setPositional] = useState<PositionalKind>(value.positional);
  const [pasted, setPasted] = useState('');
  // Each form's error sits right under its own button, where the reader is looking.
  const [error, setError] = useState<{ where: 'typed' | 'pasted'; text: string } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const posId = useId();
  const pasteId = useId();
  const pasteErrorId = useId();
  const set = (k: keyof typeof fields) => (text: string) => setFields({ ...fields, [k]: text });

  function applyTyped(e: FormEvent) {
    e.preventDefault();
    try {
      const params = fields.paramsB.trim() === '' ? undefined : Number(fields.paramsB) * 1e9;
      const m = customModel({
        d: Number(fields.d),
        layers: Number(fields.layers),
        heads: Number(fields.heads),
        kvHeads: Number(fields.kvHeads),
        headDim: Number(fields.headDim),
        contextLength: Number(fields.contextLength),
        params,
        positional,
      });
      setError(null);
      setNote(null);
      onApply({ ...m, name: 'Custom model' });
    } catch (err) {
      setNote(null);
      setError({
        where: 'typed',
        text: sentence(err instanceof Error ? err.message : String(err)),
      });
    }
  }

  function applyPasted() {
    try {
      const { family, model } = parseHfConfig(pasted);
      setError(null);
      setNote(`Read a ${family} config: ${model.name}.`);
      setFields({
        d: String(model.d),
        layers: String(model.layers),
        heads: String(model.heads),
        kvHeads: String(model.kvHeads),
        headDim: String(model.headDim),
        contextLength: String(model.contextLength ?? 4096),
        paramsB: String(Number((model.params / 1e9).toPrecision(4))),
      });
      setPositional(model.positional);
      onApply(model);
    } catch (err) {
      setNote(null);
      setError({
        where: 'pasted',
        text: sentence(err instanceof HfConfigError ? err.message : String(err)),
      });
    }
  }

  return (
    <div className="custom-editor">
      <form onSubmit={applyTyped} aria-label="Custom model numbers">
        <div className="field-grid">
          <NumberField label="d (model width)" value={fields.d} onChange={set('d')} />
          <NumberField label="layers" value={fields.layers} onChange={set('layers')} />
          <NumberField label="h (heads)" value={fields.heads} onChange={set('heads')} />
          <NumberField label="h_kv (KV heads)" value={fields.kvHeads} onChange={set('kvHeads')} />
          <NumberField label="d_k (head width)" value={fields.headDim} onChange={set('headDim')} />
          <NumberField
            label="context"
            value={fields.contextLength}
            onChange={set('contextLength')}
          />
          <NumberField
            label="params (billions)"
            value={fields.paramsB}
            onChange={set('paramsB')}
            min={0}
            step="any"
            hint="empty: estimated"
          />
          <div className="field">
            <label htmlFor={posId}>positions</label>
            <select
              id={posId}
              value={positional}
              onChange={(e) => setPositional(e.target.value as PositionalKind)}
            >
              {positionals.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit">Use these numbers</button>
        {error?.where === 'typed' && (
          <p role="alert" className="notice-error">
            {error.text}
          </p>
        )}
      </form>
      <div className="field paste">
        <label htmlFor={pasteId}>…or paste a Hugging Face config.json</label>
        <textarea
          id={pasteId}
          rows={4}
          spellCheck={false}
          placeholder='{"model_type": "llama", "hidden_size": 4096, …}'
          value={pasted}
          aria-invalid={error?.where === 'pasted' ? true : undefined}
          aria-describedby={error?.where === 'pasted' ? pasteErrorId : undefined}
          onChange={(e) => setPasted(e.target.value)}
        />
        <button type="button" onClick={applyPasted} disabled={pasted.trim() === ''}>
          Read config.json
        </button>
        {error?.where === 'pasted' && (
          <p role="alert" className="notice-error" id={pasteErrorId}>
            {error.text}
          </p>
        )}
        {note && <p className="small">{note}</p>}
      </div>
    </div>
  );
}

function CustomChipEditor({
  value,
  onApply,
}: {
  value: CustomChipState;
  onApply: (c: CustomChipState) => void;
}) {
  const [fields, setFields] = useState({
    tops: String(value.peak / 1e12),
    gbps: String(value.bandwidth / 1e9),
    gb: String(value.capacity / 1e9),
  });
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof fields) => (text: string) => setFields({ ...fields, [k]: text });
  function apply(e: FormEvent) {
    e.preventDefault();
    const chip: CustomChipState = {
      peak: fields.tops.trim() === '' ? NaN : Number(fields.tops) * 1e12,
      bandwidth: fields.gbps.trim() === '' ? NaN : Number(fields.gbps) * 1e9,
      capacity: fields.gb.trim() === '' ? NaN : Number(fields.gb) * 1e9,
    };
    // The same ranges as a link's custom chip (state.ts), so both say the same thing.
    for (const key of ['peak', 'bandwidth', 'capacity'] as const) {
      const problem = customChipProblem(key, chip[key]);
      if (problem) {
        setError(problem);
        return;
      }
    }
    setError(null);
    onApply(chip);
  }
  return (
    <form className="custom-editor" onSubmit={apply} aria-label="Custom chip numbers">
      <div className="field-grid">
        <NumberField label="peak (TOPS)" value={fields.tops} onChange={set('tops')} step="any" />
        <NumberField
          label="bandwidth (GB/s)"
          value={fields.gbps}
          onChange={set('gbps')}
          step="any"
        />
        <NumberField label="capacity (GB)" value={fields.gb} onChange={set('gb')} step="any" />
      </div>
      <button type="submit">Use this chip</button>
      {error && (
        <p role="alert" className="notice-error">
          {error}
        </p>
      )}
    </form>
  );
}

function FormatSelect({
  label,
  value,
  onChange,
}: {
  label: string;
  value: StorageFormat;
  onChange: (f: StorageFormat) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as StorageFormat)}>
        {storageFormats.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The shared controls of the explorer; every value lives in the URL (state.ts). */
export function Controls({ state, grid }: { state: ExplorerState; grid: readonly number[] }) {
  const batchId = useId();
  const contextId = useId();
  const sliderId = useId();
  const index = nearestIndex(grid, state.context);
  return (
    <section className="explorer-controls" aria-label="Controls">
      <div className="control-block">
        <ModelPicker models={models} selectedId={state.modelId} onSelect={state.setModelId} />
        {state.modelId === CUSTOM && (
          <CustomModelEditor value={state.customModel} onApply={state.applyCustomModel} />
        )}
      </div>
      <div className="control-block">
        <ChipPicker chips={chips} selectedId={state.chipId} onSelect={state.setChipId} />
        {state.chipId === CUSTOM && (
          <CustomChipEditor value={state.customChip} onApply={state.applyCustomChip} />
        )}
      </div>
      <div className="control-block control-row">
        <div className="field">
          <label htmlFor={batchId}>batch B</label>
          <CountInput id={batchId} value={state.batch} onCommit={state.setBatch} />
        </div>
        <FormatSelect
          label="weights stored as"
          value={state.weightFormat}
          onChange={state.setWeightFormat}
        />
        <FormatSelect
          label="cache stored as"
          value={state.cacheFormat}
          onChange={state.setCacheFormat}
        />
      </div>
      <div className="control-block context-control">
        <label htmlFor={sliderId}>
          context length n: <strong>{formatCount(state.context)}</strong> tokens
        </label>
        <input
          id={sliderId}
          type="range"
          min={0}
          max={grid.length - 1}
          step={1}
          value={index}
          aria-valuetext={`${formatCount(grid[index])} tokens`}
          onChange={(e) => state.setContext(grid[Number(e.target.value)])}
        />
        <div className="field inline">
          <label htmlFor={contextId}>exact n</label>
          <CountInput
            id={contextId}
            value={state.context}
            min={grid[0]}
            max={grid[grid.length - 1]}
            onCommit={state.setContext}
          />
          <span className="small">
            {formatCount(grid[0])} … {formatCount(grid[grid.length - 1])}; chip memory{' '}
            {formatCapacity(state.chip.memoryCapacity)}
          </span>
        </div>
      </div>
    </section>
  );
}
