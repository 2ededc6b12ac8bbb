import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { compressionSaving, keyWidth, kvCacheWidth, models, paperAppendixG } from '../../roofline';
import { Tex } from '../../components/Tex';
import { formatCount } from '../../components/format';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { percent, tc } from './format';
import { LessonLink } from '../common/LessonLink';

/** CodeGemma-7B (MHA, c > 2) and Gemma2-9B (GQA, c just above 1), from the paper's Appendix G. */
export function GemmaSection() {
  const [revealed, setRevealed] = useState(false);
  const rows = useMemo(() => paperAppendixG(models), []);
  const [codegemma, gemma] = rows;
  const gemmaSaving = compressionSaving(gemma.model);
  const gemmaE = keyWidth(gemma.model);
  const g = gemma.model;
  const cg = codegemma.model;
  return (
    <>
      <h2>Two models from Appendix G</h2>
      <p>
        {cg.name} is MHA with wide heads: <Tex>{`h = ${tc(cg.heads)}`}</Tex>,{' '}
        <Tex>{`d_k = ${tc(cg.headDim)}`}</Tex>, so <Tex>{`e = h\\,d_k = ${tc(keyWidth(cg))}`}</Tex>{' '}
        &gt; <Tex>{`d = ${tc(cg.d)}`}</Tex> and <Tex>{'c = 2e/d ='}</Tex>{' '}
        <strong data-testid="codegemma-c">{codegemma.compression.computedText}</strong> (the paper
        prints {codegemma.compression.printed}). A d-wide cache saves{' '}
        {percent(compressionSaving(cg))} of its KV-cache, more than the K-cache’s half.
      </p>
      <p>
        {g.name} uses GQA: <Tex>{`h = ${tc(g.heads)}`}</Tex> query heads share{' '}
        <Tex>{`h_{kv} = ${tc(g.kvHeads)}`}</Tex> key/value heads of width{' '}
        <Tex>{`d_k = d_v = ${tc(g.headDim)}`}</Tex>, and <Tex>{`d = ${tc(g.d)}`}</Tex>. Its keys are{' '}
        <Tex>{`e = ${tc(gemmaE)}`}</Tex> wide, narrower than <Tex>{'d'}</Tex>: the K-cache is
        impossible, as in the toy’s first two shapes.
      </p>
      <LessonCheckpoint
        id="gemma2-saving"
        onRevealed={setRevealed}
        question={<>How much of {g.name}’s KV-cache can a d-wide cache save?</>}
        choices={[
          { label: 'Half, as for MHA', correct: Math.abs(gemmaSaving - 0.5) < 1e-9 },
          { label: 'Nothing: its keys are narrower than d', correct: gemmaSaving === 0 },
          {
            label: 'A little: about one eighth',
            correct: gemmaSaving > 0.1 && gemmaSaving < 0.15,
          },
        ]}
        explanation={
          <p>
            <Tex>{`d_{cache} = 2 \\cdot ${tc(gemmaE)} = ${tc(kvCacheWidth(g))}`}</Tex> is just above{' '}
            <Tex>{`d = ${tc(g.d)}`}</Tex>, so <Tex>{'c'}</Tex> is just above 1: the d-wide cache
            keeps {formatCount(g.d)} of every {formatCount(kvCacheWidth(g))} values.
          </p>
        }
      />
      {revealed ? (
        <>
          <dl className="numbers">
            <div>
              <dt>{g.name}: c = d_cache / d</dt>
              <dd data-testid="gemma-c">{gemma.compression.computedText}</dd>
            </div>
            <div>
              <dt>the paper prints</dt>
              <dd>{gemma.compression.printed}</dd>
            </div>
            <div>
              <dt>cache saved, 1 − 1/c</dt>
              <dd data-testid="gemma-saving">{percent(gemmaSaving)}</dd>
            </div>
            <div>
              <dt>d-wide cache, share of standard (1/c)</dt>
              <dd data-testid="gemma-share">{percent(1 - gemmaSaving)}</dd>
            </div>
          </dl>
          <p>
            The trick in plain words: {g.name} caches {formatCount(gemmaE)} key numbers and{' '}
            {formatCount(gemmaE)} value numbers per token and layer. Because together they are more
            than the {formatCount(g.d)} numbers of the token’s input, it is cheaper to store a{' '}
            {formatCount(g.d)}-number row from which both can be recomputed: the{' '}
            {formatCount(gemmaE)} keys plus {formatCount(g.d - gemmaE)} of the values, with a{' '}
            {formatCount(g.d)} × {formatCount(g.d)} matrix <Tex>{'W_K^*'}</Tex> that makes the row
            invertible. The price is compute: every step multiplies the whole cached row back into K
            and V. {g.name} uses RoPE, so the rebuilt K is rotated after it is rebuilt (
            <LessonLink slug="rope" />
            ). <Link to={`/explorer?model=${g.id}`}>Open {g.name} in the roofline explorer</Link> to
            see what the saving does to memory and speed on a chip.
          </p>
        </>
      ) : (
        <p className="small">{g.name}’s numbers appear once the prediction above is answered.</p>
      )}
    </>
  );
}
