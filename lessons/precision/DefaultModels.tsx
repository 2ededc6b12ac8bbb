import { useEffect, useState } from 'react';
import type { LayerPrecision } from '../../engine';
import { LayerReportTable, formatRebuildError as err } from '../../components/LayerReportTable';
import { DEFAULT_MODELS, defaultModelsBase } from '../../components/defaultModels';
import { Tex } from '../../components/Tex';
import { fmt } from './common';
import { TitleText } from '../common/TitleText';
import type { MeasureProgress, ModelPrecision } from './measure';
import { startPrecisionWorker } from './client';

type Measure =
  | { state: 'running'; progress?: MeasureProgress }
  | { state: 'done'; models: ModelPrecision[] }
  | { state: 'error'; message: string };

/** The default models' layers, measured in the lesson's worker when the lesson opens. */
export function DefaultModels() {
  const [measure, setMeasure] = useState<Measure>({ state: 'running' });
  useEffect(() => {
    const worker = startPrecisionWorker();
    let live = true;
    worker
      .measure(defaultModelsBase(), (progress) => {
        if (live) setMeasure({ state: 'running', progress });
      })
      .then(
        (models) => live && setMeasure({ state: 'done', models }),
        (error: unknown) =>
          live &&
          setMeasure({
            state: 'error',
            message: error instanceof Error ? error.message : String(error),
          }),
      )
      .finally(() => worker.terminate());
    return () => {
      live = false;
      worker.terminate();
    };
  }, []);

  return (
    <>
      <h2>Real layers: the app’s two models</h2>
      <p>
        The same measurement on every layer of the two small models that ship with the app, run by
        the engine in a background worker: cond of both matrices, the float32 and float16 error of
        each direction, and the direction the engine chooses (the Playground’s per-layer check
        computes the same table).
      </p>
      <div className="precision-real" aria-busy={measure.state === 'running'}>
        {measure.state === 'running' && (
          <div role="status" data-testid="precision-progress">
            <progress
              max={measure.progress?.total ?? 1}
              value={measure.progress?.done ?? 0}
              aria-label="Measuring the layers"
            />{' '}
            {measure.progress
              ? `${measure.progress.done} / ${measure.progress.total} layers measured (${measure.progress.model})`
              : 'Loading the models…'}
          </div>
        )}
        {measure.state === 'error' && (
          <div className="notice-error" role="alert">
            <p>
              The layers could not be measured: <TitleText text={measure.message} />
            </p>
          </div>
        )}
        {measure.state === 'done' && measure.models.map((m) => <ModelReport key={m.model} m={m} />)}
      </div>
    </>
  );
}

function ModelReport({ m }: { m: ModelPrecision }) {
  const rows: readonly LayerPrecision[] = m.rows;
  const maxCond = Math.max(...rows.map((r) => r.condK));
  const vCache = rows.filter((r) => r.direction === 'v-cache').length;
  const worst16 = Math.max(...rows.map((r) => r.f16KtoV ?? Infinity));
  return (
    <div data-testid={`real-${m.model}`}>
      <h3>
        {m.model}{' '}
        <span className="small">
          ({DEFAULT_MODELS[m.model]}; d = {m.d}, {rows.length} layers)
        </span>
      </h3>
      <LayerReportTable
        rows={rows}
        label={`${m.model} per-layer precision`}
        testId={`precision-report-${m.model}`}
      />
      <p>
        Largest <Tex>{'\\operatorname{cond}(W_K)'}</Tex>:{' '}
        <strong data-testid={`${m.model}-max-cond`}>{fmt(maxCond)}</strong>; worst float16 error of
        V from K: <strong data-testid={`${m.model}-worst-f16`}>{err(worst16)}</strong>. The engine
        picks the V-cache in <strong data-testid={`${m.model}-v-layers`}>{vCache}</strong> of{' '}
        {rows.length} layers
        {m.rope
          ? ': this model uses RoPE, so every layer keeps the K-cache even where K from V would be more accurate.'
          : '.'}
      </p>
    </div>
  );
}
