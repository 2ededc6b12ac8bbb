/**
 * The step model of presentation mode, lesson-agnostic: a lesson body's top-level blocks are
 * grouped into steps, and a checkpoint (a prediction) is a gate that forward navigation cannot
 * pass until it is answered or skipped. Pure functions, so jsdom tests cover them; the DOM side
 * (reading blocks, hiding later steps) is in PresentationMode.tsx.
 *
 * Grouping rules, in order:
 * - a block marked `data-step="new"` starts a step; `data-step="with-previous"` joins the
 *   previous one (future lessons can fine-tune their steps with these two marks, no code);
 * - a block with nothing to show (`hidden`, `<style>`, `<script>`, `<template>`) joins the
 *   previous step, so it never becomes an empty step;
 * - a heading joins the block after it (a heading alone is not a step);
 * - a checkpoint ends its step: the block after it always starts a new one, so nothing that
 *   follows a prediction is shown with it;
 * - every other block starts a new step.
 */

export type BlockKind = 'heading' | 'checkpoint' | 'block';

export interface BlockInfo {
  kind: BlockKind;
  /** Nothing to show: joins the previous step. */
  empty: boolean;
  /** The block's `data-step` mark, if any. */
  mark: 'new' | 'with-previous' | null;
  /** For a checkpoint: true while its answer has not been revealed. */
  open: boolean;
}

export interface Step {
  /** Index of the step's first block among the body's children. */
  first: number;
  /** Index of the step's last block (inclusive). */
  last: number;
  /**
   * True when the step ends with a checkpoint whose answer is not revealed: the steps after it
   * would show what follows the prediction, so moving on needs an answer or a skip.
   */
  gate: boolean;
}

export function buildSteps(blocks: readonly BlockInfo[]): Step[] {
  const steps: Step[] = [];
  // Whether the last non-empty block closed its step (a checkpoint) or wants the next (a heading).
  let closed = false;
  let pendingHeading = false;
  for (const [i, b] of blocks.entries()) {
    const current = steps.at(-1);
    let join: boolean;
    if (!current) join = false;
    else if (b.empty) join = true;
    else if (b.mark === 'new') join = false;
    else if (closed) join = false;
    else join = b.mark === 'with-previous' || pendingHeading;
    if (join && current) current.last = i;
    else steps.push({ first: i, last: i, gate: false });
    if (b.empty) continue;
    closed = b.kind === 'checkpoint';
    pendingHeading = b.kind === 'heading';
  }
  // A step's gate: its last non-empty block is an unanswered checkpoint.
  for (const s of steps) {
    for (let i = s.last; i >= s.first; i--) {
      if (blocks[i].empty) continue;
      s.gate = blocks[i].kind === 'checkpoint' && blocks[i].open;
      break;
    }
  }
  return steps;
}

/** Where "next" goes from step `index`: the next step, or why it cannot move. */
export function nextStep(
  steps: readonly Step[],
  index: number,
  skipped: ReadonlySet<number>,
): { index: number; blocked: 'checkpoint' | 'end' | null } {
  if (index >= steps.length - 1) return { index, blocked: 'end' };
  if (steps[index]?.gate && !skipped.has(index)) return { index, blocked: 'checkpoint' };
  return { index: index + 1, blocked: null };
}

/** The step index clamped to the deck (steps come and go while the lesson renders). */
export function clampStep(steps: readonly Step[], index: number): number {
  return Math.max(0, Math.min(index, steps.length - 1));
}

/**
 * The index of the first body child that is hidden at step `index` (all blocks after the
 * step's last one), or null when nothing is hidden.
 */
export function firstHiddenBlock(
  steps: readonly Step[],
  index: number,
  blockCount: number,
): number | null {
  const step = steps[clampStep(steps, index)];
  if (!step) return null;
  return step.last + 1 < blockCount ? step.last + 1 : null;
}

/** 'hold': the key does nothing here (an arrow on a slider nobody engaged); the rest act. */
export type KeyAction = 'next' | 'prev' | 'exit' | 'blur' | 'hold' | null;

/** The parts of a keydown event that decide what it does. */
export interface KeyInput {
  key: string;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  /** The focused element (event target). */
  target: EventTarget | null;
  /**
   * The focused slider was engaged on purpose: it is being dragged, or was clicked without
   * dragging, or reached with Tab. A slider left focused by a drag is not engaged.
   */
  engaged?: boolean;
}

/** True when keys typed now edit something (a matrix cell, a slider, a radio group, a select). */
export function isEditing(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  return (
    el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') !== null
  );
}

/** True for a slider (input type=range). */
export function isSlider(target: EventTarget | null): target is HTMLInputElement {
  const el = target as HTMLElement | null;
  return !!el && el.tagName === 'INPUT' && (el as HTMLInputElement).type === 'range';
}

const SLIDER_KEYS = new Set(['ArrowUp', 'ArrowDown', 'Home', 'End']);

/**
 * What a key does in presentation mode. → / Space / PageDown go forward, ← / PageUp / Shift+Space
 * back, Escape leaves. PageUp and PageDown (what presenter remotes send) always move the deck.
 * Other keys typed while editing (a text field, a radio group, a select, a slider that was
 * clicked or is being dragged) belong to that control; a slider merely left focused by a drag
 * does not take the arrows, so a remote's → still moves the deck. Escape on a focused control
 * first leaves the control (a second Escape leaves the presentation). Space on a button, link or
 * summary activates it, as everywhere else. Modified keys (Ctrl, Alt, Meta) are left to the
 * browser.
 */
export function keyAction(e: KeyInput): KeyAction {
  if (e.altKey || e.ctrlKey || e.metaKey) return null;
  if (e.key === 'Escape' || e.key === 'Esc') return isEditing(e.target) ? 'blur' : 'exit';
  if (e.key === 'PageDown') return 'next';
  if (e.key === 'PageUp') return 'prev';
  const idleSlider = isSlider(e.target) && !e.engaged;
  if (idleSlider && SLIDER_KEYS.has(e.key)) return 'hold';
  if (isEditing(e.target) && !idleSlider) return null;
  const el = e.target as HTMLElement | null;
  const activatable =
    !!el && typeof el.closest === 'function' && el.closest('button, a[href], summary') !== null;
  switch (e.key) {
    case 'ArrowRight':
      return 'next';
    case ' ':
    case 'Spacebar':
      if (activatable) return null;
      return e.shiftKey ? 'prev' : 'next';
    case 'ArrowLeft':
      return 'prev';
    default:
      return null;
  }
}

/**
 * How far to scroll (in px, positive = down) so that a step spanning [top, bottom] (viewport
 * coordinates) is in view above the control bar: a step that fits is shown whole with as much
 * of what came before as possible (so a slider stays in view above the chart it drives); a step
 * taller than the view is shown from its top.
 */
export function scrollDelta(
  top: number,
  bottom: number,
  viewTop: number,
  viewBottom: number,
): number {
  if (bottom > viewBottom) return Math.min(bottom - viewBottom, top - viewTop);
  if (top < viewTop) return top - viewTop;
  return 0;
}
