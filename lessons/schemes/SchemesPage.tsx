import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import {
  compressionFactor,
  encoderDecoderCache,
  generateComplexity,
  kCacheValues,
  requireModel,
  standardCacheValues,
  vCacheValues,
  xCacheOps,
  xCacheValues,
} from '../../roofline';
import { LessonLink } from '../common/LessonLink';
import '../lessons.css';

const PAPER = 'https://arxiv.org/abs/2503.05840';

/** The context every example is measured at (tokens in the cache). */
const N = 4096;

/** One scheme's row: what it keeps, an example of its size and extra work, and its limits. */
interface SchemeRow {
  id: string;
  name: ReactNode;
  caches: ReactNode;
  /** Standard cache ÷ this cache, on the example model. */
  smaller: number;
  example: string;
  extraOps: ReactNode;
  rope: ReactNode;
  risk: ReactNode;
  taught: ReactNode;
}

const x = (v: number) => `${formatNumber(v, 3)}×`;

function rows(): SchemeRow[] {
  // Square MHA: CodeLlama-7B (d = 4,096, h = 32).
  const mha = requireModel('codellama-7b');
  const standard = standardCacheValues(mha, N);
  const table = generateComplexity({ d: mha.d, h: mha.heads, n: N });
  // Heads wider than the model: T5-11B (paper §3, Tables 4–5).
  const t5 = requireModel('t5-11b');
  const xOps = xCacheOps({ d: t5.d, heads: t5.heads, headDim: t5.headDim, n: N });
  // Encoder–decoder: Whisper-large (paper §4, Table 7).
  const whisper = requireModel('whisper-large');
  const ed = encoderDecoderCache(whisper);
  // Wide heads with a d-wide cache: CodeGemma-7B (Appendix G).
  const gemma = requireModel('codegemma-7b');
  return [
    {
      id: 'k-cache',
      name: 'K-cache',
      caches: (
        <>
          K only; <Tex>{'V = K\\,W_{KV}'}</Tex> (paper §1). Decoded in the K-first order (paper §2,
          option 2)
        </>
      ),
      smaller: standard / kCacheValues(mha, N),
      example: mha.name,
      extraOps: (
        <>
          attention core <Tex>{'2nd(h+1)'}</Tex> instead of <Tex>{'4nd'}</Tex>:{' '}
          <span data-testid="scheme-k-cache-ops">
            {x(table.option2.mha.ops / table.vanilla.mha.ops)}
          </span>{' '}
          the OPs, half the reads
        </>
      ),
      rope: (
        <>
          yes: rotate on read, or un-rotate before <Tex>{'W_{KV}'}</Tex> (Appendix E)
        </>
      ),
      risk: <Tex>{'\\operatorname{cond}(W_K)\\cdot u'}</Tex>,
      taught: (
        <>
          <LessonLink slug="invert-wk" bare />, <LessonLink slug="generate" bare />,{' '}
          <LessonLink slug="rope" bare />
        </>
      ),
    },
    {
      id: 'v-cache',
      name: 'V-cache',
      caches: (
        <>
          V only; <Tex>{'K = V\\,W_{VK}'}</Tex> (Appendix C)
        </>
      ),
      smaller: standard / vCacheValues(mha, N),
      example: mha.name,
      extraOps: <>as the K-cache, with the roles of K and V swapped</>,
      rope: 'no: K would come back unrotated',
      risk: <Tex>{'\\operatorname{cond}(W_V)\\cdot u'}</Tex>,
      taught: <LessonLink slug="precision" bare />,
    },
    {
      id: 'x-cache',
      name: 'X-cache',
      caches: (
        <>
          the <Tex>{'d'}</Tex>-wide layer inputs X, when heads are wider than the model (paper §3,
          option 2)
        </>
      ),
      smaller: standardCacheValues(t5, N) / xCacheValues(t5, N),
      example: t5.name,
      extraOps: (
        <>
          core over <Tex>{'d'}</Tex>-wide rows for every head:{' '}
          <span data-testid="scheme-x-cache-ops">{x(xOps.core / xOps.standardCore)}</span> the OPs
        </>
      ),
      rope: (
        <>
          no: a rotation sits between <Tex>{'W_K'}</Tex> and <Tex>{'X^\\top'}</Tex>
        </>
      ),
      risk: <>none: nothing is inverted</>,
      taught: <LessonLink slug="non-square" bare />,
    },
    {
      id: 'e-cache',
      name: 'E-cache',
      caches: (
        <>
          self K-caches plus the encoder output E once for all cross-attention layers (paper §4,
          option 2)
        </>
      ),
      smaller: ed.baseline / ed.option2,
      example: whisper.name,
      extraOps: (
        <>
          every cross layer applies its <Tex>{'W_K'}</Tex> and <Tex>{'W_V'}</Tex> to E at every
          step; no cross phase before the first token
        </>
      ),
      rope: 'no: cross keys are recomputed from E',
      risk: <>none: nothing is inverted</>,
      taught: <LessonLink slug="encoder-decoder" bare />,
    },
    {
      id: 'd-wide-cache',
      name: 'd-wide cache',
      caches: (
        <>
          a <Tex>{'d'}</Tex>-wide row <Tex>{'K^* = X\\,W_K^*'}</Tex> from which K and V are rebuilt
          (Appendix G)
        </>
      ),
      smaller: compressionFactor(gemma),
      example: gemma.name,
      extraOps: <>every step multiplies all cached rows back into K and V</>,
      rope: 'yes: K is rotated after it is rebuilt',
      risk: <Tex>{'\\operatorname{cond}(W_K^*)\\cdot u'}</Tex>,
      taught: <LessonLink slug="gqa" bare />,
    },
  ];
}

/** /lessons/schemes: every cache scheme of the paper in one table. */
export function SchemesPage() {
  useDocumentTitle('Schemes at a glance');
  return (
    <section className="page lesson schemes">
      <p className="lesson-kicker">
        <Link to="/lessons">Lessons</Link>
      </p>
      <h1>Schemes at a glance</h1>
      <p>
        Standard attention caches K and V for every token and layer. Each slim scheme below caches
        less and computes the rest back, exactly. The paper numbers the alternatives of §2, §3 and
        §4 separately, so one option number means three different things; here each is named by what
        it caches, with <a href={PAPER}>the paper’s</a> section and option number in brackets. Sizes
        are the standard cache divided by the scheme’s, on one example model (at n ={' '}
        {N.toLocaleString()} cached tokens); u is the unit roundoff of the format the model runs in
        (
        <LessonLink slug="precision" />
        ).
      </p>
      <div className="schemes-scroll">
        <table className="diff-table schemes-table" aria-label="Cache schemes at a glance">
          <ColumnHeads
            columns={[
              'scheme',
              'caches',
              'cache smaller by',
              'extra OPs per decode step',
              'RoPE',
              'precision risk',
              'taught in',
            ]}
          />
          <tbody>
            {rows().map((r) => (
              <tr key={r.id} data-testid={`scheme-${r.id}`}>
                <th scope="row">{r.name}</th>
                <td>{r.caches}</td>
                <td>
                  <span data-testid={`scheme-${r.id}-smaller`}>{x(r.smaller)}</span> ({r.example})
                </td>
                <td>{r.extraOps}</td>
                <td>{r.rope}</td>
                <td>{r.risk}</td>
                <td>{r.taught}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
