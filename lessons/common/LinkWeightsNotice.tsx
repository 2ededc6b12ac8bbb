import { TitleText } from './TitleText';
import { useRefusedLinkWeights } from './useToyWeights';

const NAMES = { wQ: 'W_Q', wK: 'W_K', wV: 'W_V', wO: 'W_O' } as const;

/**
 * Says which matrices of a shared link were not used, and why (an entry too large, too close to
 * zero, or not a 4 × 4 matrix): the lesson shows the default in their place, and without this a
 * reader would not know that the link was refused. Gone once the matrix is edited or reset.
 */
export function LinkWeightsNotice() {
  const refused = useRefusedLinkWeights();
  if (refused.length === 0) return null;
  return (
    <div className="notice-error link-weights-notice" role="status">
      {refused.map(({ name, why }) => (
        <p key={name}>
          The link’s <TitleText text={NAMES[name]} /> was not used: {why}. The default{' '}
          <TitleText text={NAMES[name]} /> is shown instead.
        </p>
      ))}
    </div>
  );
}
