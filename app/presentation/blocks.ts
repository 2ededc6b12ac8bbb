import type { BlockInfo } from './steps';

/** The attribute that marks the element holding a lesson's body (its children are the blocks). */
export const LESSON_BODY_ATTR = 'data-lesson-body';
/** Set by components/Checkpoint.tsx: "open" until the answer is revealed, then "revealed". */
const CHECKPOINT_SELECTOR = '[data-checkpoint]';
const NOTHING_TO_SHOW = new Set(['STYLE', 'SCRIPT', 'TEMPLATE', 'LINK', 'META']);

/** Reads one top-level block of a lesson body for the step model. */
export function blockInfo(el: Element): BlockInfo {
  const markAttr = el.getAttribute('data-step');
  const mark = markAttr === 'new' || markAttr === 'with-previous' ? markAttr : null;
  const empty = NOTHING_TO_SHOW.has(el.tagName) || (el as HTMLElement).hidden === true;
  if (/^H[1-6]$/.test(el.tagName)) return { kind: 'heading', empty, mark, open: false };
  const checkpoints = el.matches(CHECKPOINT_SELECTOR)
    ? [el]
    : Array.from(el.querySelectorAll(CHECKPOINT_SELECTOR));
  if (checkpoints.length > 0) {
    const open = checkpoints.some((c) => c.getAttribute('data-checkpoint') !== 'revealed');
    return { kind: 'checkpoint', empty, mark, open };
  }
  return { kind: 'block', empty, mark, open: false };
}

/** The blocks of a lesson body: its element children, in order. */
export function readBlocks(body: Element): BlockInfo[] {
  return Array.from(body.children, blockInfo);
}
