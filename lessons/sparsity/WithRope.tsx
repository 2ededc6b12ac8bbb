import { ropeRotationsPerStep } from '../../roofline';
import type { SharedRowResult } from '../../engine';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import type { Run } from './sparseRun';
import { MODEL } from './useMobyProbes';
import { LessonLink } from '../common/LessonLink';

/** With RoPE: only the keys some head keeps need un-rotating before K·W_KV. */
export function WithRope({ run, n, e, tau }: { run?: Run; n?: number; e: number; tau: number }) {
  return (
    <>
      <h2>With RoPE</h2>
      <p>
        {MODEL} has learned positions, not RoPE. In a RoPE model (<LessonLink slug="rope" />,
        Appendix E) the slim K-cache can hold raw keys, rotated for the scores at every step, or
        rotated keys, which must be turned back before <Tex>{'K W_{KV}'}</Tex>. Sparsity helps the
        second: only the keys a head keeps are needed in <Tex>{'(\\sum s_j k_j)\\,W_{KV}'}</Tex>, so
        only those are un-rotated.
      </p>
      {run && n !== undefined && <RopeNote anyHead={run.anyHead} n={n} e={e} tau={tau} />}
    </>
  );
}

function RopeNote({
  anyHead,
  n,
  e,
  tau,
}: {
  anyHead: SharedRowResult;
  n: number;
  e: number;
  tau: number;
}) {
  const kept = n - anyHead.skipped;
  const all = ropeRotationsPerStep(n, e, 'slim-rotated').cachedKeys;
  const some = kept > 0 ? ropeRotationsPerStep(kept, e, 'slim-rotated').cachedKeys : 0;
  return (
    <p>
      Slim heads share whole key rows, so a key is needed when any head keeps it. At τ ={' '}
      {formatNumber(tau, 3)} in this layer,{' '}
      <strong data-testid="rope-kept">{formatCount(kept)}</strong> of the {n} keys are kept by at
      least one head: a rotated K-cache of width {e} would un-rotate{' '}
      <strong data-testid="rope-unrotate-kept">{formatCount(some)}</strong> column pairs (one 2-D
      rotation each) instead of <strong data-testid="rope-unrotate-all">{formatCount(all)}</strong>{' '}
      for this token.
    </p>
  );
}
