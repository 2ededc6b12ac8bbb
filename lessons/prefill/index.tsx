import { useMemo, type ReactNode } from 'react';
import { clampStep } from '../../components/Slider';
import { numberCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { CacheStrip } from '../../components/CacheStrip';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatBytes } from '../../components/format';
import { bytesPerElement } from '../../engine';
import { D, PROMPT_IDS, TOY_DTYPE, embed, tokenText, type ToyWeights } from '../common/toyData';
import { invertWk } from '../common/inversion';
import { prefillCacheBytes } from '../common/toyRuns';
import { product } from '../common/toyEngine';
import { useToyWeights } from '../common/useToyWeights';
import { WeightsPanel } from '../common/WeightsPanel';
import { LessonLink } from '../common/LessonLink';

const P = PROMPT_IDS.length;

export function PrefillLesson() {
  const { weights, set } = useToyWeights();
  // The slim layer needs W_KV = W_K⁻¹·W_V: without it, say so and keep the editor, as lessons 4
  // and 5 do (the engine's slim layer would refuse these weights).
  const invertible = useMemo(() => invertWk(weights.wK, weights.wV).wKV !== undefined, [weights]);

  return (
    <>
      <p>
        Before the first new word, the model reads the whole prompt — the <em>prefill</em>. Each
        prompt token <Tex>{'x_t'}</Tex> becomes a key <Tex>{'k_t = x_t W_K'}</Tex> and a value{' '}
        <Tex>{'v_t = x_t W_V'}</Tex>, and they are stored so that later tokens can attend to them. A
        real model does all {P} tokens in one matrix product; here you add them one at a time to
        watch the caches fill.
      </p>
      <p>
        Standard attention stores both rows. Slim attention stores only <Tex>{'k_t'}</Tex>:{' '}
        <LessonLink slug="invert-wk" /> showed that <Tex>{'v_t = k_t W_{KV}'}</Tex> whenever it is
        needed.
      </p>

      <WeightsPanel
        weights={weights}
        set={set}
        names={['wK', 'wV']}
        hint={
          <>
            Prefill uses only <Tex>{'W_K'}</Tex> and <Tex>{'W_V'}</Tex>. Change an entry and the
            cached rows change with it; the byte counts do not: they depend only on how many rows
            are stored.
          </>
        }
      />
      {invertible ? (
        <PrefillBody weights={weights} />
      ) : (
        <div className="notice-error" role="alert">
          <p>
            This <Tex>{'W_K'}</Tex> has no usable inverse (it is singular, or too close to singular
            for float64), so there is no <Tex>{'W_{KV}'}</Tex> and slim attention cannot rebuild V
            from its K-cache. <LessonLink slug="invert-wk" /> shows why; change a cell back, or
            press “Restore the default weights”.
          </p>
        </div>
      )}
    </>
  );
}

function PrefillBody({ weights }: { weights: ToyWeights }) {
  const [rawStep, setStep] = useLessonState('step', numberCodec, 0);
  const step = clampStep(rawStep, 0, P);
  const X = useMemo(() => embed(PROMPT_IDS), []);
  const K = useMemo(() => product(X, weights.wK), [X, weights.wK]);
  const V = useMemo(() => product(X, weights.wV), [X, weights.wV]);
  const bytes = useMemo(() => prefillCacheBytes(weights, step), [weights, step]);
  const full = useMemo(() => prefillCacheBytes(weights, P), [weights]);
  const perValue = bytesPerElement(TOY_DTYPE);

  const rowsOf = (m: number[][]) =>
    m.slice(0, step).map((values, i) => ({ token: tokenText(PROMPT_IDS[i]), values }));
  const cur = step - 1;
  const stdCaches = bytes.standard.caches;
  const slimCaches = bytes.slim.caches;
  const cacheBytes = (caches: typeof stdCaches, name: string) =>
    caches.find((c) => c.name === name)?.bytes ?? 0;

  return (
    <>
      <LessonCheckpoint
        id="prefill-bytes"
        question={
          <>
            Before you start: after all {P} prompt tokens, how many bytes will the{' '}
            <strong>slim</strong> cache hold? (d = {D}, {perValue} bytes per value.)
          </>
        }
        choices={[
          ...new Set([full.slim.bytes, full.standard.bytes, P * D, 2 * full.standard.bytes]),
        ].map((b) => ({ label: formatBytes(b), correct: b === full.slim.bytes }))}
        explanation={
          <p>
            p · d · {perValue} bytes = {P} · {D} · {perValue} = {formatBytes(full.slim.bytes)}: one
            key row per token. The standard cache holds keys and values,{' '}
            {formatBytes(full.standard.bytes)} — exactly twice as much.
          </p>
        }
      />
      <div className="stepper" role="group" aria-label="Prefill steps">
        <ol className="token-chips" aria-label="Prompt tokens">
          {PROMPT_IDS.map((id, i) => (
            <li key={i} className={i < step ? (i === cur ? 'done current' : 'done') : undefined}>
              {tokenText(id)}
            </li>
          ))}
        </ol>
        <button type="button" onClick={() => setStep(step - 1)} disabled={step === 0}>
          ← Remove last token
        </button>
        <button type="button" onClick={() => setStep(step + 1)} disabled={step === P}>
          Add the next token →
        </button>
        <span aria-live="polite" className="small" data-testid="prefill-status">
          {step} of {P} prompt tokens cached
        </span>
      </div>

      {step > 0 ? (
        <div className="matrix-row">
          <MatrixView
            label="current x"
            caption={
              <>
                <Tex>{'x_t'}</Tex> (“{tokenText(PROMPT_IDS[cur])}”)
              </>
            }
            value={[X[cur]]}
          />
          <MatrixView label="current k" caption={<Tex>{'k_t = x_t W_K'}</Tex>} value={[K[cur]]} />
          <MatrixView label="current v" caption={<Tex>{'v_t = x_t W_V'}</Tex>} value={[V[cur]]} />
        </div>
      ) : (
        <p className="hint">Nothing cached yet. Add the first token.</p>
      )}

      <div className="cache-compare">
        <CacheSide
          label="Standard attention caches"
          title="Standard: KV-cache"
          totalTestId="standard-bytes"
          totalBytes={bytes.standard.bytes}
        >
          <CacheStrip
            name="standard K-cache"
            rows={rowsOf(K)}
            bytes={cacheBytes(stdCaches, 'K')}
            highlightRow={cur}
          />
          <CacheStrip
            name="standard V-cache"
            rows={rowsOf(V)}
            bytes={cacheBytes(stdCaches, 'V')}
            highlightRow={cur}
            tone="v"
          />
        </CacheSide>
        <CacheSide
          label="Slim attention caches"
          title="Slim: K-cache only"
          totalTestId="slim-bytes"
          totalBytes={bytes.slim.bytes}
        >
          <CacheStrip
            name="slim K-cache"
            rows={rowsOf(K)}
            bytes={cacheBytes(slimCaches, 'K')}
            highlightRow={cur}
          />
          <CacheStrip
            name="slim V-cache"
            rows={[]}
            bytes={0}
            tone="v"
            emptyText="Nothing stored: V is rebuilt from K on demand."
          />
        </CacheSide>
      </div>
      <p className="small">
        Byte counts come from the engine’s cache objects ({TOY_DTYPE}, {perValue} bytes per value, d
        = {D}). Each token adds {D} values to every cache it touches.
      </p>
    </>
  );
}

/** One attention's caches side by side, with their total bytes. */
function CacheSide({
  label,
  title,
  totalTestId,
  totalBytes,
  children,
}: {
  label: string;
  title: string;
  totalTestId: string;
  totalBytes: number;
  children: ReactNode;
}) {
  return (
    <section aria-label={label}>
      <h3>{title}</h3>
      <div className="cache-pair">{children}</div>
      <p className="cache-total">
        Total <strong data-testid={totalTestId}>{formatBytes(totalBytes)}</strong>
      </p>
    </section>
  );
}
