import { createContext, useContext } from 'react';
import { Checkpoint, type CheckpointProps } from '../../components/Checkpoint';
import { checkpointRecord, recordCheckpoint, useProgress } from './progress';

/** The slug of the lesson being shown; LessonPage provides it from the registry entry. */
export const CurrentLessonContext = createContext<string | null>(null);

export interface LessonCheckpointProps extends Omit<CheckpointProps, 'previous' | 'onReveal'> {
  /** One of the lesson's checkpoint ids in registry.ts (all revealed = lesson done). */
  id: string;
  /**
   * Called when the reader reveals the answer in this visit: a lesson keeps text that would give
   * the answer away (a caption, a computed sentence) hidden until then.
   */
  onRevealed?: () => void;
}

/** A checkpoint question whose outcome is remembered in the reader's local progress. */
export function LessonCheckpoint({ id, onRevealed, ...props }: LessonCheckpointProps) {
  const progress = useProgress();
  const lessonSlug = useContext(CurrentLessonContext);
  if (lessonSlug === null)
    throw new Error('LessonCheckpoint used outside a lesson (see LessonPage)');
  return (
    <Checkpoint
      {...props}
      previous={checkpointRecord(progress, lessonSlug, id)}
      onReveal={(correct) => {
        recordCheckpoint(lessonSlug, id, correct);
        onRevealed?.();
      }}
    />
  );
}
