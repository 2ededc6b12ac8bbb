import { createContext, useContext, useLayoutEffect, useRef, useState } from 'react';
import { Checkpoint, type CheckpointProps } from '../../components/Checkpoint';
import { checkpointRecord, recordCheckpoint, useProgress } from './progress';
import { PrintedCheckpoint } from './LessonCheckpointPrint';
import { useClassroom } from './lessonStateClassroom';

/** The slug of the lesson being shown; LessonPage provides it from the registry entry. */
export const CurrentLessonContext = createContext<string | null>(null);

export interface LessonCheckpointProps extends Omit<CheckpointProps, 'previous' | 'onReveal'> {
  /** One of the lesson's checkpoint ids in registry.ts (all revealed = lesson done). */
  id: string;
  /**
   * Whether the lesson should show what the prediction holds back (a chart, a caption, a
   * computed sentence that would give the answer away): called with true once the reader
   * reveals the answer in this visit, and for as long as the lesson is presented (presentation
   * mode's steps hide it until the prediction is answered or skipped) or printed (a handout
   * shows every chart and result, the predictions as questions); with false when a
   * presentation or printout ends before the reader answered. Pass the setter of a boolean
   * state that starts false.
   */
  onRevealed?: (shown: boolean) => void;
}

/** A checkpoint question whose outcome is remembered in the reader's local progress. */
export function LessonCheckpoint({ id, onRevealed, ...props }: LessonCheckpointProps) {
  const progress = useProgress();
  const lessonSlug = useContext(CurrentLessonContext);
  const { presenting, printing } = useClassroom();
  const [answered, setAnswered] = useState(false);
  const shown = answered || presenting || printing !== null;
  // Layout effect: in the synchronous render of `beforeprint`, the held-back content renders
  // before the browser lays the page out for paper.
  const reported = useRef(false);
  const report = useRef(onRevealed);
  useLayoutEffect(() => {
    report.current = onRevealed;
  }, [onRevealed]);
  useLayoutEffect(() => {
    if (shown === reported.current) return;
    reported.current = shown;
    report.current?.(shown);
  }, [shown]);
  if (lessonSlug === null)
    throw new Error('LessonCheckpoint used outside a lesson (see LessonPage)');
  return (
    <>
      <Checkpoint
        {...props}
        previous={checkpointRecord(progress, lessonSlug, id)}
        onReveal={(correct) => {
          recordCheckpoint(lessonSlug, id, correct);
          setAnswered(true);
        }}
      />
      {printing && <PrintedCheckpoint {...props} answers={printing === 'answer-key'} />}
    </>
  );
}
