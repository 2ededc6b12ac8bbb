import { useState } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatCount } from '../../components/format';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { D } from '../common/toyData';
import { DECODER_LAYERS, ENCODER_ROWS, type CrossComparison } from './runs';
import { LessonLink } from '../common/LessonLink';

/** One row of the cache table per scheme (both orders of a scheme cache the same). */
const CACHE_VARIANTS = [
  ['baseline', 'baseline'],
  ['option1V', 'K-caches'],
  ['option2V', 'E-cache'],
] as const;

/**
 * Paper Table 6: the baseline, the K-caches (paper §4, option 1) and the E-cache (option 2), what the engine's toy
 * caches hold under each, and the three side by side.
 */
export function CacheSchemes({ stored }: { stored: CrossComparison }) {
  const [eRevealed, setERevealed] = useState(false);
  const option2Values = stored.runs.option2V?.values ?? 0;
  const p = ENCODER_ROWS;

  return (
    <>
      <h2>Three ways to cache (paper Table 6)</h2>
      <ul>
        <li>
          <strong>Baseline</strong>: every layer caches its cross K and V. Per token it reads them,
          and of the cross weights only <Tex>{'W_Q'}</Tex> and <Tex>{'W_O'}</Tex>.
        </li>
        <li>
          <strong>K-caches</strong> (paper §4, option 1): every layer caches its cross K only and
          recomputes <Tex>{'V = K\\,W_{KV}'}</Tex> with <Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex>, as a
          slim self-attention does. Half the cache, half the cross-phase work; it reads{' '}
          <Tex>{'W_{KV}'}</Tex> per token.
        </li>
        <li>
          <strong>E-cache</strong> (paper §4, option 2): cache <Tex>{'E'}</Tex> itself and let every
          layer recompute <Tex>{'K_j = E\\,W_{K,j}'}</Tex> and <Tex>{'V_j = E\\,W_{V,j}'}</Tex> (or{' '}
          <Tex>{'(sE)\\,W_{V,j}'}</Tex>, the probabilities <Tex>{'s'}</Tex> times E first) at every
          step. No cross phase at all, and no inverse needed; the price is that each layer now reads
          its cross <Tex>{'W_K'}</Tex> and <Tex>{'W_V'}</Tex> for every token, since they are no
          longer applied once and for all in the cross phase.
        </li>
      </ul>
      <LessonCheckpoint
        id="e-cache-values"
        onRevealed={setERevealed}
        question={
          <>
            In the cross phase the engine hands <Tex>{'E'}</Tex> to both decoder layers. How many
            values does the E-cache keep in all (the baseline keeps{' '}
            {formatCount(stored.runs.baseline?.values ?? 0)})?
          </>
        }
        choices={[p * D, DECODER_LAYERS * p * D, 2 * DECODER_LAYERS * p * D].map((n) => ({
          label: formatCount(n),
          correct: n === option2Values,
        }))}
        explanation={
          <p>
            One copy of <Tex>{'E'}</Tex>: <Tex>{'p \\cdot d'}</Tex> = {p} · {D} ={' '}
            {formatCount(option2Values)} values, however many layers read it. The engine’s E-cache
            notices that every layer was handed the same tensor and stores it once.
          </p>
        }
      />
      {eRevealed ? (
        <CacheTable stored={stored} />
      ) : (
        <p className="small">
          The engine’s cache counts appear once the prediction above is answered.
        </p>
      )}

      <table className="diff-table cross-summary" aria-label="the three schemes side by side">
        <ColumnHeads columns={['per decoder layer', 'baseline', 'K-caches', 'E-cache']} />
        <tbody>
          <tr>
            <th scope="row">self-attention cache</th>
            <td>K and V</td>
            <td>K only</td>
            <td>K only</td>
          </tr>
          <tr>
            <th scope="row">cross-attention cache</th>
            <td>K and V</td>
            <td>K only</td>
            <td>none (E, shared)</td>
          </tr>
          <tr>
            <th scope="row">cross weights read per token</th>
            <td>
              <Tex>{'W_Q, W_O'}</Tex>
            </td>
            <td>
              <Tex>{'W_Q, W_{KV}, W_O'}</Tex>
            </td>
            <td>
              <Tex>{'W_Q, W_K, W_V, W_O'}</Tex>
            </td>
          </tr>
          <tr>
            <th scope="row">cross-phase work</th>
            <td>K and V</td>
            <td>K only</td>
            <td>none</td>
          </tr>
          <tr>
            <th scope="row">works with RoPE</th>
            <td>yes</td>
            <td>yes</td>
            <td>no</td>
          </tr>
        </tbody>
      </table>
      <p>
        The paper marks the E-cache as unsuited to RoPE (<LessonLink slug="rope" />
        ). Whisper adds its positions to the inputs and rotates nothing, so it loses nothing there.
      </p>
    </>
  );
}

/** What each scheme holds after the cross phase, as the engine reports it. */
function CacheTable({ stored }: { stored: CrossComparison }) {
  return (
    <table className="diff-table cross-cache-table" aria-label="toy cross caches">
      <ColumnHeads columns={['scheme', 'what is cached', 'values', <>bytes ({stored.dtype})</>]} />
      <tbody>
        {CACHE_VARIANTS.map(([v, name]) => {
          const run = stored.runs[v];
          return (
            <tr key={v}>
              <th scope="row">{name}</th>
              <td className="cross-cache-what">
                {run ? (
                  run.caches.map((c) => (
                    <span key={c.name}>
                      {c.name} ({c.rows} × {c.cols})
                    </span>
                  ))
                ) : (
                  <>
                    not run: <Tex>{'W_K'}</Tex> has no inverse
                  </>
                )}
              </td>
              <td data-testid={`cache-${v}-values`}>{run ? formatCount(run.values) : '—'}</td>
              <td data-testid={`cache-${v}-bytes`}>{run ? formatCount(run.bytes) : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
