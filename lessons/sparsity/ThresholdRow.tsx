import { TitleText } from '../common/TitleText';
import { PlotFigure } from '../../components/charts/PlotFigure';
import { Slider } from '../../components/Slider';
import { formatNumber } from '../../components/format';
import { TAU, type AttentionRow } from './useAttentionRow';
import { MODEL } from './useMobyProbes';

/** The model panel: prompt, layer, head and threshold, and the last token's softmax row. */
export function ThresholdRow({ row }: { row: AttentionRow }) {
  const { loaded, model, prompt, setPrompt, layer, setLayer, head, setHead, tau, setTau } = row;
  const { promptProblem, probed, current, run, probes } = row;
  return (
    <>
      <h2>A real attention row</h2>
      <section
        className="sparsity-panel"
        aria-label="real attention row"
        aria-busy={loaded.status === 'loading' || probed.status === 'running'}
      >
        {loaded.status === 'loading' && (
          <p role="status" data-testid="model-status">
            Loading {MODEL} (under 4 MB) and building it on the CPU backend…
          </p>
        )}
        {loaded.status === 'error' && (
          <div className="notice-error" role="alert">
            <p data-testid="model-error">
              The lesson could not load the model {MODEL}. <TitleText text={loaded.message} /> The
              text below still reads without it; the numbers need the model.
            </p>
            <button type="button" onClick={row.retry}>
              Load the model again
            </button>
          </div>
        )}
        {model && (
          <>
            <label className="sparsity-prompt">
              Prompt
              <textarea rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
            </label>
            <div className="sparsity-controls">
              <label className="select">
                layer{' '}
                <select value={layer + 1} onChange={(e) => setLayer(Number(e.target.value))}>
                  {Array.from({ length: model.layers }, (_, i) => (
                    <option key={i} value={i + 1}>
                      {i + 1}
                      {i + 1 === model.layers ? ' (last)' : ''}
                    </option>
                  ))}
                </select>
              </label>
              <label className="select">
                head{' '}
                <select value={head + 1} onChange={(e) => setHead(Number(e.target.value))}>
                  {Array.from({ length: model.heads }, (_, i) => (
                    <option key={i} value={i + 1}>
                      {i + 1}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <Slider
              label={<>threshold τ</>}
              min={TAU.min}
              max={TAU.max}
              step={TAU.step}
              value={tau}
              onChange={setTau}
              valueText={`τ = ${formatNumber(tau, 3)}`}
            />
            {promptProblem && (
              <p className="notice-error" role="alert" data-testid="prompt-problem">
                {promptProblem}
              </p>
            )}
            {probed.status === 'error' && (
              <p className="notice-error" role="alert">
                The model could not run on this prompt. <TitleText text={probed.message} />
              </p>
            )}
            {!promptProblem && !current && probed.status !== 'error' && (
              <p role="status" className="small" data-testid="probe-status">
                Running the model on the prompt…
              </p>
            )}
            {run && probes && (
              <>
                <p className="small">
                  Head {head + 1} of layer {probes.f64.layer + 1}: the weights of the last token, “
                  {model.tokenizer.decode([probes.ids[probes.ids.length - 1]])}”, over the{' '}
                  <span data-testid="token-count">{probes.ids.length}</span> tokens of the prompt
                  (they sum to 1; the model splits text into short pieces of words). Bars under the
                  dashed line are skipped.
                </p>
                <PlotFigure
                  ariaLabel={`Softmax weights of the last token, head ${head + 1} of layer ${probes.f64.layer + 1}, with the threshold`}
                  options={run.chart}
                />
              </>
            )}
          </>
        )}
      </section>
    </>
  );
}
