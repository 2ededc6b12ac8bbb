import { LayerReportTable } from '../components/LayerReportTable';
import type { PlaygroundWorker } from './usePlaygroundWorker';

/** Panel 3: the per-layer check, which picks the slim direction of each layer. */
export function CheckPanel({
  worker,
  disabled,
}: {
  worker: Pick<PlaygroundWorker, 'check' | 'runCheck' | 'load'>;
  /** No model loaded, or a generation running (the check's own run disables it too). */
  disabled: boolean;
}) {
  const { check, runCheck, load } = worker;
  const rope = load.state === 'ready' && load.info.rope;
  return (
    <section className="playground-panel" aria-label="Per-layer check">
      <h2>3. Per-layer check</h2>
      <p>
        Can each layer rebuild V from K (K-cache, paper §1) or K from V (the V-cache variant,
        Appendix C), and how accurately in float32 and float16? The direction with the smaller error
        is chosen per layer (RoPE models can only cache K); later generations use it, and a layer
        out of tolerance in both directions leaves the standard side to run alone, as{' '}
        <code>slim run</code> refuses it.
      </p>
      <button
        type="button"
        disabled={disabled || check.state === 'running'}
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
      {check.state === 'done' && <LayerReportTable rows={check.rows} rope={rope} />}
    </section>
  );
}
