import { useMemo, memo } from 'react';
import { applicability, compressionFactor, projectionRatio } from '../../roofline';
import type { Model } from '../../roofline';
import { DataTable } from './DataTable';

const kindNames = {
  'mha-square': 'MHA, square W_K',
  'mha-non-square': 'MHA, non-square projections',
  'mha-narrow': 'MHA narrower than d',
  'encoder-decoder': 'encoder–decoder',
  gqa: 'grouped-query attention (GQA)',
  mqa: 'multi-query attention (MQA)',
} as const;

/** View 5: the applicability verdict of roofline/applicability.ts, with its reason and options. */
export const ApplicabilityView = memo(function ApplicabilityView({ model }: { model: Model }) {
  const verdict = useMemo(() => applicability(model), [model]);
  const r = projectionRatio(model);
  const c = compressionFactor(model);
  return (
    <section className="view" aria-labelledby="view-applicability">
      <h2 id="view-applicability">5 · Does slim attention apply to {model.name}?</h2>
      <p
        className={verdict.applicable ? 'verdict good' : 'verdict bad'}
        data-testid="verdict"
        role="status"
      >
        <strong>
          {verdict.applicable
            ? `Yes: up to ${Number(verdict.factor.toPrecision(3))}× less context memory.`
            : 'No gain.'}
        </strong>{' '}
        {verdict.reason}
      </p>
      <p className="small">
        Kind: {kindNames[verdict.kind]}; h = {model.heads}, h_kv = {model.kvHeads}, d_k ={' '}
        {model.headDim}, d = {model.d}; r = e/d = {Number(r.toPrecision(3))}; c = h_kv(d_k + d_v)/d
        = {Number(c.toPrecision(3))}; positions: {model.positional}.
      </p>
      <DataTable
        label="Slim attention schemes for this model"
        columns={['scheme', 'cache reduction', 'works here', 'note']}
      >
        {verdict.options.map((o) => (
          <tr key={o.id}>
            <td>{o.name}</td>
            <td>{Number(o.factor.toPrecision(3))}×</td>
            <td className={o.works ? 'good' : 'bad'}>{o.works ? 'yes' : 'no'}</td>
            <td>{o.note}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
});
