import { roundingErrorEstimate } from '../../engine';
import { paperPrecisionStudy } from '../../roofline';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { TitleText } from '../common/TitleText';
import { PAPER, fmt } from './common';
import { TableScroll } from '../../components/TableScroll';

/** Where the later study's figures were published: the paper's source repository. */
const REPO = 'https://github.com/OpenMachine-ai/transformer-tricks/pull';
const STUDY = {
  /** cond(W_K), cond(W_V), the float32 logit errors, the V-cache's layer counts. */
  conditioning: `${REPO}/28`,
  /** Which direction (K→V, V→K, X) survives float32, float16 and bfloat16. */
  formats: `${REPO}/23`,
  /** The revision that measures the logit errors on LibriSpeech. */
  revision: `${REPO}/29`,
};

/** The published figures (the later study after Appendix A), with cond × u beside them. */
export function WhisperStudy() {
  const p = paperPrecisionStudy;
  const condK = <Tex>{'\\operatorname{cond}(W_K)'}</Tex>;
  const conds = [
    { what: <>median {condK}</>, value: p.crossCondK.median, id: 'median' },
    { what: <>largest {condK}</>, value: p.crossCondK.max, id: 'max' },
    {
      what: (
        <>
          largest <Tex>{'\\operatorname{cond}(W_V)'}</Tex>
        </>
      ),
      value: p.crossCondVMax,
      id: 'condv',
    },
  ];
  return (
    <>
      <h2>For scale: Whisper-large-v3</h2>
      <p>
        Large trained models can be far worse conditioned than these small ones. A later study by
        the authors’ collaborators, following <a href={PAPER}>Appendix A</a>, measured the
        cross-attention layers of {p.model} (where these figures come from: below the list). Beside
        each published figure, the rule of thumb cond × u: the size of error that condition number
        allows (measured errors are often smaller, but past 1 nothing is left).
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
          <TitleText text={p.advice} /> With u = 2⁻⁵³ even cond = {p.crossCondK.max} costs only{' '}
          <strong data-testid="paper-max-f64">
            {fmt(roundingErrorEstimate(Number(p.crossCondK.max), 'float64'))}
          </strong>{' '}
          while forming <Tex>{'W_{KV}'}</Tex>; the error comes from running it in a shorter format.
        </li>
      </ul>
      <p className="small" data-testid="paper-study-source">
        Where these figures come from: not from a section or table of{' '}
        <a href={PAPER}>the paper (arXiv 2503.05840)</a>, which argues that <Tex>{'W_K'}</Tex> is
        almost surely invertible (§1) and leaves its limits to Appendix A. They are later work by a
        collaborator of the authors, added to the paper’s source in the authors’ repository: the
        condition numbers, the two logit errors and the layer counts in{' '}
        <a href={STUDY.conditioning}>pull request 28</a>, which formats each direction survives in{' '}
        <a href={STUDY.formats}>pull request 23</a>. A later revision there (
        <a href={STUDY.revision}>pull request 29</a>) notes that the two logit errors were measured
        on random encoder output and measures them again on LibriSpeech speech: read{' '}
        {p.logitErrorFloat32.vFromK} and {p.logitErrorFloat32.vCache} as the size of the effect, not
        as a benchmark.
      </p>
      <p>
        So before converting a model, measure: {condK} and <Tex>{'\\operatorname{cond}(W_V)'}</Tex>{' '}
        per layer, the error of each direction in the format the model will run in, and keep the
        better direction per layer, or keep that layer standard. The engine forms every{' '}
        <Tex>{'W_{KV}'}</Tex> in float64, and the Playground’s per-layer check does this measurement
        for any checkpoint.
      </p>
    </>
  );
}
