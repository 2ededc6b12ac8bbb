import { useEffect, useMemo, useState } from 'react';
import { clampStep } from '../../components/Slider';
import { numberCodec } from '../../components/useUrlState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { Tex } from '../../components/Tex';
import { formatBytes, formatCount } from '../../components/format';
import { requireModel } from '../../roofline';
import { D, PROMPT_IDS, TOY_DTYPE, argmax, logitsOf, tokenText } from '../common/toyData';
import { useLessonState } from '../common/lessonState';
import { useToyWeights } from '../common/useToyWeights';
import { DecoderSketch } from './DecoderSketch';
import { PrimerDiagram, TokenScrubber, prefersReducedMotion, ARRIVAL_MS } from './PrimerDiagram';
import { cacheRows, primerSteps, primerTokens } from './primerRun';
import './primer.css';

/** paper §1's example model, for how many layers each keep a cache in a real decoder. */
const REAL = requireModel('phi-3-mini-128k');
const P = PROMPT_IDS.length;
/** Time between tokens while playing: the arrival animation plus a pause to read it. */
export const PLAY_INTERVAL_MS = ARRIVAL_MS + 900;

export function PrimerLesson() {
  const { weights } = useToyWeights();
  const ids = useMemo(() => primerTokens(weights), [weights]);
  const steps = useMemo(() => primerSteps(weights, ids), [weights, ids]);
  const [rawTok, setTok] = useLessonState('tok', numberCodec, 1);
  const n = clampStep(rawTok, 1, ids.length);
  const step = steps[n - 1];
  const [playing, setPlaying] = useState(false);

  useEffect(() => {
    if (!playing) return;
    if (n >= ids.length) {
      setPlaying(false);
      return;
    }
    const timer = window.setTimeout(() => setTok(n + 1), PLAY_INTERVAL_MS);
    return () => window.clearTimeout(timer);
  }, [playing, n, ids.length, setTok]);

  const go = (to: number) => {
    setPlaying(false);
    setTok(Math.min(ids.length, Math.max(1, to)));
  };
  const play = () => {
    if (playing) return setPlaying(false);
    if (n >= ids.length) setTok(1);
    setPlaying(true);
  };

  // The checkpoint's numbers: the engine cache after the prompt and after the next arrival.
  const rowsPrompt = cacheRows(steps[P - 1].cache, 'K');
  const rowsAfter = cacheRows(steps[P].cache, 'K');
  const added = rowsAfter - rowsPrompt;
  const arriving = tokenText(ids[P]);
  const choices = [
    { rows: rowsAfter, fresh: added },
    { rows: rowsAfter, fresh: rowsAfter },
    { rows: 1, fresh: 1 },
    { rows: rowsPrompt, fresh: 0 },
  ];
  const next = tokenText(argmax(logitsOf(step.x, step.layerOutput)));
  const rowBytes = steps[0].cache.bytes;

  return (
    <>
      <p>
        A language model reads and writes text as <em>tokens</em>, one at a time. Each token enters
        as a short list of numbers, its embedding <Tex>{'x'}</Tex>. In this course’s toy model that
        list has d = {D} numbers, and the vocabulary has seven words. <em>Attention</em> is how a
        token gathers what it needs from the tokens before it. Three weight matrices turn every
        token into three rows:
      </p>
      <ul className="qkv-list">
        <li>
          <strong>Query</strong> <Tex>{'q = x\\,W_Q'}</Tex>: what this token is looking for.
        </li>
        <li>
          <strong>Key</strong> <Tex>{'k = x\\,W_K'}</Tex>: what this token offers, to be found by
          later queries.
        </li>
        <li>
          <strong>Value</strong> <Tex>{'v = x\\,W_V'}</Tex>: what this token hands over when it is
          found.
        </li>
      </ul>
      <p>
        The newest token compares its query with the key of every token so far, including its own,
        turns the scores into weights that add up to 1, and takes that mix of the values (paper §1):
      </p>
      <Tex block>
        {
          '\\begin{gathered} s_j = \\frac{q \\cdot k_j}{\\sqrt{d}},\\qquad p = \\operatorname{softmax}(s), \\\\ \\text{output} = \\sum_j p_j\\, v_j \\end{gathered}'
        }
      </Tex>
      <p>
        A decoder does this for the newest token only, once per token, in every layer. The queries
        of earlier tokens are never needed again. What about their keys and values?
      </p>

      <LessonCheckpoint
        id="cache-rows"
        question={
          <>
            The model has read “{ids.slice(0, P).map(tokenText).join(' ')}”. Now “{arriving}”
            arrives. Afterwards, how many key rows does the layer keep, and how many of them did it
            have to compute for “{arriving}”?
          </>
        }
        choices={choices.map((c) => ({
          label:
            c.fresh === 0
              ? `${c.rows} rows: the new token only asks, it is not kept`
              : c.rows === 1
                ? '1 row: only the newest token’s'
                : c.fresh === c.rows
                  ? `${c.rows} rows, all ${c.rows} computed again`
                  : `${c.rows} rows, ${c.fresh} of them computed now`,
          correct: c.rows === rowsAfter && c.fresh === added,
        }))}
        explanation={
          <p>
            The engine’s cache held {rowsPrompt} key rows after the prompt and {rowsAfter} after “
            {arriving}”: {added} new row. A key <Tex>{'k_j = x_j W_K'}</Tex> depends only on its own
            token and the weights, never on later tokens, so it is computed once and kept; the same
            holds for values. Only the newest token’s q, k and v are new. That store is the{' '}
            <strong>KV-cache</strong>: it grows by one key row and one value row per token, in every
            layer.
          </p>
        }
      />

      <h2>Where the cache sits</h2>
      <p>
        Each step, the attention layer appends the new token’s k and v to its cache and reads every
        cached row back. While the prompt lasts, the next input is simply the prompt’s next token;
        after it, the model’s own prediction is fed back in. The toy model has one layer; a real
        decoder keeps one such cache per layer ({REAL.name}: {formatCount(REAL.layers)} layers).
      </p>
      <DecoderSketch
        token={tokenText(ids[n - 1])}
        next={next}
        cacheRows={cacheRows(step.cache, 'K')}
      />

      <h2>One head, token by token</h2>
      <p>
        The first {P} tokens are the prompt; the last {ids.length - P} are the model’s own greedy
        choices. Every arrival adds one row to the cache, and the newest query weighs all of them
        again.{' '}
        <span className="primer-screen-only">
          Step through them and watch the cache grow: drag the handle, or focus it and use the arrow
          keys.
        </span>
      </p>
      <div className="stepper primer-stepper" role="group" aria-label="Token steps">
        <button type="button" className="secondary" onClick={() => go(n - 1)} disabled={n === 1}>
          ← Previous token
        </button>
        <button type="button" onClick={() => go(n + 1)} disabled={n === ids.length}>
          Next token →
        </button>
        <button type="button" className="secondary" onClick={play} aria-pressed={playing}>
          {playing ? 'Pause' : n >= ids.length ? 'Play from the start' : 'Play'}
        </button>
        <span className="small" aria-live="polite" data-testid="primer-status">
          {n} of {ids.length} tokens read
        </span>
      </div>
      <TokenScrubber ids={ids} value={n} onChange={go} />
      <PrimerDiagram step={step} slots={ids.length} />
      <p className="small">
        Every number above comes from the engine’s float64 CPU backend running this one head. The
        keys and values stay whole numbers because the toy weights and embeddings are integers; the
        scores are halves because √d = 2. The layer’s own cache ({TOY_DTYPE}) holds{' '}
        <span data-testid="primer-cache-bytes">{formatBytes(step.cache.bytes)}</span> after this
        token: {formatBytes(rowBytes)} (one k row and one v row of {D} values) per token.
        {prefersReducedMotion() ? ' Motion is reduced: each step is drawn at once.' : ''}
      </p>
      <p>
        Notice that the last token is “{tokenText(ids[ids.length - 1])}” again, with the same q, k
        and v as before — but it now weighs {ids.length} rows, so its output differs. Everything a
        decoder remembers about the past is in this cache. The next lesson measures how big it gets
        on a real model; the rest of the course shows how slim attention keeps only the K half and
        still gets exactly the same output.
      </p>
    </>
  );
}
