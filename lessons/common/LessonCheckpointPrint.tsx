import type { CheckpointProps } from '../../components/Checkpoint';
import { useClassroom } from './lessonStateClassroom';

export interface PrintedCheckpointProps extends Pick<
  CheckpointProps,
  'question' | 'choices' | 'explanation'
> {
  /** The answer key: the right choices ticked and the explanation under them. */
  answers: boolean;
}

/**
 * A prediction on paper, rendered only while printing (app/print.css hides the on-screen one
 * beside it): the question and its choices with empty boxes to tick — whatever the reader
 * picked or revealed on screen — and, in the answer key, the right choices ticked and the
 * explanation.
 */
export function PrintedCheckpoint({
  question,
  choices,
  explanation,
  answers,
}: PrintedCheckpointProps) {
  return (
    <section className="checkpoint-print" aria-label="Checkpoint question">
      <p className="checkpoint-print-question">
        <span className="checkpoint-tag">Predict</span> {question}
      </p>
      <ul className="checkpoint-print-choices">
        {choices.map((c, i) => (
          <li key={i} data-correct={answers && c.correct ? '' : undefined}>
            <span className="checkpoint-print-box" aria-hidden="true">
              {answers && c.correct ? '☒' : '☐'}
            </span>{' '}
            {c.label}
          </li>
        ))}
      </ul>
      {answers && (
        <div className="checkpoint-print-answer">
          <strong>Answer.</strong> {explanation}
        </div>
      )}
    </section>
  );
}

/**
 * The lesson's print buttons: a handout (the predictions as questions; Ctrl+P prints the same)
 * and its answer key.
 */
export function PrintButtons() {
  const { print } = useClassroom();
  return (
    <>
      <button type="button" className="secondary" onClick={() => print('handout')}>
        Print handout
      </button>
      <button type="button" className="secondary" onClick={() => print('answer-key')}>
        Answer key
      </button>
    </>
  );
}
