import { useMemo } from 'react';
import { Tex } from '../../components/Tex';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { exactDet, formatFraction, toFractionMatrix } from '../common/exact';
import type { Mat } from '../common/toyData';

/** "3/2" → "−3/2", "−1" → "1", "0" → "0": the negation of a fraction as formatFraction writes it. */
const negated = (text: string) =>
  text === '0' ? '0' : text.startsWith('−') ? text.slice(1) : `−${text}`;

/** "−3/2" → −1.5: the value of a fraction as formatFraction writes it. */
function fractionValue(text: string): number {
  const [p, q = '1'] = text.replace('−', '-').split('/');
  return Number(p) / Number(q);
}

export interface CopyRowProps {
  /** The current W_K with row 4 replaced by a copy of row 2. */
  copied: Mat;
  /** The current W_K's exact determinant. */
  det: string;
}

/** Predict the determinant once row 4 of W_K is a copy of row 2. */
export function CopyRow({ copied, det }: CopyRowProps) {
  const detIfCopied = useMemo(() => formatFraction(exactDet(toFractionMatrix(copied))), [copied]);
  // Four distinct choices for any W_K (a singular one too, where det and the answer are both 0):
  // the answer, the two tempting mistakes (det unchanged, det negated), then small integers.
  // Sorted, so the right answer is not always the first button.
  const detChoices = [...new Set([detIfCopied, det, negated(det), '1', '−1', '2'])]
    .slice(0, 4)
    .sort((a, b) => fractionValue(a) - fractionValue(b));

  return (
    <>
      <h2>Copy a row</h2>
      <LessonCheckpoint
        id="singular-det"
        question={
          <>
            Predict: if row 4 of the current <Tex>{'W_K'}</Tex> is replaced by a copy of row 2, what
            is the new determinant?
          </>
        }
        choices={detChoices.map((d) => ({ label: d, correct: d === detIfCopied }))}
        explanation={
          <p>
            Exactly {detIfCopied}. Swapping two equal rows leaves the matrix unchanged but flips the
            sign of det, so det = −det: it must be 0. Try it with the “Break it” button.
          </p>
        }
      />
    </>
  );
}
