import { TitleText } from '../common/TitleText';
import { useId, type ReactNode } from 'react';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { enumCodec, numberCodec, type UrlCodec } from '../../components/useUrlState';
import {
  chooseDirection,
  DEFAULT_SLIM_TOLERANCE,
  MAX_CONDITION,
  roundingErrorEstimate,
  UNIT_ROUNDOFF,
  type StorageFormat,
} from '../../engine';
import { useLessonState } from '../common/lessonState';
import { fmt } from './common';

const FORMATS = ['float32', 'float16', 'bfloat16'] as const satisfies readonly StorageFormat[];
type Format = (typeof FORMATS)[number];

/** A condition number: at least 1 (cond = σ_max/σ_min), finite. */
const condCodec: UrlCodec<number> = {
  parse: (s) => {
    const v = numberCodec.parse(s);
    return v !== undefined && v >= 1 ? v : undefined;
  },
  serialize: (v) => String(v),
};
const formatCodec = enumCodec(FORMATS);
const yesNo = enumCodec(['yes', 'no'] as const);

/** Opens on the median cross-attention layer of Whisper-large-v3 (the table above). */
const DEFAULT_COND_K = 1.4e7;
const DEFAULT_COND_V = 4.5e6;

interface Verdict {
  /** cond·u, or null where the matrix is past the engine's inversion threshold. */
  estimate: number | null;
  allowed: boolean;
  why: string;
}

function verdict(cond: number, format: Format, ruledOut?: string): Verdict {
  if (ruledOut) return { estimate: null, allowed: false, why: ruledOut };
  if (cond > MAX_CONDITION)
    return {
      estimate: null,
      allowed: false,
      why: `past the engine’s inversion limit, cond ${fmt(MAX_CONDITION)}`,
    };
  const estimate = roundingErrorEstimate(cond, format);
  const allowed = estimate <= DEFAULT_SLIM_TOLERANCE;
  return {
    estimate,
    allowed,
    why: allowed ? 'within the tolerance' : 'above the tolerance',
  };
}

/**
 * One layer's decision, from its two condition numbers, the format and RoPE: which caches are
 * allowed, each one's error estimate cond·u, and the one the engine would choose. The choice is
 * the engine's own (chooseDirection, as `slim check` makes it per layer, with the estimates in
 * place of measured errors) and the tolerance is its default.
 */
export function LayerDecision() {
  const id = useId();
  const [condK, setCondK] = useLessonState('dcondk', condCodec, DEFAULT_COND_K);
  const [condV, setCondV] = useLessonState('dcondv', condCodec, DEFAULT_COND_V);
  const [format, setFormat] = useLessonState<Format>('dformat', formatCodec, 'float32');
  const [ropeAnswer, setRope] = useLessonState('drope', yesNo, 'no');
  const rope = ropeAnswer === 'yes';

  const k = verdict(condK, format);
  const v = verdict(condV, format, rope ? 'ruled out by RoPE' : undefined);
  const { direction, ok } = chooseDirection(k.estimate, v.estimate, {
    rope,
    tolerance: DEFAULT_SLIM_TOLERANCE,
  });
  const choice = !ok
    ? 'the standard KV-cache: keep this layer standard'
    : direction === 'v-cache'
      ? 'the V-cache (rebuild K from V)'
      : 'the K-cache (rebuild V from K)';

  const condInput = (label: ReactNode, value: number, set: (v: number) => void, key: string) => (
    <label htmlFor={`${id}-${key}`}>
      {label}{' '}
      <input
        id={`${id}-${key}`}
        data-testid={`decide-${key}`}
        type="number"
        min={1}
        step="any"
        defaultValue={value}
        key={value}
        onBlur={(e) => {
          const parsed = condCodec.parse(e.currentTarget.value);
          if (parsed !== undefined) set(parsed);
        }}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          const parsed = condCodec.parse(e.currentTarget.value);
          if (parsed !== undefined) set(parsed);
        }}
      />
    </label>
  );

  const row = (name: string, what: string, r: Verdict, testId: string) => (
    <tr>
      <th scope="row">{name}</th>
      <td>{what}</td>
      <td data-testid={`decide-${testId}-estimate`}>
        {r.estimate === null ? '—' : fmt(r.estimate)}
      </td>
      <td data-testid={`decide-${testId}-allowed`}>{r.allowed ? 'allowed' : 'not allowed'}</td>
      <td>{r.why}</td>
    </tr>
  );

  return (
    <>
      <h2>Decide one layer</h2>
      <p>
        Put the pieces together for one layer of a model you want to convert: its two condition
        numbers, the format it will run in and whether it uses RoPE. The error of each slim cache is
        estimated as <Tex>{'\\operatorname{cond}\\cdot u'}</Tex>; the engine allows a cache whose
        relative error stays within {fmt(DEFAULT_SLIM_TOLERANCE)} and picks the better of the two,
        the same choice <code>slim check</code> makes for every layer from measured errors.
      </p>
      <div className="decision-inputs">
        {condInput(<TitleText text="cond(W_K)" named />, condK, setCondK, 'condk')}
        {condInput(<TitleText text="cond(W_V)" named />, condV, setCondV, 'condv')}
        <label htmlFor={`${id}-format`}>
          format{' '}
          <select
            id={`${id}-format`}
            value={format}
            onChange={(e) => setFormat(e.currentTarget.value as Format)}
          >
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {f} (u = {fmt(UNIT_ROUNDOFF[f])})
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={`${id}-rope`}>
          <input
            id={`${id}-rope`}
            type="checkbox"
            checked={rope}
            onChange={(e) => setRope(e.currentTarget.checked ? 'yes' : 'no')}
          />{' '}
          the model uses RoPE
        </label>
      </div>
      <table className="diff-table" aria-label="one layer's slim caches">
        <ColumnHeads columns={['cache', 'rebuilds', 'cond · u', 'verdict', 'why']} />
        <tbody>
          <tr>
            <th scope="row">standard KV-cache</th>
            <td>nothing</td>
            <td data-testid="decide-kv-estimate">{fmt(UNIT_ROUNDOFF[format])}</td>
            <td data-testid="decide-kv-allowed">allowed</td>
            <td>twice the cache, no rebuild</td>
          </tr>
          {row('K-cache', 'V from K', k, 'k')}
          {row('V-cache', 'K from V', v, 'v')}
        </tbody>
      </table>
      <p>
        The choice for this layer: <strong data-testid="decide-choice">{choice}</strong>.
      </p>
    </>
  );
}
