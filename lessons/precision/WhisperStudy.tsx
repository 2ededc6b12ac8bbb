import { roundingErrorEstimate } from '../../engine';
import { paperPrecisionStudy } from '../../roofline';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { PAPER, fmt } from './common';
import { TableScroll } from '../../components/TableScroll';

/** The published figures (Appendix A and the later study), with cond × u beside them. */
export function WhisperStudy() {
  const p = paperPrecisionStudy;
  const conds = [
    { what: 'median cond(W_K)', value: p.crossCondK.median, id: 'median' },
    { what: 'largest cond(W_K)', value: p.crossCondK.max, id: 'max' },
    { what: 'largest cond(W_V)', value: p.crossCondVMax, id: 'condv' },
  ];
  return (
    <>
      <h2>For scale: Whisper-large-v3</h2>
      <p>
        Large trained models can be far worse conditioned than these small ones. A later study by
        the authors’ collaborators, following <a href={PAPER}>Appendix A</a>, measured the
        cross-attention layers of {p.model}. Beside each published figure, the rule of thumb cond ×
        u: the size of error that condition number allows (measured errors are often smaller, but
        past 1 nothing is left).
      </p>
      <TableScroll label="Published conditioning figures">
        <table className="diff-table" aria-label="published conditioning figures">
          <ColumnHeads
            columns={['cross-attention', 'published', 'cond × u, float32', 'cond × u, float16']}
          />
          <tbody>
            {conds.map((c) => (
              <tr key={c.id}>
                <th scope="row">{c.what}</th>
                <td data-testid={`paper-${c.id}`}>{c.value}</td>
                <td data-testid={`paper-${c.id}-f32`}>
                  {fmt(roundingErrorEstimate(Number(c.value), 'float32'))}
                </td>
                <td data-testid={`paper-${c.id}-f16`}>
                  {fmt(roundingErrorEstimate(Number(c.value), 'float16'))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <ul className="precision-notes">
        <li>
          Rebuilding V from K in every layer gave a relative logit error of{' '}
          <strong data-testid="paper-logit-k">{p.logitErrorFloat32.vFromK}</strong> even in float32;
          caching V and rebuilding K instead gave{' '}
          <strong data-testid="paper-logit-v">{p.logitErrorFloat32.vCache}</strong>.
        </li>
        <li>
          The better direction changes from layer to layer: the V-cache won in{' '}
          {p.vCacheBetter.map((b, i) => (
            <span key={b.model} data-testid={`paper-better-${b.model}`}>
              {i > 0 && ', and in '}
              {b.better} of {b.layers} layers of {b.model}
            </span>
          ))}
          .
        </li>
        <li>
          {p.lowPrecision.float16} {p.lowPrecision.bfloat16}
        </li>
        <li>
          {p.advice} With u = 2⁻⁵³ even cond = {p.crossCondK.max} costs only{' '}
          <strong data-testid="paper-max-f64">
            {fmt(roundingErrorEstimate(Number(p.crossCondK.max), 'float64'))}
          </strong>{' '}
          while forming <Tex>{'W_{KV}'}</Tex>; the error comes from running it in a shorter format.
        </li>
      </ul>
      <p>
        So before converting a model, measure: cond(W_K) and cond(W_V) per layer, the error of each
        direction in the format the model will run in, and keep the better direction per layer, or
        keep that layer standard. The engine forms every <Tex>{'W_{KV}'}</Tex> in float64, and the
        Playground’s per-layer check does this measurement for any checkpoint.
      </p>
    </>
  );
}
