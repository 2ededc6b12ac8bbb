import './components.css';
import { useId, useState, type ReactNode } from 'react';
import { checkpointRecord, recordCheckpoint, useProgress } from '../lessons/progress';

export interface CheckpointChoice {
  label: ReactNode;
  /** Decided by computation in the lesson, never typed in (issue 3). */
  correct: boolean;
}

export interface CheckpointProps {
  lessonSlug: string;
  id: string;
  question: ReactNode;
  choices: readonly CheckpointChoice[];
  /** Shown after the reveal; should show the computation that decides the answer. */
  explanation: ReactNode;
}

/**
 * Predict, then reveal: the reader must pick an answer before the computed one is shown. The
 * outcome is remembered in local progress; the reveal itself stays per visit so a teacher can
 * ask the class again.
 */
export function Checkpoint({ lessonSlug, id, question, choices, explanation }: CheckpointProps) {
  const progress = useProgress();
  const previous = checkpointRecord(progress, lessonSlug, id);
  const [choice, setChoice] = useState<number | null>(null);
  const [revealed, setRevealed] = useState(false);
  const name = useId();
  const picked = choice === null ? undefined : choices[choice];

  return (
    <section className="checkpoint" aria-label="Checkpoint question">
      <fieldset disabled={revealed}>
        <legend>
          <span className="checkpoint-tag">Predict</span> {question}
        </legend>
        <div className="checkpoint-choices">
          {choices.map((c, i) => {
            const state = revealed ? (c.correct ? 'right' : i === choice ? 'wrong' : '') : '';
            return (
              <label key={i} className={`checkpoint-choice ${state}`}>
                <input
                  type="radio"
                  name={name}
                  checked={choice === i}
                  onChange={() => setChoice(i)}
                />
                <span>{c.label}</span>
              </label>
            );
          })}
        </div>
      </fieldset>
      {!revealed ? (
        <div className="checkpoint-actions">
          <button
            type="button"
            disabled={choice === null}
            onClick={() => {
              setRevealed(true);
              recordCheckpoint(lessonSlug, id, !!picked?.correct);
            }}
          >
            Reveal the answer
          </button>
          {choice === null && <span className="small">Pick your prediction first.</span>}
          {previous && choice === null && (
            <span className="small"> (answered before{previous.correct ? ', correctly' : ''})</span>
          )}
        </div>
      ) : (
        <div className="checkpoint-result" role="status">
          <p className={picked?.correct ? 'good' : 'bad'}>
            <strong>{picked?.correct ? 'Right.' : 'Not quite.'}</strong>
          </p>
          <div>{explanation}</div>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setRevealed(false);
              setChoice(null);
            }}
          >
            Try again
          </button>
        </div>
      )}
    </section>
  );
}
