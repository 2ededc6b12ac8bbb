import { useState, type DragEvent } from 'react';
import { formatBytes, formatCount } from '../components/format';
import { DEFAULT_MODELS } from '../components/defaultModels';
import { HubForm } from './HubForm';
import { MODEL_CHOICES, type HubParams, type ModelChoice } from './usePlaygroundUrlState';
import type { LoadState, PlaygroundWorker } from './usePlaygroundWorker';
import type { LoadProgress, ModelInfo } from './worker';

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
      {info.heads} heads
      {info.kvHeads < info.heads
        ? ` sharing ${info.kvHeads} key/value head${info.kvHeads > 1 ? 's' : ''}`
        : ''}
      , vocabulary {formatCount(info.vocabSize)}, {formatCount(info.parameters)} parameters, context{' '}
      {formatCount(info.maxPositions)}
      {info.tokenizer ? `, tokenizer from ${info.tokenizer}` : ', no tokenizer files'}
      {info.fromCache ? ' · from the cache, no download' : ''}.
      {info.notes.map((n) => (
        <span key={n}> {n}</span>
      ))}
    </p>
  );
}

function LoadStatus({ load }: { load: LoadState }) {
  switch (load.state) {
    case 'loading':
      return (
        <div role="status" className="playground-status">
          Loading {load.what}…{load.progress && <DownloadBar p={load.progress} />}
        </div>
      );
    case 'cancelled':
      return (
        <p role="status" className="playground-status" data-testid="load-cancelled">
          Download of {load.what} cancelled, and the bytes received so far let go. Press Download to
          start again (files already complete stay cached).
        </p>
      );
    case 'error':
      return (
        <div role="alert" className="playground-error" data-testid="load-error">
          <strong>The model could not be loaded.</strong> {load.message}
        </div>
      );
    case 'ready':
      return <ModelSummary info={load.info} />;
    default:
      return null;
  }
}

/** Panel 1: pick a default model, a Hub repo or local files (picked or dropped), and load it. */
export function ModelPanel({
  model,
  setModel,
  hub,
  worker,
}: {
  model: ModelChoice;
  setModel: (model: ModelChoice) => void;
  /** The Hub form's starting values. */
  hub: HubParams;
  worker: Pick<PlaygroundWorker, 'load' | 'startLoad' | 'loadRefused' | 'cancelDownload'>;
}) {
  const { load, startLoad, loadRefused, cancelDownload } = worker;
  const [dragging, setDragging] = useState(false);

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

  return (
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
        <HubForm
          hub={hub}
          load={load}
          startLoad={startLoad}
          loadRefused={loadRefused}
          cancelDownload={cancelDownload}
        />
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
      <LoadStatus load={load} />
    </section>
  );
}
