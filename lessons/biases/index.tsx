import { useMemo, useState } from 'react';
import { enumCodec, matrixCodec, type UrlCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { PathDiffTable } from '../common/PathDiffTable';
import { MatrixEditor } from '../../components/MatrixEditor';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { NoInverseNotice } from '../common/NoInverseNotice';
import { formatNumber } from '../../components/format';
import { D, tokenText, type Mat, type ToyWeights } from '../common/toyData';
import { SENTENCE_IDS, biasDetail, compareVariants, type ToyBiases } from '../common/toyRuns';
import { invertWk } from '../common/inversion';
import { WeightsPanel } from '../common/WeightsPanel';
import { useToyWeights, TOY_MAX_ABS, TOY_MIN_ABS } from '../common/useToyWeights';
import { LessonLink } from '../common/LessonLink';

const PAPER = 'https://arxiv.org/abs/2503.05840';
/** The same five tokens as the RoPE lesson: "I am a student .". */
const IDS = SENTENCE_IDS;
/** A row of a V candidate counts as equal to V within float64 round-off of small numbers. */
const MATCH = 1e-9;

type BiasName = keyof ToyBiases;
const BIAS_NAMES: readonly BiasName[] = ['bQ', 'bK', 'bV', 'bO'];
const TEX: Record<BiasName, string> = { bQ: 'b_Q', bK: 'b_K', bV: 'b_V', bO: 'b_O' };
/** Small integer defaults, all non-zero so each bias visibly moves something. */
const DEFAULT_BIASES: Readonly<Record<BiasName, readonly number[]>> = {
  bQ: [1, 0, -1, 1],
  bK: [1, -1, 0, 2],
  bV: [0, 1, -1, 1],
  bO: [1, 0, 0, -1],
};

/** One bias in the URL: d numbers within the toy model's range, else the default. */
const biasCodec: UrlCodec<number[][]> = {
  parse(s) {
    const m = matrixCodec.parse(s);
    if (!m || m.length !== 1 || m[0].length !== D) return undefined;
    if (m[0].some((x) => Math.abs(x) > TOY_MAX_ABS || (x !== 0 && Math.abs(x) < TOY_MIN_ABS)))
      return undefined;
    return m;
  },
  serialize: (m) => matrixCodec.serialize(m),
};
const onOff = enumCodec(['on', 'off'] as const);

const maxAbs = (a: Mat, b: Mat) =>
  a.reduce((m, row, i) => row.reduce((mm, x, j) => Math.max(mm, Math.abs(x - b[i][j])), m), 0);
const matches = (a: Mat, b: Mat) => maxAbs(a, b) <= MATCH;

function useBias(name: BiasName) {
  const key = name.toLowerCase();
  const [value, setValue] = useLessonState(key, biasCodec, [[...DEFAULT_BIASES[name]]]);
  const [on, setOn] = useLessonState(`${key}on`, onOff, 'on');
  return { value: value[0], setValue, on: on === 'on', setOn };
}

export function BiasesLesson() {
  const { weights, set } = useToyWeights();
  const inv = useMemo(() => invertWk(weights.wK, weights.wV), [weights]);
  return (
    <>
      <p>
        Many models add a bias after each projection: <Tex>{'Q = XW_Q + b_Q'}</Tex>,{' '}
        <Tex>{'K = XW_K + b_K'}</Tex>, <Tex>{'V = XW_V + b_V'}</Tex> and{' '}
        <Tex>{'Y = \\text{heads}\\,W_O + b_O'}</Tex> (GPT-2, Whisper and Qwen2 all have some).{' '}
        <a href={PAPER}>The paper’s Appendix F</a> shows that two of them are cheaper than they
        look, and how slim attention keeps its identity when keys carry a bias. The toy is the one
        head of width 4 that <LessonLink slug="rope" /> used, on the same five tokens, “
        {IDS.map(tokenText).join(' ')}”.
      </p>
      <WeightsPanel
        weights={weights}
        set={set}
        names={['wQ', 'wK', 'wV', 'wO']}
        hint={<>The same toy weights as the earlier lessons; the biases are below.</>}
      />
      {inv.wKV ? (
        <BiasBody weights={weights} />
      ) : (
        <NoInverseNotice>and no slim attention to add biases to</NoInverseNotice>
      )}
    </>
  );
}

function BiasBody({ weights }: { weights: ToyWeights }) {
  const bQ = useBias('bQ');
  const bK = useBias('bK');
  const bV = useBias('bV');
  const bO = useBias('bO');
  const state = { bQ, bK, bV, bO };
  const [slimRevealed, setSlimRevealed] = useState(false);
  // The softmax with b_K answers the b_K prediction: shown once it is revealed.
  const [kbiasRevealed, setKbiasRevealed] = useState(false);
  const biases: ToyBiases = useMemo(
    () => ({
      bQ: bQ.on ? bQ.value : undefined,
      bK: bK.on ? bK.value : undefined,
      bV: bV.on ? bV.value : undefined,
      bO: bO.on ? bO.value : undefined,
    }),
    [bQ.on, bQ.value, bK.on, bK.value, bV.on, bV.value, bO.on, bO.value],
  );
  const tokens = IDS.map(tokenText);
  const n = IDS.length;

  const detail = useMemo(() => biasDetail(weights, IDS, biases), [weights, biases]);
  const f64 = useMemo(
    () => compareVariants(weights, IDS, { biases }, 'float64'),
    [weights, biases],
  );
  const f32 = useMemo(
    () => compareVariants(weights, IDS, { biases }, 'float32'),
    [weights, biases],
  );
  // b_V folded: the same standard layer without b_V, its output bias b_V W_O + b_O instead.
  const folded = useMemo(
    () =>
      compareVariants(
        weights,
        IDS,
        { biases: { bQ: biases.bQ, bK: biases.bK, bO: detail.foldedOutputBias } },
        'float64',
      ),
    [weights, biases, detail.foldedOutputBias],
  );
  const foldDiff = maxAbs([folded.rows.standard], [f64.rows.standard]);
  const shift = detail.scoresWithBias.map((s, j) => s - detail.scores[j]);
  const probDiff = maxAbs([detail.probsWithBias], [detail.probs]);
  const candidates = [
    { tex: 'K W_{KV} + b_V', value: detail.slimVNoShift },
    { tex: '(K - b_K)\\,W_{KV} + b_V', value: detail.slimV },
    { tex: 'K W_{KV}', value: null as Mat | null },
  ];

  return (
    <>
      <h2>The biases</h2>
      <p>Switch each bias on or off, or edit its numbers.</p>
      <div className="matrix-row">
        {BIAS_NAMES.map((b) => (
          <div key={b}>
            <label>
              <input
                type="checkbox"
                aria-label={`use ${TEX[b]}`}
                checked={state[b].on}
                onChange={(e) => state[b].setOn(e.target.checked ? 'on' : 'off')}
              />{' '}
              use <Tex>{TEX[b]}</Tex>
            </label>
            <MatrixEditor
              label={TEX[b]}
              value={[state[b].value]}
              onChange={(m) => state[b].setValue(m)}
              maxAbs={TOY_MAX_ABS}
              minAbs={TOY_MIN_ABS}
            />
          </div>
        ))}
      </div>

      <h2>b_V folds into the output bias</h2>
      <p>
        The softmax weights of a query sum to 1, so a bias added to every value row comes out of the
        weighted sum unchanged, and then goes through <Tex>{'W_O'}</Tex> like everything else:
      </p>
      <Tex block>
        {
          '\\sum_j s_j (v_j + b_V) = \\sum_j s_j v_j + b_V,\\qquad (y + b_V)\\,W_O + b_O = y\\,W_O + (b_V W_O + b_O)'
        }
      </Tex>
      <MatrixView
        label="folded output bias"
        caption={<Tex>{"b_O' = b_V W_O + b_O"}</Tex>}
        value={[detail.foldedOutputBias]}
      />
      <p>
        The standard layer with <Tex>{'b_V'}</Tex> and <Tex>{'b_O'}</Tex>, against the same layer
        without <Tex>{'b_V'}</Tex> and with <Tex>{"b_O'"}</Tex>: max |Δ| of the output{' '}
        <strong data-testid="fold-diff">{formatNumber(foldDiff, 3)}</strong> (float64). So a model
        never needs to add <Tex>{'b_V'}</Tex> to its cached values.
      </p>

      <h2>b_K adds a constant that softmax cancels</h2>
      <p>
        With a key bias, each score gains <Tex>{'q\\cdot b_K'}</Tex>:{' '}
        <Tex>{'q\\,(k_j + b_K)^\\top = q\\,k_j^\\top + q\\,b_K^\\top'}</Tex>. The extra term depends
        on the query, not on <Tex>{'j'}</Tex>.
      </p>
      <LessonCheckpoint
        id="kbias-softmax"
        onRevealed={setKbiasRevealed}
        question={
          <>
            Switch <Tex>{'b_K'}</Tex> on. What happens to the softmax weights of “{tokens[n - 1]}”
            over the {n} tokens?
          </>
        }
        choices={[
          { label: 'Nothing: they stay exactly the same', correct: probDiff <= 1e-12 },
          {
            label: 'They move toward the keys that point along b_K',
            correct: probDiff > 1e-12,
          },
          { label: 'They all become equal', correct: false },
        ]}
        explanation={
          <p>
            Every score of the query moves by the same amount, q·b_K/√d_k ={' '}
            {formatNumber(shift[0], 4)}, and softmax(z + c) = softmax(z): the weights change by at
            most {formatNumber(probDiff, 3)}. A model can drop <Tex>{'b_K'}</Tex> altogether —
            unless RoPE sits between the projection and the dot product (<LessonLink slug="rope" />
            ): then each key’s bias is turned by its own angle and the shift is no longer the same
            for every key.
          </p>
        }
      />
      <table className="diff-table" aria-label="scores with and without the key bias">
        <thead>
          <tr>
            <th scope="col">key</th>
            <th scope="col">score, no b_K</th>
            <th scope="col">score, with b_K</th>
            <th scope="col">difference</th>
            <th scope="col">softmax, no b_K</th>
            {kbiasRevealed && <th scope="col">softmax, with b_K</th>}
          </tr>
        </thead>
        <tbody>
          {tokens.map((t, j) => (
            <tr key={j}>
              <th scope="row">{t}</th>
              <td>{formatNumber(detail.scores[j])}</td>
              <td>{formatNumber(detail.scoresWithBias[j])}</td>
              <td>{formatNumber(shift[j])}</td>
              <td>{formatNumber(detail.probs[j])}</td>
              {kbiasRevealed && <td>{formatNumber(detail.probsWithBias[j])}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {kbiasRevealed ? (
        <p>
          max |Δ| of the softmax row with and without <Tex>{'b_K'}</Tex>:{' '}
          <strong data-testid="kbias-prob-diff">{formatNumber(probDiff, 3)}</strong>.
        </p>
      ) : (
        <p className="small">
          The softmax with <Tex>{'b_K'}</Tex> appears once the prediction above is answered.
        </p>
      )}

      <h2>Slim attention with a key bias</h2>
      <p>
        The slim cache holds the keys as the model makes them, <Tex>{'K = XW_K + b_K'}</Tex>. To
        rebuild <Tex>{'V = XW_V + b_V'}</Tex> from it, <Tex>{'X W_K'}</Tex> must be recovered first.
      </p>
      <LessonCheckpoint
        id="slim-bias"
        onRevealed={setSlimRevealed}
        question={
          <>
            With the biases as set above, which expression of the cached <Tex>{'K'}</Tex> gives{' '}
            <Tex>{'V = XW_V + b_V'}</Tex>?
          </>
        }
        choices={candidates.map((c) => ({
          label: <Tex>{c.tex}</Tex>,
          correct: c.value !== null && matches(c.value, detail.V),
        }))}
        explanation={
          <p>
            <Tex>{'(K - b_K)\\,W_K^{-1} = X'}</Tex>, so <Tex>{'V = (K - b_K)\\,W_{KV} + b_V'}</Tex>{' '}
            (Appendix F). Forgetting <Tex>{'b_K'}</Tex> is off by the row <Tex>{'b_K W_{KV}'}</Tex>,
            the same for every token; the engine folds <Tex>{'b_V - b_K W_{KV}'}</Tex> into the
            output bias, as above, so its value path is a bare <Tex>{'K W_{KV}'}</Tex>.
          </p>
        }
      />
      <div className="matrix-row">
        <MatrixView
          label="V"
          caption={<Tex>{'V = XW_V + b_V'}</Tex>}
          value={detail.V}
          rowLabels={tokens}
        />
        {slimRevealed && (
          <>
            <MatrixView
              label="V from K"
              caption={<Tex>{'(K - b_K)\\,W_{KV} + b_V'}</Tex>}
              value={detail.slimV}
              rowLabels={tokens}
            />
            <MatrixView
              label="V from K without the shift"
              caption={<Tex>{'K W_{KV} + b_V'}</Tex>}
              value={detail.slimVNoShift}
              rowLabels={tokens}
            />
          </>
        )}
      </div>
      {slimRevealed ? (
        <p>
          max |Δ| against <Tex>{'V'}</Tex>: <Tex>{'(K - b_K)\\,W_{KV} + b_V'}</Tex>{' '}
          <strong data-testid="slim-v-diff">
            {formatNumber(maxAbs(detail.slimV, detail.V), 3)}
          </strong>
          ; <Tex>{'K W_{KV} + b_V'}</Tex>{' '}
          <strong data-testid="slim-v-noshift-diff">
            {formatNumber(maxAbs(detail.slimVNoShift, detail.V), 3)}
          </strong>
          .
        </p>
      ) : (
        <p className="small">
          V rebuilt from K both ways, and how far each is from V, appear once the question above is
          answered.
        </p>
      )}

      <h2>Outputs stay equal</h2>
      <p>
        The engine’s standard layer and both slim orders, with the biases switched as above,
        decoding “{tokens[n - 1]}”:
      </p>
      <PathDiffTable
        ariaLabel="biases slim versus standard"
        heading={'max |Δ| of the output'}
        testId="bias"
        f64={f64}
        f32={f32}
      />
      <MatrixView
        label="bias layer outputs"
        caption={<>Output of “{tokens[n - 1]}” (float64)</>}
        value={[f64.rows.standard, f64.rows.option1, f64.rows.option2]}
        rowLabels={['standard', 'V-first order', 'K-first order']}
      />
    </>
  );
}
