/** The decode steps of lesson 4: the prefilled prompt, then up to MAX_STEPS generated tokens. */
import { PROMPT_IDS } from '../common/toyData';
import type { DecodeStepDetail, PathOutputs } from '../common/toyRuns';

/** Decode steps the lesson offers (n runs from p + 1 to p + MAX_STEPS). */
export const MAX_STEPS = 5;
/** Prompt length p: the rows the prefill caches. */
export const P = PROMPT_IDS.length;

/** The current step as the sections below the stepper read it. */
export interface StepRun {
  detail: DecodeStepDetail;
  /** The cached tokens, the newest last. */
  tokens: readonly string[];
  /** The engine's three paths over these tokens in float32 (their caches' bytes too). */
  f32: PathOutputs;
}
