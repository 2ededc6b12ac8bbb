import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import { xCacheOps, type Model } from '../../roofline';
import { LessonLink } from '../common/LessonLink';

/** OPs per token and layer of the X-cache against standard, for one model at its context. */
export function XCacheCost({ model }: { model: Model }) {
  const n = model.contextLength;
  if (n === undefined) return null;
  const ops = xCacheOps({ d: model.d, heads: model.heads, headDim: model.headDim, n });
  const perValue = (o: number, reads: number) => formatNumber(o / reads, 3);
  return (
    <>
      <h2>What the X-cache costs</h2>
      <p>
        Per token and layer of {model.name}, with <Tex>{`n = ${formatCount(n)}`}</Tex> tokens
        cached, from the cost model (an OP is one multiply or one add):
      </p>
      <table className="diff-table" aria-label="X-cache operations">
        <ColumnHeads columns={['OPs per token', 'standard', 'X-cache']} />
        <tbody>
          <tr>
            <th scope="row">the new token’s projections</th>
            <td data-testid="ops-std-proj">{formatCount(ops.standardProjections)}</td>
            <td data-testid="ops-x-proj">{formatCount(ops.projections)}</td>
          </tr>
          <tr>
            <th scope="row">scores and weighted sums over the n cached rows</th>
            <td data-testid="ops-std-core">{formatCount(ops.standardCore)}</td>
            <td data-testid="ops-x-core">{formatCount(ops.core)}</td>
          </tr>
          <tr>
            <th scope="row">cached values read</th>
            <td data-testid="reads-std">{formatCount(ops.standardCoreReads)}</td>
            <td data-testid="reads-x">{formatCount(ops.coreReads)}</td>
          </tr>
          <tr>
            <th scope="row">OPs per cached value read</th>
            <td>{perValue(ops.standardCore, ops.standardCoreReads)}</td>
            <td data-testid="ops-x-intensity">{perValue(ops.core, ops.coreReads)}</td>
          </tr>
        </tbody>
      </table>
      <p>
        The X-cache’s projections, <Tex>{'\\cdot W_{K,i}^\\top'}</Tex> and{' '}
        <Tex>{'\\cdot W_{V,i}'}</Tex> for every head, cost <Tex>{'4de'}</Tex> OPs per token,
        whatever <Tex>{'n'}</Tex> is: the same as the <Tex>{'xW_K'}</Tex> and <Tex>{'xW_V'}</Tex>{' '}
        that standard attention computes and the X-cache no longer needs. The part that grows with{' '}
        <Tex>{'n'}</Tex> does run over <Tex>{'d'}</Tex>
        -wide rows instead of <Tex>{'d_k'}</Tex>-wide ones, so it needs{' '}
        {formatNumber(ops.core / ops.standardCore, 3)}x the OPs, but it reads{' '}
        {formatNumber(ops.standardCoreReads / ops.coreReads, 3)}x fewer values, shared by all{' '}
        {model.heads} heads. While decoding is limited by memory reads (
        <LessonLink slug="why-the-cache-dominates" />
        ), fewer reads win; on a chip whose arithmetic runs out first, the extra OPs can cost more
        than the reads save.
      </p>
    </>
  );
}
