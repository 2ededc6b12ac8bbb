import { useDeferredValue, useMemo, useState } from 'react';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { LessonLink } from '../common/LessonLink';
import { Tex } from '../../components/Tex';
import { formatBytes, formatNumber } from '../../components/format';
import { bytesPerElement } from '../../engine';
import { D, PROMPT_IDS, tokenText, type ToyWeights } from '../common/toyData';
import { comparePaths, decodeStepDetail, generate } from '../common/toyRuns';
import { CacheCompare } from './CacheCompare';
import { StepDetail } from './StepDetail';
import { MAX_STEPS, P, type StepRun } from './steps';

/** Below this fraction of the output's size, a difference between the options is rounding. */
const ROUNDING_ONLY = 1e-6;

export interface DecodeStepsProps {
  weights: ToyWeights;
  steps: number;
  /** The fewest steps the stepper goes back to (1 while presented: the deck holds a step). */
  minSteps?: number;
  setSteps: (n: number) => void;
}

/** Generate token by token: predictions first, the stepper, the step opened up, the caches. */
export function DecodeSteps({ weights, steps, minSteps = 0, setSteps }: DecodeStepsProps) {
  // The caption under the caches states the growth the "decode-growth" checkpoint asks for.
  const [growthRevealed, setGrowthRevealed] = useState(false);
  // The max |Δ| table answers the "option-agree" checkpoint: it shows once that is revealed.
  const [agreeRevealed, setAgreeRevealed] = useState(false);
  const generated = useMemo(() => generate(weights, 1, MAX_STEPS + 1), [weights]);
  const ids = useMemo(() => [...PROMPT_IDS, ...generated.slice(0, steps)], [generated, steps]);
  const n = ids.length;
  const detail = useMemo(() => decodeStepDetail(weights, 1, ids), [weights, ids]);
  // The agreement table and the cache bytes take nine more engine layer runs; they follow one
  // (deferred) render later, so an edit shows q, scores and outputs within the input's frame.
  const next = generated[steps];
  const now = useMemo(() => ({ weights, ids, next }), [weights, ids, next]);
  const later = useDeferredValue(now);
  const f64 = useMemo(
    () => comparePaths(later.weights, 1, later.ids, P, 'float64'),
    [later.weights, later.ids],
  );
  const f32 = useMemo(
    () => comparePaths(later.weights, 1, later.ids, P, 'float32'),
    [later.weights, later.ids],
  );
  const nextF32 = useMemo(
    () => comparePaths(later.weights, 1, [...later.ids, later.next], P, 'float32'),
    [later.weights, later.ids, later.next],
  );
  const tokens = ids.map(tokenText);
  const run: StepRun = { detail, tokens, f32 };

  const slimGrowth = nextF32.cache.option2.bytes - f32.cache.option2.bytes;
  const stdGrowth = nextF32.cache.standard.bytes - f32.cache.standard.bytes;
  const optionGap = f64.maxDiff.option1VsOption2;
  // Relative to the output's size, so the three choices cover every weight scale: exactly one of
  // them is right for any W (large entries make every absolute difference large).
  const outputScale = Math.max(...f64.rows.standard.map(Math.abs));
  const relativeGap = outputScale > 0 ? optionGap / outputScale : optionGap;
  const gapKind = optionGap === 0 ? 'zero' : relativeGap < ROUNDING_ONLY ? 'rounding' : 'different';

  return (
    <>
      <h2>Predict first</h2>
      <LessonCheckpoint
        id="decode-growth"
        onRevealed={setGrowthRevealed}
        question={
          <>
            Before you press Generate: how many bytes will the next decode step add to the slim
            K-cache?
          </>
        }
        choices={[...new Set([slimGrowth, stdGrowth, 2 * stdGrowth, slimGrowth / 4])].map((b) => ({
          label: formatBytes(b),
          correct: b === slimGrowth,
        }))}
        explanation={
          <p>
            One key row: d = {D} values of {bytesPerElement('float32')} bytes ={' '}
            {formatBytes(slimGrowth)}. The KV-cache adds a key and a value row,{' '}
            {formatBytes(stdGrowth)}.
          </p>
        }
      />
      <div className="stepper" role="group" aria-label="Decode steps">
        <ol className="token-chips" aria-label="Tokens so far">
          {tokens.map((t, i) => (
            <li key={i} className={i < P ? 'done' : i === n - 1 ? 'done current' : 'done gen'}>
              {t}
            </li>
          ))}
          <li className="next">?</li>
        </ol>
        <button type="button" onClick={() => setSteps(steps - 1)} disabled={steps <= minSteps}>
          ← Back one step
        </button>
        <button type="button" onClick={() => setSteps(steps + 1)} disabled={steps === MAX_STEPS}>
          Generate: feed “{tokenText(next)}” →
        </button>
        <span className="small" aria-live="polite" data-testid="generate-status">
          n = {n} cached tokens ({steps} generated)
        </span>
      </div>
      <LessonCheckpoint
        id="option-agree"
        onRevealed={setAgreeRevealed}
        question={
          <>
            Before you look below: at this step (n = {n}), in float64, how far apart are the outputs
            of the V-first and the K-first order?
          </>
        }
        choices={[
          { label: 'Exactly 0', correct: gapKind === 'zero' },
          {
            label: 'Tiny, rounding only (under a millionth of the output’s size)',
            correct: gapKind === 'rounding',
          },
          {
            label: 'Clearly different (a millionth of the output’s size or more)',
            correct: gapKind === 'different',
          },
        ]}
        explanation={
          <p>
            max |Δ| = {formatNumber(optionGap, 3)}
            {optionGap > 0 && `, ${formatNumber(relativeGap, 3)} of the largest output entry`}. The
            two orders do the same arithmetic regrouped, so they can differ only in the last bits of
            float64 — and sometimes not at all — unless <Tex>{'W_K'}</Tex> is so badly conditioned
            that those last bits are amplified (see <LessonLink slug="invert-wk" />
            ).
          </p>
        }
      />

      {steps === 0 ? (
        <p className="hint">
          The prompt “{PROMPT_IDS.map(tokenText).join(' ')}” is prefilled ({P} key rows). Its last
          position already predicts the next word, “{tokenText(next)}”. Press Generate to feed it
          back in as the first decode step and open up what happens.
        </p>
      ) : (
        <StepDetail {...run} next={next} f64={f64} agreeRevealed={agreeRevealed} />
      )}

      <CacheCompare
        {...run}
        stdGrowth={stdGrowth}
        slimGrowth={slimGrowth}
        growthRevealed={growthRevealed}
      />
    </>
  );
}
