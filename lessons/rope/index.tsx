import { useMemo, useState } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { enumCodec, numberCodec } from '../../components/useUrlState';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { PathDiffTable } from '../common/PathDiffTable';
import { MatrixView } from '../../components/MatrixView';
import { clampStep, PowerOfTwoSlider } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { NoInverseNotice } from '../common/NoInverseNotice';
import { formatCount, formatNumber } from '../../components/format';
import { ropeRotationsPerStep, type RopeCacheVariant } from '../../roofline';
import { embed, tokenText, type Mat, type ToyWeights } from '../common/toyData';
import { product } from '../common/toyEngine';
import {
  SENTENCE_IDS,
  compareVariants,
  ropeRefusal,
  ropeRows,
  type RopeCacheChoice,
} from '../common/toyRuns';
import { invertWk } from '../common/inversion';
import { WeightsPanel } from '../common/WeightsPanel';
import { useToyWeights } from '../common/useToyWeights';
import { RopeCircle } from './RopeCircle';

const PAPER = 'https://arxiv.org/abs/2503.05840';
const ROPE_IDS = SENTENCE_IDS;
/** Positions the picture offers: 0 … 6 turn the first pair (θ₁ = 1 rad) less than a full turn. */
const ROPE_POSITIONS = 7;
const DEFAULT_Q_POS = 4;
const DEFAULT_K_POS = 0;
/** Size for the cost panel: a 7B-class layer, key width e = 4096. */
const REAL_E = 4096;
const N_EXPONENTS = { min: 0, max: 17 };
const DEFAULT_N_EXPONENT = 12;
/** A row of K̃·W_KV counts as V when it matches to this (float64 round-off of small integers). */
const MATCH = 1e-9;

const maxAbs = (a: Mat, b: Mat) =>
  a.reduce((m, row, i) => row.reduce((mm, x, j) => Math.max(mm, Math.abs(x - b[i][j])), m), 0);
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const pair = (row: readonly number[]): [number, number] => [row[0], row[1]];

export function RopeLesson() {
  const { weights, set } = useToyWeights();
  const inv = useMemo(() => invertWk(weights.wK, weights.wV), [weights]);
  return (
    <>
      <p>
        Most recent decoders (Llama, Mistral, Phi, Gemma…) encode positions with <em>RoPE</em>,
        rotary position embedding: after the projections, each pair of columns of a query or key at
        position <Tex>{'m'}</Tex> is turned by the angle <Tex>{'m\\theta_i'}</Tex>, a different
        speed <Tex>{'\\theta_i = 10000^{-2(i-1)/d_k}'}</Tex> for each pair. Values are not rotated.
        Slim attention works with RoPE, with one care, explained in{' '}
        <a href={PAPER}>the paper’s Appendix E</a>. The toy head here has <Tex>{'d_k = 4'}</Tex>:
        two pairs, <Tex>{'(x_1, x_2)'}</Tex> turning by 1 radian per position and{' '}
        <Tex>{'(x_3, x_4)'}</Tex> by 0.01.
      </p>
      <Tex block>
        {
          '\\tilde q_m = R_m\\,q_m,\\quad \\tilde k_j = R_j\\,k_j,\\qquad \\tilde q_m^\\top \\tilde k_j = q_m^\\top R_m^\\top R_j\\,k_j = q_m^\\top R_{j-m}\\,k_j'
        }
      </Tex>
      <WeightsPanel
        weights={weights}
        set={set}
        names={['wQ', 'wK', 'wV', 'wO']}
        hint={
          <>
            The same toy weights as the earlier lessons. Edit any cell: the rotation picture and the
            agreement of slim and standard attention follow.
          </>
        }
      />
      {inv.wKV ? (
        <RopeBody weights={weights} wKV={inv.wKV} />
      ) : (
        <NoInverseNotice>and no slim attention to add RoPE to</NoInverseNotice>
      )}
    </>
  );
}

function RopeBody({ weights, wKV }: { weights: ToyWeights; wKV: Mat }) {
  const [rawQ, setQPos] = useLessonState('qpos', numberCodec, DEFAULT_Q_POS);
  const [rawK, setKPos] = useLessonState('kpos', numberCodec, DEFAULT_K_POS);
  const [rope, setRope] = useLessonState('rope', enumCodec(['on', 'off'] as const), 'on');
  const [cache, setCache] = useLessonState(
    'cache',
    enumCodec(['raw', 'rotated'] as const satisfies readonly RopeCacheChoice[]),
    'raw',
  );
  const [rawN, setNExp] = useLessonState('n', numberCodec, DEFAULT_N_EXPONENT);
  // Each checkpoint's answer (K̃·W_KV against V; the rotation counts) shows once it is revealed.
  const [rowsRevealed, setRowsRevealed] = useState(false);
  const [rotationsRevealed, setRotationsRevealed] = useState(false);
  const clampPos = (v: number) => clampStep(v, 0, ROPE_POSITIONS - 1);
  const qPos = clampPos(rawQ);
  const kPos = clampPos(rawK);
  const nExp = clampStep(rawN, N_EXPONENTS.min, N_EXPONENTS.max);
  const nReal = 2 ** nExp;

  const X = useMemo(() => embed(ROPE_IDS), []);
  const n = ROPE_IDS.length;
  const tokens = ROPE_IDS.map(tokenText);
  // The picture: q of the last token ("."), k of the first ("I"), first pair of each.
  const q = useMemo(() => product([X[n - 1]], weights.wQ)[0], [X, n, weights.wQ]);
  const k0 = useMemo(() => product([X[0]], weights.wK)[0], [X, weights.wK]);
  const qAll = useMemo(() => ropeRows(Array(ROPE_POSITIONS).fill(q), 0), [q]);
  const kAll = useMemo(() => ropeRows(Array(ROPE_POSITIONS).fill(k0), 0), [k0]);
  const qRot = qAll[qPos];
  const kRot = kAll[kPos];
  const score = dot(qRot, kRot);
  // The same offset one position later: RoPE scores depend only on m − j.
  const shifted = useMemo(() => {
    const [qs] = ropeRows([q], qPos + 1);
    const [ks] = ropeRows([k0], kPos + 1);
    return dot(qs, ks);
  }, [q, k0, qPos, kPos]);

  // Why W_KV must meet raw keys.
  const K = useMemo(() => product(X, weights.wK), [X, weights.wK]);
  const V = useMemo(() => product(X, weights.wV), [X, weights.wV]);
  const Krot = useMemo(() => ropeRows(K, 0), [K]);
  const fromRaw = useMemo(() => product(K, wKV), [K, wKV]);
  const fromRot = useMemo(() => product(Krot, wKV), [Krot, wKV]);
  const unrotated = useMemo(() => ropeRows(Krot, 0, true), [Krot]);
  const matching = fromRot
    .map((row, i) => (row.every((x, j) => Math.abs(x - V[i][j]) <= MATCH) ? i : -1))
    .filter((i) => i >= 0);
  const matchKey = matching.join(',');

  // Slim vs standard through the engine's layers.
  const options = { rope: rope === 'on', ropeCache: cache };
  const f64 = useMemo(
    () => compareVariants(weights, ROPE_IDS, { rope: rope === 'on', ropeCache: cache }, 'float64'),
    [weights, rope, cache],
  );
  const f32 = useMemo(
    () => compareVariants(weights, ROPE_IDS, { rope: rope === 'on', ropeCache: cache }, 'float32'),
    [weights, rope, cache],
  );
  const vRefusal = useMemo(() => ropeRefusal(weights, 'v-cache'), [weights]);
  const xRefusal = useMemo(() => ropeRefusal(weights, 'x-cache'), [weights]);

  const variants: { id: RopeCacheVariant; name: string }[] = [
    { id: 'standard', name: 'standard (rotated K and V cached)' },
    { id: 'slim-raw', name: 'slim, raw K cached' },
    { id: 'slim-rotated', name: 'slim, rotated K cached' },
  ];
  const costs = variants.map((v) => ({ ...v, r: ropeRotationsPerStep(nReal, REAL_E, v.id) }));
  const rawAtN = ropeRotationsPerStep(nReal, REAL_E, 'slim-raw').total;

  const rowChoices = [
    { key: '0', label: 'Only row 1, the key at position 0' },
    { key: Array.from({ length: n }, (_, i) => i).join(','), label: `All ${n} rows` },
    { key: '', label: 'No row' },
  ];
  if (!rowChoices.some((c) => c.key === matchKey))
    rowChoices.push({ key: matchKey, label: `Rows ${matching.map((i) => i + 1).join(', ')}` });

  return (
    <>
      <h2>Turn q and k by their positions</h2>
      <p>
        Drag the tips (or focus one and press the arrow keys). The blue arrow is the first pair of
        the query of “{tokens[n - 1]}”, the pink one the first pair of the key of “{tokens[0]}”; the
        dashed lines are the same pairs before rotation. Each tip can only stop at a whole position.
      </p>
      <RopeCircle
        qRaw={pair(q)}
        kRaw={pair(k0)}
        qStops={qAll.map(pair)}
        kStops={kAll.map(pair)}
        qPos={qPos}
        kPos={kPos}
        onQPos={setQPos}
        onKPos={setKPos}
      />
      <p aria-live="polite">
        Query at <Tex>{`m = ${qPos}`}</Tex>, key at <Tex>{`j = ${kPos}`}</Tex>, offset{' '}
        <Tex>{`m - j = ${qPos - kPos}`}</Tex>. Score <Tex>{'\\tilde q\\cdot\\tilde k'}</Tex> (all
        four columns) = <strong data-testid="rope-score">{formatNumber(score, 6)}</strong>; move
        both one position on and it is{' '}
        <strong data-testid="rope-score-shifted">{formatNumber(shifted, 6)}</strong>: the score
        depends only on the offset, which is the point of RoPE.
      </p>

      <h2>
        <Tex>{'W_{KV}'}</Tex> needs the keys before rotation
      </h2>
      <p>
        Slim attention computes <Tex>{'V = K W_{KV}'}</Tex>. That identity holds for the keys as
        projected, <Tex>{'K = X W_K'}</Tex>. The scores need the rotated keys{' '}
        <Tex>{'\\tilde K'}</Tex>, row <Tex>{'j'}</Tex> turned by <Tex>{'j\\theta'}</Tex>.
      </p>
      <LessonCheckpoint
        id="rotated-wkv"
        onRevealed={setRowsRevealed}
        question={
          <>
            Multiply the rotated keys of “{tokens.join(' ')}” (positions 0–{n - 1}) by{' '}
            <Tex>{'W_{KV}'}</Tex>. Which rows of <Tex>{'\\tilde K W_{KV}'}</Tex> equal the rows of{' '}
            <Tex>{'V'}</Tex>, with the current weights?
          </>
        }
        choices={rowChoices.map((c) => ({ label: c.label, correct: c.key === matchKey }))}
        explanation={
          <p>
            {matching.length === 1 && matching[0] === 0
              ? 'Only row 1: position 0 is turned by 0, every other row by a different angle. '
              : `Rows ${matching.map((i) => i + 1).join(', ') || 'none'} match here. `}
            A rotation between <Tex>{'X W_K'}</Tex> and <Tex>{'W_{KV}'}</Tex> is a different matrix
            for every position, so <Tex>{'W_{KV}'}</Tex> must meet un-rotated keys:{' '}
            <Tex>{'V = K W_{KV} = R_j^{-1}\\tilde K W_{KV}'}</Tex>.
          </p>
        }
      />
      <div className="matrix-row">
        <MatrixView label="K raw" caption={<Tex>{'K = XW_K'}</Tex>} value={K} rowLabels={tokens} />
        <MatrixView
          label="K rotated"
          caption={<Tex>{'\\tilde K'}</Tex>}
          value={Krot}
          rowLabels={tokens}
        />
        <MatrixView label="V" caption={<Tex>{'V = XW_V'}</Tex>} value={V} rowLabels={tokens} />
        {rowsRevealed && (
          <MatrixView
            label="rotated K times W_KV"
            caption={<Tex>{'\\tilde K W_{KV}'}</Tex>}
            value={fromRot}
            rowLabels={tokens}
          />
        )}
      </div>
      <p>
        max |Δ| of <Tex>{'K W_{KV}'}</Tex> against <Tex>{'V'}</Tex>:{' '}
        <strong data-testid="raw-wkv-diff">{formatNumber(maxAbs(fromRaw, V), 3)}</strong>.{' '}
        {rowsRevealed && (
          <>
            Of <Tex>{'\\tilde K W_{KV}'}</Tex> against <Tex>{'V'}</Tex>:{' '}
            <strong data-testid="rot-wkv-diff">{formatNumber(maxAbs(fromRot, V), 3)}</strong>; rows
            that match:{' '}
            <strong data-testid="rot-wkv-rows">
              {matching.map((i) => i + 1).join(', ') || 'none'}
            </strong>
            .{' '}
          </>
        )}
        Rotating back by <Tex>{'-j\\theta'}</Tex> (the same sin/cos table) restores <Tex>{'K'}</Tex>{' '}
        to max |Δ|{' '}
        <strong data-testid="unrotate-diff">{formatNumber(maxAbs(unrotated, K), 3)}</strong>.
      </p>

      <h2>Two ways to cache</h2>
      <ul>
        <li>
          <strong>Cache raw K</strong> and rotate every cached row on each step, for the scores;{' '}
          <Tex>{'V = K W_{KV}'}</Tex> reads the raw rows directly.
        </li>
        <li>
          <strong>Cache rotated K</strong>: the scores read it directly; before the V-from-K
          product, un-rotate the rows (by <Tex>{'-j\\theta'}</Tex>). With sparsity (Appendix D) only
          the rows that are not skipped need it.
        </li>
      </ul>
      <p>
        Standard attention caches rotated keys next to V, so it rotates only the new query and key.
        Count 2-D rotations (one sin/cos pair each) per decode step, with n cached tokens and key
        width e:
      </p>
      <LessonCheckpoint
        id="rope-rotations"
        onRevealed={setRotationsRevealed}
        question={
          <>
            Slim attention caching <em>raw</em> K, n tokens in the cache (the new one included): how
            many rotations does one decode step of one layer do?
          </>
        }
        choices={[
          { label: 'e: the new q and the new k, e/2 each', correct: false },
          { label: '(n + 1)·e/2: q and every cached key', correct: true },
          { label: 'n·e: every cached key and value', correct: false },
        ]}
        explanation={
          <p>
            q needs e/2 rotations and each of the n cached keys e/2 more, for the scores: (n +
            1)·e/2 = {formatCount(rawAtN)} at n = {formatCount(nReal)}, e = {formatCount(REAL_E)}.
            Values are never rotated. Caching rotated keys costs about the same, n·e/2 un-rotations
            plus e for the new q and k, unless sparsity skips rows.
          </p>
        }
      />
      {rotationsRevealed ? (
        <div className="rope-rotations">
          <PowerOfTwoSlider
            label="cached tokens n"
            range={N_EXPONENTS}
            exponent={nExp}
            onChange={setNExp}
            text={(x) => `n = ${formatCount(x)}`}
          />
          <table className="diff-table" aria-label="RoPE rotations per decode step">
            <ColumnHeads columns={['cache', 'query', 'new key', 'cached keys', 'total']} />
            <tbody>
              {costs.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.name}</th>
                  <td>{formatCount(c.r.query)}</td>
                  <td>{formatCount(c.r.newKey)}</td>
                  <td>{formatCount(c.r.cachedKeys)}</td>
                  <td data-testid={`rot-${c.id}`}>{formatCount(c.r.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            For a layer with e = {formatCount(REAL_E)} at n = {formatCount(nReal)}. Plainly:
            standard attention does e rotations per step whatever n is; slim attention does about
            n·e/2 either way, because it reads keys in both forms (rotated for the scores, raw for{' '}
            <Tex>{'W_{KV}'}</Tex>) and caches only one. A rotation is 4 multiplies and 2 adds, so
            n·e/2 rotations are about 3·n·e OPs: more than the 2·n·e OPs of the scores themselves.
            With RoPE, slim attention’s extra compute per step grows with n, while its memory saving
            stays half the KV-cache.
          </p>
        </div>
      ) : (
        <p className="hint">The rotation counts per step, for any n, show once you answer.</p>
      )}

      <h2>Slim = standard, with or without RoPE</h2>
      <div className="rope-toggles">
        <label>
          <input
            type="checkbox"
            checked={options.rope}
            onChange={(e) => setRope(e.target.checked ? 'on' : 'off')}
          />{' '}
          RoPE
        </label>
        <fieldset disabled={!options.rope}>
          <legend className="small">slim cache holds</legend>
          {(['raw', 'rotated'] as const).map((c) => (
            <label key={c}>
              <input
                type="radio"
                name="rope-cache"
                checked={cache === c}
                onChange={() => setCache(c)}
              />{' '}
              {c} K
            </label>
          ))}
        </fieldset>
      </div>
      <PathDiffTable
        ariaLabel="RoPE slim versus standard"
        heading={<>max |Δ| of the output of “{tokens[n - 1]}”</>}
        testId="rope"
        f64={f64}
        f32={f32}
      />
      <MatrixView
        label="RoPE layer outputs"
        caption={
          <>
            Output of “{tokens[n - 1]}” (float64), RoPE{' '}
            {options.rope ? `on, slim caches ${cache} K` : 'off'}
          </>
        }
        value={[f64.rows.standard, f64.rows.option1, f64.rows.option2]}
        rowLabels={['standard', 'V-first order', 'K-first order']}
      />

      <h2>Where RoPE does not fit</h2>
      <p>
        Two other slim variants cache something else, and the paper uses neither with RoPE. The
        X-cache (paper §3) scores with <Tex>{'(x W_{Q,i} W_{K,i}^\\top) X^\\top'}</Tex>, folding{' '}
        <Tex>{'W_K'}</Tex> into the query so that no key is ever formed; a rotation that differs per
        position cannot sit between <Tex>{'W_K'}</Tex> and <Tex>{'X^\\top'}</Tex>. The V-cache
        variant (Appendix C) rebuilds <Tex>{'K = V W_{VK}'}</Tex> from values that carry{' '}
        <Tex>{'b_V'}</Tex>, so every key is shifted by the same row <Tex>{'b_V W_{VK}'}</Tex>; that
        is harmless only because softmax cancels a constant added to every score of a query (the
        next lesson), and with each key turned by its own angle the shift is no longer a constant.
        The engine refuses both:
      </p>
      <ul>
        <li data-testid="refusal-v-cache">
          {vRefusal ? (
            <>
              The V-cache cannot use RoPE: <Tex>{'K = V W_{VK}'}</Tex> gives unrotated keys, and a
              rotation that depends on the position does not commute with <Tex>{'W_{VK}'}</Tex>. A
              RoPE model caches K instead (slim) or K and V (standard).
            </>
          ) : (
            'The V-cache layer was built.'
          )}
        </li>
        <li data-testid="refusal-x-cache">
          {xRefusal ? (
            <>
              The X-cache cannot use RoPE: its scores need{' '}
              <Tex>{'x W_{Q,i} W_{K,i}^\\top X^\\top'}</Tex> as one product, and a rotation between{' '}
              <Tex>{'W_K'}</Tex> and <Tex>{'X^\\top'}</Tex> breaks it. A RoPE model caches K instead
              (slim) or K and V (standard).
            </>
          ) : (
            'The X-cache layer was built.'
          )}
        </li>
      </ul>
    </>
  );
}
