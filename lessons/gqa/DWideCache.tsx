import { useMemo, type ReactNode } from 'react';
import {
  compressionFactor,
  compressionSaving,
  keyWidth,
  kvCacheWidth,
  type AttentionShape,
} from '../../roofline';
import type { GroupedAttentionScheme } from '../../engine';
import { ColumnHeads } from '../../components/ColumnHeads';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
import { D, tokenText, type Mat } from '../common/toyData';
import { TitleText } from '../common/TitleText';
import { percent, ratio, tc } from './format';
import {
  GQA_IDS,
  GQA_SCHEMES,
  GQA_SHAPES,
  compareGqa,
  dWideKey,
  gqaWeights,
  type GqaShapeId,
  type SchemeRun,
} from './toy';

/** Each scheme's name, for the table, with its formula typeset. */
const SCHEME_NAMES: Record<GroupedAttentionScheme, ReactNode> = {
  kv: 'standard KV-cache (K and V)',
  'k-cache': (
    <>
      slim K-cache, <Tex>{'V = K\\,W_{KV}'}</Tex>
    </>
  ),
  'd-wide-cache': (
    <>
      d-wide cache <Tex>{'K^* = X\\,W_K^*'}</Tex>
    </>
  ),
};
/** The same names as plain row labels of the outputs matrix. */
const ROW_NAMES: Record<GroupedAttentionScheme, string> = {
  kv: 'standard KV-cache',
  'k-cache': 'slim K-cache',
  'd-wide-cache': 'd-wide cache',
};

/** The last output row of a run (the newest token). */
function lastRow(run: SchemeRun): number[] {
  return run.ok ? run.outputs[run.outputs.length - 1] : [];
}

/** The toy shape as a cost-model attention shape (one layer). */
function toyShape(id: GqaShapeId): AttentionShape {
  const s = GQA_SHAPES[id];
  return { d: D, layers: 1, heads: s.heads, kvHeads: s.kvHeads, headDim: s.headDim };
}

export interface DWideCacheProps {
  shapeId: GqaShapeId;
  wK: Mat;
  wV: Mat;
}

/**
 * Appendix G's d-wide cache for the selected toy shape, and the engine's runs of the three cache
 * schemes (shown once the toy's prediction is answered).
 */
export function DWideCache({ shapeId, wK, wV }: DWideCacheProps) {
  const shape = toyShape(shapeId);
  const wideShape = toyShape('mqa-wide');

  const weights = useMemo(() => gqaWeights(shapeId, wK, wV), [shapeId, wK, wV]);
  const f64 = useMemo(() => compareGqa(weights, 'float64'), [weights]);
  const f32 = useMemo(() => compareGqa(weights, 'float32'), [weights]);
  const star = useMemo(() => dWideKey(wK, wV), [wK, wV]);
  const tokens = GQA_IDS.map(tokenText);
  const working = GQA_SCHEMES.filter((scheme) => f64.runs[scheme].ok);

  return (
    <>
      <h3>A d-wide cache instead</h3>
      <p>
        Slim attention needs a cached row from which <Tex>{'x'}</Tex> can be recovered, so the row
        must have at least <Tex>{'d'}</Tex> numbers. Appendix G’s answer: cache{' '}
        <Tex>{'K^* = X W_K^*'}</Tex> with a square, invertible <Tex>{'d \\times d'}</Tex> matrix{' '}
        <Tex>{'W_K^*'}</Tex>, and rebuild both <Tex>{'K = K^* (W_K^{*-1} W_K)'}</Tex> and{' '}
        <Tex>{'V = K^* (W_K^{*-1} W_V)'}</Tex> at every step. One simple <Tex>{'W_K^*'}</Tex> (the
        engine’s): the first <Tex>{'d'}</Tex> columns of <Tex>{'[W_K \\mid W_V]'}</Tex>. Then the
        cache keeps K itself plus the first <Tex>{'d - e'}</Tex> columns of V, and only the rest of
        V is recomputed. That row has <Tex>{'d'}</Tex> numbers instead of <Tex>{'d_{cache}'}</Tex>:
        it is smaller only when <Tex>{'d < d_{cache}'}</Tex>, that is <Tex>{'c > 1'}</Tex>, and it
        saves the share <Tex>{'1 - 1/c'}</Tex> of the cache.
      </p>
      {'matrix' in star ? (
        <MatrixView
          label="W_K star"
          caption={
            <>
              <Tex>{'W_K^*'}</Tex> for this shape (first {D} columns of [W_K | W_V])
            </>
          }
          value={star.matrix}
        />
      ) : (
        <p className="small">
          For this shape the engine forms no <Tex>{'W_K^*'}</Tex>:{' '}
          <span>
            <TitleText text={star.message} />
          </span>
        </p>
      )}
      <dl className="numbers">
        <div>
          <dt>key width e = h_kv·d_k</dt>
          <dd data-testid="toy-e">{keyWidth(shape)}</dd>
        </div>
        <div>
          <dt>d_cache = h_kv·(d_k + d_v)</dt>
          <dd data-testid="toy-dcache">{kvCacheWidth(shape)}</dd>
        </div>
        <div>
          <dt>c = d_cache / d</dt>
          <dd data-testid="toy-c">{ratio(compressionFactor(shape))}</dd>
        </div>
        <div>
          <dt>d-wide cache saves</dt>
          <dd data-testid="toy-saving">{percent(compressionSaving(shape))}</dd>
        </div>
      </dl>
      <table className="diff-table gqa-runs" aria-label="toy schemes run by the engine">
        <ColumnHeads
          columns={[
            'cache scheme',
            'values cached per token',
            'max |Δ| vs standard, float64',
            'float32',
          ]}
        />
        <tbody>
          {GQA_SCHEMES.map((scheme) => {
            const r64 = f64.runs[scheme];
            const r32 = f32.runs[scheme];
            return (
              <tr key={scheme} data-testid={`toy-run-${scheme}`}>
                <th scope="row">{SCHEME_NAMES[scheme]}</th>
                {r64.ok ? (
                  <>
                    <td data-testid={`toy-values-${scheme}`}>{formatNumber(r64.valuesPerToken)}</td>
                    <td data-testid={`toy-diff64-${scheme}`}>
                      {scheme === 'kv' ? '—' : formatNumber(f64.maxDiff[scheme] ?? NaN, 3)}
                    </td>
                    <td data-testid={`toy-diff32-${scheme}`}>
                      {scheme === 'kv' ? (
                        '—'
                      ) : r32.ok ? (
                        formatNumber(f32.maxDiff[scheme] ?? NaN, 3)
                      ) : (
                        <TitleText text={r32.message} />
                      )}
                    </td>
                  </>
                ) : (
                  <td colSpan={3} className="gqa-refusal" data-testid={`toy-refusal-${scheme}`}>
                    refused: <TitleText text={r64.message} />
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      <MatrixView
        label="toy outputs"
        caption={<>Output of “{tokens[tokens.length - 1]}” per working scheme (float64)</>}
        value={working.map((scheme) => lastRow(f64.runs[scheme]))}
        rowLabels={working.map((scheme) => ROW_NAMES[scheme])}
      />
      <p>
        Try the shapes. With <Tex>{`d_k = ${tc(GQA_SHAPES['mqa-wide'].headDim)}`}</Tex> the K-cache
        is still refused ({keyWidth(wideShape)} numbers cannot give back {D}), but{' '}
        <Tex>{`d_{cache} = ${tc(kvCacheWidth(wideShape))}`}</Tex> &gt; <Tex>{'d'}</Tex>: the d-wide
        cache holds {D} values per token instead of {kvCacheWidth(wideShape)} and the outputs match
        the standard run. With <Tex>{`d_k = ${tc(GQA_SHAPES.mqa.headDim)}`}</Tex> MQA,{' '}
        <Tex>{`d_{cache} = ${tc(kvCacheWidth(toyShape('mqa')))} = d`}</Tex>: there is nothing to
        save. With MHA, <Tex>{'W_K'}</Tex> is square: the K-cache works, and it is itself a d-wide
        cache.
      </p>
    </>
  );
}
