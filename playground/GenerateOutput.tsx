import { formatBytes, formatNumber } from '../components/format';
import { CacheChart } from './CacheChart';
import { compareRuns, maxDeltaUntilDivergence, type StepReport } from './decoding';
import type { GenState } from './usePlaygroundWorker';
import type { GenerateStart, GenerateUpdate } from './worker';

const rateText = (last: GenerateUpdate | undefined, rate: number | null | undefined) =>
  last && last.step > 1 && rate !== null && rate !== undefined
    ? `${rate.toFixed(1)} tokens/s`
    : '… tokens/s';

/** Both runs' text after the prompt they ran, with their speed and cache. */
export function Sides({
  prompt,
  start,
  last,
}: {
  /** The prompt of the run shown (not the text box, which may have changed since). */
  prompt: string;
  start?: GenerateStart;
  last?: GenerateUpdate;
}) {
  return (
    <div className="playground-sides">
      {(['standard', 'slim'] as const).map((side) => {
        const standard = side === 'standard';
        const text = last ? (standard ? last.standardText : last.slimText) : '';
        const bytes = last ? (standard ? last.standardCacheBytes : last.slimCacheBytes) : null;
        return (
          <section
            key={side}
            className="playground-side"
            aria-label={`${side} output`}
            data-testid={`${side}-side`}
          >
            <h3>{standard ? 'Standard (KV-cache)' : 'Slim (K-cache only)'}</h3>
            {!standard && start?.slimProblem ? (
              <p className="playground-notice" data-testid="slim-problem">
                Not run: {start.slimProblem}
              </p>
            ) : (
              <>
                <p className="playground-text">
                  <span className="prompt">{prompt}</span>
                  <span data-testid={`${side}-text`}>{text}</span>
                </p>
                <p className="playground-stats">
                  <span data-testid={`${side}-rate`}>
                    {rateText(
                      last,
                      standard ? last?.standardTokensPerSecond : last?.slimTokensPerSecond,
                    )}
                  </span>{' '}
                  · cache{' '}
                  <span data-testid={`${side}-cache`}>
                    {bytes !== null ? formatBytes(bytes) : '–'}
                  </span>
                </p>
              </>
            )}
          </section>
        );
      })}
    </div>
  );
}

/** The comparison of the two runs as they go: verdict, max |Δ logits|, cache bytes, chart. */
export function Live({
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
  const slimRuns = last.slimToken !== null;
  const delta = maxDeltaUntilDivergence(stepList);
  return (
    <div className="playground-live" data-testid="live">
      <p data-testid="progress">
        {gen.state === 'running'
          ? `Step ${last.step} of ${start?.steps ?? '…'}`
          : gen.state === 'done' && gen.result?.stopped
            ? `Stopped after ${last.step} of ${start?.steps ?? '…'} steps.`
            : `Done: ${last.step} steps.`}{' '}
        {last.cachedTokens} tokens in {slimRuns ? 'each cache' : 'the cache'}.
      </p>
      {slimRuns && (
        <>
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
            max |Δ logits| this step <strong>{formatNumber(last.maxAbsDelta ?? 0, 3)}</strong>, over
            the run <strong>{formatNumber(delta, 3)}</strong>
            {verdict.identical ? '' : ' (up to the divergence)'} · the identity V = K·W
            <sub>KV</sub> is exact in real arithmetic (paper §1); float32 rounds the two
            computations differently, by about {formatNumber(delta, 1)} here
            {verdict.identical
              ? ', and the tokens are identical.'
              : ', enough to flip a token whose logit margin was smaller.'}
          </p>
          <p data-testid="cache-ratio">
            Cache: standard {formatBytes(last.standardCacheBytes)}, slim{' '}
            {formatBytes(last.slimCacheBytes ?? 0)} (
            {((100 * (last.slimCacheBytes ?? 0)) / last.standardCacheBytes).toFixed(0)} % of
            standard).
          </p>
        </>
      )}
      <CacheChart steps={stepList} />
    </div>
  );
}
