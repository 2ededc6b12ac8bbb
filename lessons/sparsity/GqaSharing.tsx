import { useState } from 'react';
import { sparsityWorkFactor, type SharedRowResult } from '../../engine';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { paperShared, paperWork, times, type Run } from './sparseRun';
import { MODEL } from './useMobyProbes';

/** Why heads sharing a value row (GQA) skip fewer rows: S^g, then the model's heads grouped. */
export function GqaSharing({ run, layer }: { run?: Run; layer?: number }) {
  const [gqaRevealed, setGqaRevealed] = useState(false);
  return (
    <>
      <h2>Why GQA makes skipping rarer</h2>
      <p>
        Grouped-query attention (GQA, paper Appendix G) lets <Tex>{'g'}</Tex> query heads share one
        key and value head, to shrink the cache <Tex>{'g'}</Tex> times. A shared value row can be
        skipped (not read at all) only when <em>all</em> <Tex>{'g'}</Tex> heads give it a weight
        below <Tex>{'\\tau'}</Tex>. If each head skips a row with chance <Tex>{'S'}</Tex>, on its
        own, that happens with chance <Tex>{'S^g'}</Tex>.
      </p>
      <LessonCheckpoint
        id="sparsity-gqa"
        onRevealed={setGqaRevealed}
        question={
          <>
            Each head alone would skip 80% of the rows. With <Tex>{'g = 4'}</Tex> heads sharing each
            row, and heads that choose independently, what share of the shared rows can be skipped?
          </>
        }
        choices={[0.2, paperShared, 0.8, 0.96].map((x) => ({
          label: `${formatNumber(x * 100, 2)}%`,
          correct: x === paperShared,
        }))}
        explanation={
          <p>
            <Tex>{'S^g = 0.8^4'}</Tex> = {formatNumber(paperShared, 3)} (paper Appendix D): less
            than half the rows, down from 80%, so the work saved falls from {times(paperWork)} to{' '}
            {times(sparsityWorkFactor(paperShared))}. Sparsity pays most in plain multi-head
            attention, which is also where slim attention halves the cache.
          </p>
        }
      />
      {!gqaRevealed ? (
        <p className="small">
          The heads of {MODEL} grouped <Tex>{'g'}</Tex> at a time appear once the prediction above
          is answered.
        </p>
      ) : run && layer !== undefined ? (
        <GroupTable groups={run.groups} layerHeads={run.layerHeads} layer={layer} tau={run.tau} />
      ) : (
        <p className="small">The grouped heads appear once the model has run.</p>
      )}
    </>
  );
}

function GroupTable({
  groups,
  layerHeads,
  layer,
  tau,
}: {
  groups: SharedRowResult[];
  layerHeads: number;
  layer: number;
  tau: number;
}) {
  const heads = groups[0].kvHeads * groups[0].group;
  return (
    <>
      <p>
        {MODEL} is plain multi-head attention with {layerHeads} heads, so we pretend: heads 1–2 and
        3–4 share rows for <Tex>{'g = 2'}</Tex>, all four for <Tex>{'g = 4'}</Tex>
        {layerHeads > heads ? ` (heads ${heads + 1}–${layerHeads} sit this out)` : ''}. A row is
        skipped for the group when every head of it weighs the row below τ = {formatNumber(tau, 3)}{' '}
        (layer {layer + 1}, last token).
      </p>
      <table className="diff-table" aria-label="value rows shared by g heads">
        <ColumnHeads
          columns={[
            'g heads per row',
            <>S of a head alone (mean of the {heads})</>,
            <>
              <Tex>{'S^g'}</Tex> (independent heads)
            </>,
            'measured, shared rows',
            'less work',
          ]}
        />
        <tbody>
          {groups.map((r) => (
            <tr key={r.group}>
              <th scope="row">{r.group}</th>
              <td data-testid={`gqa-head-${r.group}`}>{formatNumber(r.headSparsity, 3)}</td>
              <td data-testid={`gqa-independent-${r.group}`}>{formatNumber(r.independent, 3)}</td>
              <td data-testid={`gqa-measured-${r.group}`}>{formatNumber(r.sparsity, 3)}</td>
              <td data-testid={`gqa-work-${r.group}`}>{times(r.workFactor)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small">
        Real heads do not choose independently: they often agree on the few tokens that matter (the
        first token, punctuation), so the measured share can sit above <Tex>{'S^g'}</Tex>. Either
        way it falls as <Tex>{'g'}</Tex> grows.
      </p>
    </>
  );
}
