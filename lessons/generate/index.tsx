import { useDeferredValue, useMemo, useState, type ReactNode } from 'react';
import { clampStep } from '../../components/Slider';
import { ColumnHeads } from '../../components/ColumnHeads';
import { numberCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { BarChart } from '../../components/BarChart';
import { CacheStrip } from '../../components/CacheStrip';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatBytes, formatCount, formatNumber } from '../../components/format';
import { valueSideOpsPerHead } from '../../roofline';
import { bytesPerElement } from '../../engine';
import { D, PROMPT_IDS, VOCAB, tokenText, type ToyWeights } from '../common/toyData';
import { comparePaths, decodeStepDetail, generate, type PathOutputs } from '../common/toyRuns';
import { invertWk } from '../common/inversion';
import { WeightsPanel } from '../common/WeightsPanel';
import { useToyWeights } from '../common/useToyWeights';

/** Decode steps the lesson offers (n runs from p + 1 to p + MAX_STEPS). */
export const MAX_STEPS = 5;
const P = PROMPT_IDS.length;
/** A realistic size for the cost comparison (d and h of a 7B MHA model, 4K context). */
const BIG = { d: 4096, h: 32, n: 4096 };
const bigOps = valueSideOpsPerHead(BIG);
/** Below this fraction of the output's size, a difference between the options is rounding. */
const ROUNDING_ONLY = 1e-6;

function DiffTable({ label, r }: { label: string; r: PathOutputs }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td data-testid={`diff-${r.dtype}-o1-std`}>{formatNumber(r.maxDiff.option1VsStandard, 3)}</td>
      <td data-testid={`diff-${r.dtype}-o2-std`}>{formatNumber(r.maxDiff.option2VsStandard, 3)}</td>
      <td data-testid={`diff-${r.dtype}-o1-o2`}>{formatNumber(r.maxDiff.option1VsOption2, 3)}</td>
    </tr>
  );
}

export function GenerateLesson() {
  const { weights, set } = useToyWeights();
  const [rawSteps, setSteps] = useLessonState('gen', numberCodec, 0);
  const steps = clampStep(rawSteps, 0, MAX_STEPS);
  const invertible = useMemo(() => invertWk(weights.wK, weights.wV).wKV !== undefined, [weights]);

  return (
    <>
      <p>
        Now the model writes. Each decode step takes the newest token <Tex>{'x_n'}</Tex>, makes its
        query <Tex>{'q = x_n W_Q'}</Tex> and its key, appends the key to the cache, and attends over
        all <Tex>{'n'}</Tex> cached rows:
      </p>
      <Tex block>
        {
          's = \\operatorname{softmax}\\!\\Big(\\frac{q K^\\top}{\\sqrt{d_k}}\\Big),\\qquad \\text{head} = s\\,V'
        }
      </Tex>
      <p>
        Slim attention has no V, so it has two ways to get <Tex>{'s\\,V'}</Tex> from K (paper §2).{' '}
        <strong>Option 1</strong> rebuilds V first: <Tex>{'V = K W_{KV}'}</Tex>, then{' '}
        <Tex>{'s\\,V'}</Tex>. <strong>Option 2</strong> multiplies in the other order:{' '}
        <Tex>{'(s\\,K)\\,W_{KV}'}</Tex>. Matrix products are associative, so both equal{' '}
        <Tex>{'s\\,X W_V'}</Tex> — but they cost very different amounts.
      </p>

      <WeightsPanel
        weights={weights}
        set={set}
        names={['wQ', 'wK', 'wV', 'wO']}
        hint={
          <>
            Change any entry: all three paths below follow, and they keep agreeing as long as{' '}
            <Tex>{'W_K'}</Tex> stays invertible. Slim attention never uses <Tex>{'W_V'}</Tex> at
            decode time, only <Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex>.
          </>
        }
      />
      {invertible ? (
        <GenerateBody weights={weights} steps={steps} setSteps={setSteps} />
      ) : (
        <div className="notice-error" role="alert">
          <p>
            This <Tex>{'W_K'}</Tex> has no inverse, so slim attention cannot rebuild V from K and
            this lesson has nothing to compare. “Invert W_K” shows why; change a cell back, or press
            “Restore the default weights”.
          </p>
        </div>
      )}
    </>
  );
}

function GenerateBody({
  weights,
  steps,
  setSteps,
}: {
  weights: ToyWeights;
  steps: number;
  setSteps: (n: number) => void;
}) {
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
  const ops = valueSideOpsPerHead({ d: D, h: 1, n });
  const tokens = ids.map(tokenText);

  const stdBytes = f32.cache.standard.bytes;
  const slimBytes = f32.cache.option2.bytes;
  const slimGrowth = nextF32.cache.option2.bytes - slimBytes;
  const stdGrowth = nextF32.cache.standard.bytes - stdBytes;
  const optionGap = f64.maxDiff.option1VsOption2;
  // Relative to the output's size, so the three choices cover every weight scale: exactly one of
  // them is right for any W (large entries make every absolute difference large).
  const outputScale = Math.max(...f64.rows.standard.map(Math.abs));
  const relativeGap = outputScale > 0 ? optionGap / outputScale : optionGap;
  const gapKind = optionGap === 0 ? 'zero' : relativeGap < ROUNDING_ONLY ? 'rounding' : 'different';
  const cacheHalves = (m: number[][]) => m.map((values, i) => ({ token: tokens[i], values }));
  const kvCaches = f32.cache.standard.caches;
  const halfBytes = (name: string) => kvCaches.find((c) => c.name === name)?.bytes ?? 0;

  return (
    <>
      <h2>Predict first</h2>
      <LessonCheckpoint
        id="decode-growth"
        onRevealed={() => setGrowthRevealed(true)}
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
        <button type="button" onClick={() => setSteps(steps - 1)} disabled={steps === 0}>
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
        onRevealed={() => setAgreeRevealed(true)}
        question={
          <>
            Before you look below: at this step (n = {n}), in float64, how far apart are the outputs
            of option 1 and option 2?
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
            float64 — and sometimes not at all — unless W_K is so badly conditioned that those last
            bits are amplified (see “Invert W_K”).
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
        <>
          <h2>
            Step n = {n}: the new token “{tokens[n - 1]}”
          </h2>
          <div className="matrix-row">
            <MatrixView label="x_n" caption={<Tex>{'x_n'}</Tex>} value={[detail.x]} />
            <MatrixView label="q" caption={<Tex>{'q = x_n W_Q'}</Tex>} value={[detail.q]} />
            <MatrixView
              label="K-cache"
              caption={<Tex>{'K'}</Tex>}
              value={detail.K}
              rowLabels={tokens}
              highlight={(i) => i === n - 1}
            />
          </div>
          <div className="matrix-row">
            <div>
              <h3>
                Scores <Tex>{'qK^\\top/\\sqrt{d_k}'}</Tex>
              </h3>
              <BarChart
                label="Scores"
                bars={detail.scores[0].map((v, i) => ({ label: tokens[i], value: v }))}
              />
            </div>
            <div>
              <h3>
                Softmax <Tex>{'s'}</Tex>
              </h3>
              <BarChart
                label="Softmax weights"
                max={1}
                bars={detail.probs[0].map((v, i) => ({ label: tokens[i], value: v }))}
              />
            </div>
          </div>

          <h2>Three ways to the same head output</h2>
          <div className="paths">
            <PathSection
              label="Standard path"
              title="Standard"
              blurb="Reads the V-cache."
              opsTestId="ops-standard"
              ops={ops.vanilla}
              opsFormula="2·n·d_k"
            >
              <MatrixView label="V-cache" caption={<Tex>{'V'}</Tex>} value={detail.V} />
              <MatrixView
                label="standard head output"
                digits={3}
                caption={<Tex>{'s\\,V'}</Tex>}
                value={[detail.headOutputs.standard]}
              />
            </PathSection>
            <PathSection
              label="Slim option 1"
              title="Slim, option 1"
              blurb="Rebuild all n value rows, then weight them."
              opsTestId="ops-option1"
              ops={ops.option1}
              opsFormula="2·n·d·d_k + 2·n·d_k"
            >
              <MatrixView
                label="option 1 V = K W_KV"
                caption={<Tex>{'V = K\\,W_{KV}'}</Tex>}
                value={detail.option1V}
              />
              <MatrixView
                label="option 1 head output"
                digits={3}
                caption={<Tex>{'s\\,(K W_{KV})'}</Tex>}
                value={[detail.headOutputs.option1]}
              />
            </PathSection>
            <PathSection
              label="Slim option 2"
              title="Slim, option 2"
              blurb="Weight the keys, then project once."
              opsTestId="ops-option2"
              ops={ops.option2}
              opsFormula="2·n·d + 2·d·d_k"
            >
              <MatrixView
                label="option 2 u = s K"
                digits={3}
                caption={<Tex>{'u = s\\,K'}</Tex>}
                value={detail.option2U}
              />
              <MatrixView
                label="option 2 head output"
                digits={3}
                caption={<Tex>{'u\\,W_{KV}'}</Tex>}
                value={[detail.headOutputs.option2]}
              />
            </PathSection>
          </div>
          <p className="small">
            OP counts per head from the cost model (paper §2) for n = {n}, d = {D}, d_k = {D}.
            Option 1’s cost grows like n·d·d_k, option 2’s like n·d: at a real size (n ={' '}
            {formatCount(BIG.n)}, d = {formatCount(BIG.d)}, d_k = {BIG.d / BIG.h}) option 1 does{' '}
            {Math.round(bigOps.option1 / bigOps.option2)}× more work per head than option 2.
          </p>

          <h3>Do they agree? max |Δ| of the layer output</h3>
          {agreeRevealed ? (
            <>
              <table className="diff-table">
                <ColumnHeads
                  columns={[
                    'engine dtype',
                    'option 1 vs standard',
                    'option 2 vs standard',
                    'option 1 vs 2',
                  ]}
                />
                <tbody>
                  <DiffTable label="float64" r={f64} />
                  <DiffTable label="float32" r={f32} />
                </tbody>
              </table>
              <p className="small">
                Three separate engine layers (standard, slim option 1, slim option 2) ran the same{' '}
                {n} tokens. Any difference is rounding from doing the additions in another order:
                about 1e-16 relative in float64, 1e-7 in float32. Mathematically the three are
                identical.
              </p>
            </>
          ) : (
            <p className="small">
              The max |Δ| table appears once the question “how far apart” above is answered.
            </p>
          )}

          <h3>Next token</h3>
          <p>
            The output, added to <Tex>{'x_n'}</Tex> and scored against every word’s embedding, picks
            “<strong data-testid="next-token">{tokenText(next)}</strong>”.
          </p>
          <BarChart
            label="Next-token logits"
            bars={detail.logits.map((v, i) => ({
              label: VOCAB[i],
              value: v,
              highlight: i === next,
            }))}
          />
        </>
      )}

      <h2>The caches after this step</h2>
      <div className="cache-compare">
        <section aria-label="Standard attention caches">
          <h3>Standard: KV-cache</h3>
          <div className="cache-pair">
            <CacheStrip
              name="standard KV-cache, K half"
              rows={cacheHalves(detail.K)}
              bytes={halfBytes('K')}
              highlightRow={n - 1}
            />
            <CacheStrip
              name="standard KV-cache, V half"
              rows={cacheHalves(detail.V)}
              bytes={halfBytes('V')}
              highlightRow={n - 1}
              tone="v"
            />
          </div>
          <p className="cache-total">
            Total <strong data-testid="kv-total-bytes">{formatBytes(stdBytes)}</strong>
          </p>
        </section>
        <section aria-label="Slim attention caches">
          <h3>Slim: K-cache only</h3>
          <div className="cache-pair">
            <CacheStrip
              name="slim K-cache"
              rows={cacheHalves(detail.K)}
              bytes={slimBytes}
              highlightRow={n - 1}
            />
          </div>
          <p className="cache-total">
            Total <strong data-testid="slim-total-bytes">{formatBytes(slimBytes)}</strong>
          </p>
        </section>
      </div>
      <p className="small" data-testid="cache-caption">
        Bytes from the engine’s caches (float32).{' '}
        {growthRevealed
          ? `Every step appends ${formatBytes(stdGrowth)} to the KV-cache and ${formatBytes(slimGrowth)} to the K-cache.`
          : 'How much each step appends is the “Predict first” question above: answer it, then watch the totals as you generate.'}
      </p>
    </>
  );
}

/** One way to the head output: what it reads, the products it shows, its OP count. */
function PathSection({
  label,
  title,
  blurb,
  opsTestId,
  ops,
  opsFormula,
  children,
}: {
  label: string;
  title: string;
  blurb: string;
  opsTestId: string;
  ops: number;
  opsFormula: string;
  children: ReactNode;
}) {
  return (
    <section className="path" aria-label={label}>
      <h3>{title}</h3>
      <p className="small">{blurb}</p>
      {children}
      <p className="ops">
        <span data-testid={opsTestId}>{formatCount(ops)}</span> OPs ({opsFormula})
      </p>
    </section>
  );
}
