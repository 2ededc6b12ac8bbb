export { lessons, findLesson, lessonPath, neighbours, type LessonMeta } from './registry';
export { useProgress, isLessonDone, markVisited } from './common/progress';
export { CurrentLessonContext } from './common/LessonCheckpoint';
