export { lessons, findLesson, lessonPath, neighbours, type LessonMeta } from './registry';
export { useProgress, isLessonDone, markVisited, clearProgress } from './progress';
export { CurrentLessonContext } from './LessonCheckpoint';
