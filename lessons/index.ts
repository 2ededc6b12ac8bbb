import type { ComponentType } from 'react';
import { Lesson1Cache } from './Lesson1Cache';
import { Lesson2Invert } from './Lesson2Invert';
import { Lesson3Prefill } from './Lesson3Prefill';
import { Lesson4Generate } from './Lesson4Generate';
import { Lesson5Heads } from './Lesson5Heads';

export { lessons, findLesson, lessonPath, neighbours, type LessonMeta } from './registry';
export { useProgress, isLessonDone, markVisited, clearProgress } from './progress';

/** The body of each lesson, by slug (registry.ts holds the order and titles). */
export const lessonComponents: Record<string, ComponentType> = {
  'why-the-cache-dominates': Lesson1Cache,
  'invert-wk': Lesson2Invert,
  prefill: Lesson3Prefill,
  generate: Lesson4Generate,
  'many-heads': Lesson5Heads,
};
