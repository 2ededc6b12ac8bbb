import './components.css';
import { useId, useState, type ReactNode } from 'react';

export interface CheckpointChoice {
  label: ReactNode;
  /** Decided by computation in the lesson, never typed in (issue 3). */
  correct: boolean;
}

export interface CheckpointProps {
  question: ReactNode;
  choices: readonly CheckpointChoice[];
  /** Shown after the reveal; should show the computation that decides the answer. */
  explanation: ReactNode;
  /** The reader's earlier answer to this question, if the caller remembers one. */
  previous?: { correct: boolean };
  /** Called on every reveal with whether the picked answer was right (e.g. to remember it). */
  onReveal?: (correct: boolean) => void;
}

/**
 * A choice that is a formula (KaTeX: MathML for screen readers, the drawn HTML hidden from them)
 * has no text that accessibility checks count as the radio's name; its input is named by the
 * formula's MathML tokens instead ("(K−bK)WKV+bV").
 */
function nameMathChoice(label: HTMLLabelElement | null): void {
  const input = label?.querySelector('input');
  if (!label || !input || !label.querySelector('math')) return;
  const copy = label.cloneNode(true) as HTMLElement;
  for (const n of copy.querySelectorAll('annotation, [aria-hidden="true"], input')) n.remove();
  const text = (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
  if (text) input.setAttribute('aria-label', text);
}

/**
 * Predict, then reveal: the reader must pick an answer before the computed one is shown. The
 * caller may remember the outcome (`previous`, `onReveal`; the lessons keep it in local progress);
 * the reveal itself stays per visit so a teacher can ask the class again.
 */
export function Checkpoint({
  question,
  choices,
  explanation,
  previous,
  onReveal,
}: CheckpointProps) {
  const [choice, setChoice] = useState<number | null>(null);
  const [revealed, setRevealed] = useState(false);
  const name = useId();
  const picked = choice === null ? undefined : choices[choice];

  return (
    <section
      className="checkpoint"
      aria-label="Checkpoint question"
      data-checkpoint={revealed ? 'revealed' : 'open'}
    >
      <fieldset disabled={revealed}>
        <legend>
          <span className="checkpoint-tag">Predict</span> {question}
        </legend>
        <div className="checkpoint-choices">
          {choices.map((c, i) => {
            const state = revealed ? (c.correct ? 'right' : i === choice ? 'wrong' : '') : '';
            return (
              <label key={i} className={`checkpoint-choice ${state}`} ref={nameMathChoice}>
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
              onReveal?.(!!picked?.correct);
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
