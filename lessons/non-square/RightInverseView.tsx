import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
import { NS_D, NS_E, NS_TOKEN_LABELS, type RightInverseDetail } from './toy';
import type { Mat } from '../common/toyData';

/** A float64 result counts as exact when it is this close (round-off of small numbers). */
const MATCH = 1e-9;

/**
 * float64 results of the right inverse: an entry below ROUND_OFF times its matrix's largest is
 * round-off of an exact 0 (the right inverse goes through a QR factorization) and is shown as 0,
 * as the note under the matrices says.
 */
const ROUND_OFF = 1e-12;
function cleanCells(m: Mat): (x: number) => string {
  const scale = m.reduce((a, row) => row.reduce((b, x) => Math.max(b, Math.abs(x)), a), 0);
  return (x) => formatNumber(Math.abs(x) <= ROUND_OFF * scale ? 0 : x);
}

/** The toy's right inverse, W_K⁺W_K asked for before it is shown, and V rebuilt from K. */
export function RightInverseView({
  detail,
  revealed,
  onRevealed,
}: {
  detail: RightInverseDetail;
  revealed: boolean;
  onRevealed: (shown: boolean) => void;
}) {
  const isIdentity = detail.projectorVsIdentity <= MATCH;
  const keepsK = detail.KBackError <= MATCH;
  // A unit row the projection moves (one exists: W_K⁺W_K has rank d < e, so it is not I_e).
  const moved = detail.projector.findIndex((row, i) =>
    row.some((x, j) => Math.abs(x - (i === j ? 1 : 0)) > MATCH),
  );
  const unit = Array.from({ length: NS_E }, (_, j) => (j === moved ? 1 : 0));
  return (
    <>
      <div className="matrix-row">
        <MatrixView
          label="right inverse"
          caption={<Tex>{'W_K^{+}\\ (e \\times d)'}</Tex>}
          value={detail.wKPlus}
          renderCell={cleanCells(detail.wKPlus)}
        />
        <MatrixView
          label="W_K times its right inverse"
          caption={<Tex>{'W_K W_K^{+} = I_d'}</Tex>}
          value={detail.wKwKPlus}
          renderCell={cleanCells(detail.wKwKPlus)}
        />
      </div>
      <p className="small">
        Entries below {formatNumber(ROUND_OFF, 1)} times the largest entry of their matrix are
        float64 round-off of an exact 0 (the engine computes the right inverse through a QR
        factorization) and are shown as 0.
      </p>
      <LessonCheckpoint
        id="right-inverse-product"
        onRevealed={onRevealed}
        question={
          <>
            <Tex>{'W_K W_K^{+}'}</Tex> is the <Tex>{`${NS_D} \\times ${NS_D}`}</Tex> identity. What
            is the product the other way round, <Tex>{'W_K^{+} W_K'}</Tex> (
            <Tex>{`${NS_E} \\times ${NS_E}`}</Tex>)?
          </>
        }
        choices={[
          { label: 'The 4 × 4 identity', correct: isIdentity },
          {
            label: (
              <>
                Not the identity, but it leaves every row of <Tex>{'K = XW_K'}</Tex> unchanged
              </>
            ),
            correct: !isIdentity && keepsK,
          },
          {
            label: 'Not the identity, and it changes the rows of K, so V from K is approximate',
            correct: !isIdentity && !keepsK,
          },
        ]}
        explanation={
          <p>
            A product of a <Tex>{`${NS_E} \\times ${NS_D}`}</Tex> and a{' '}
            <Tex>{`${NS_D} \\times ${NS_E}`}</Tex> matrix has rank at most {NS_D}, so it cannot be
            the identity of size {NS_E}. It is a projection onto the row space of <Tex>{'W_K'}</Tex>
            : it keeps the combinations of <Tex>{'W_K'}</Tex>’s rows and removes everything else.
            Every key <Tex>{'k = xW_K'}</Tex> is such a combination, so{' '}
            <Tex>{'K\\,W_K^{+} W_K = X W_K W_K^{+} W_K = X W_K = K'}</Tex>, and{' '}
            <Tex>{'K\\,W_{KV}'}</Tex> is exactly <Tex>{'V'}</Tex>.
          </p>
        }
      />
      {revealed ? (
        <>
          <div className="matrix-row">
            <MatrixView
              label="projection"
              caption={<Tex>{'W_K^{+} W_K'}</Tex>}
              value={detail.projector}
              renderCell={cleanCells(detail.projector)}
            />
            <MatrixView
              label="K"
              caption={<Tex>{'K = XW_K'}</Tex>}
              value={detail.K}
              rowLabels={NS_TOKEN_LABELS}
            />
            <MatrixView
              label="K projected"
              caption={<Tex>{'K\\,W_K^{+} W_K'}</Tex>}
              value={detail.KBack}
              renderCell={cleanCells(detail.KBack)}
              rowLabels={NS_TOKEN_LABELS}
            />
          </div>
          <p>
            max |Δ| of <Tex>{'W_K^{+} W_K'}</Tex> against <Tex>{'I_4'}</Tex>:{' '}
            <strong data-testid="projector-vs-identity">
              {formatNumber(detail.projectorVsIdentity, 3)}
            </strong>
            ; of <Tex>{'K\\,W_K^{+} W_K'}</Tex> against <Tex>{'K'}</Tex>:{' '}
            <strong data-testid="k-back-error">{formatNumber(detail.KBackError, 3)}</strong>{' '}
            (float64).
            {moved >= 0 && (
              <>
                {' '}
                A row that <Tex>{'W_K'}</Tex> could not have made does change:{' '}
                <Tex>{`(${unit.join(', ')})\\,W_K^{+} W_K`}</Tex> is row {moved + 1} of the
                projection, ({detail.projector[moved].map(cleanCells(detail.projector)).join(', ')}
                ).
              </>
            )}
          </p>
          <div className="matrix-row">
            <MatrixView
              label="W_KV"
              caption={<Tex>{'W_{KV} = W_K^{+} W_V\\ (e \\times e)'}</Tex>}
              value={detail.wKV}
              renderCell={cleanCells(detail.wKV)}
            />
            <MatrixView
              label="V"
              caption={<Tex>{'V = XW_V'}</Tex>}
              value={detail.V}
              rowLabels={NS_TOKEN_LABELS}
            />
            <MatrixView
              label="V from K"
              caption={<Tex>{'K\\,W_{KV}'}</Tex>}
              value={detail.VFromK}
              renderCell={cleanCells(detail.VFromK)}
              rowLabels={NS_TOKEN_LABELS}
            />
          </div>
          <p>
            max |Δ| of <Tex>{'K\\,W_{KV}'}</Tex> against <Tex>{'V'}</Tex>:{' '}
            <strong data-testid="v-from-k-error">{formatNumber(detail.VFromKError, 3)}</strong>{' '}
            (float64). <Tex>{'W_{KV}'}</Tex> has {NS_E}·{NS_E} entries where <Tex>{'W_V'}</Tex> has{' '}
            {NS_D}·{NS_E}.
          </p>
        </>
      ) : (
        <p className="small">
          <Tex>{'W_K^{+} W_K'}</Tex>, <Tex>{'W_{KV}'}</Tex> and <Tex>{'V'}</Tex> from{' '}
          <Tex>{'K'}</Tex> appear once the prediction above is answered.
        </p>
      )}
    </>
  );
}
