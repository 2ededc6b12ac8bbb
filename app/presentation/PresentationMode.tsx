import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { readBlocks, LESSON_BODY_ATTR } from './blocks';
import {
  buildSteps,
  clampStep,
  firstHiddenBlock,
  keyAction,
  nextStep,
  scrollDelta,
  type Step,
} from './steps';
import { useEngagedSlider } from './engaged';
import './presentation.css';

export { presentCodec, usePresentParam } from '../../lessons/common/lessonStateClassroom';

/** Class on <html> while presenting; presentation.css hides the header, sidebar and tools. */
export const PRESENTING_CLASS = 'presenting';
/** Room kept free at the bottom of the screen when the control bar cannot be measured (px). */
const BAR_ROOM = 110;
/** Space kept between a step and the edges of the view (px). */
const MARGIN = 16;

function sameSteps(a: readonly Step[], b: readonly Step[]): boolean {
  return (
    a.length === b.length &&
    a.every((s, i) => s.first === b[i].first && s.last === b[i].last && s.gate === b[i].gate)
  );
}

interface Deck {
  steps: Step[];
  blockCount: number;
}

/** The steps of the lesson body, kept current while the lesson renders and the reader acts. */
function useDeck(body: HTMLElement | null): Deck {
  const [deck, setDeck] = useState<Deck>({ steps: [], blockCount: 0 });
  useEffect(() => {
    if (!body) return;
    const update = () => {
      const blocks = readBlocks(body);
      const steps = buildSteps(blocks);
      setDeck((old) =>
        old.blockCount === blocks.length && sameSteps(old.steps, steps)
          ? old
          : { steps, blockCount: blocks.length },
      );
    };
    update();
    const observer = new MutationObserver(update);
    observer.observe(body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['data-checkpoint', 'data-step', 'hidden'],
    });
    return () => observer.disconnect();
  }, [body]);
  return deck;
}

/** How many predictions of the step are answered (an answer shown below one moves the page). */
function countRevealed(body: HTMLElement | null, step: Step): number {
  let n = 0;
  for (let i = step.first; i <= step.last; i++) {
    const el = body?.children[i];
    if (!el) continue;
    if (el.matches('[data-checkpoint="revealed"]')) n++;
    n += el.querySelectorAll('[data-checkpoint="revealed"]').length;
  }
  return n;
}

function prefersReducedMotion(): boolean {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

export interface PresentationModeProps {
  /**
   * The element holding the lesson body (its children are the blocks that become steps); null
   * while the lesson's code loads.
   */
  body: HTMLElement | null;
  /** Leaves presentation mode (Escape, the "Leave" button, or leaving full screen). */
  onExit: () => void;
}

/**
 * Presentation mode over a lesson page: full screen where the browser allows it, the header,
 * contents and tools hidden, large type (presentation.css), and the lesson body shown one step
 * more per key press. Later steps are hidden by a generated style rule, so React keeps owning
 * every node of the lesson and its controls keep working.
 */
export function PresentationMode({ body, onExit }: PresentationModeProps) {
  const { steps, blockCount } = useDeck(body);
  const [rawIndex, setIndex] = useState(0);
  const [skipped, setSkipped] = useState<ReadonlySet<number>>(() => new Set());
  const [nudge, setNudge] = useState(0);
  const index = clampStep(steps, rawIndex);
  const step = steps[index] as Step | undefined;
  // A prediction on the last step gates nothing (no step follows it).
  const atGate = !!step?.gate && !skipped.has(index) && index < steps.length - 1;
  const hidden = firstHiddenBlock(steps, index, blockCount);

  const onExitRef = useRef(onExit);
  useLayoutEffect(() => {
    onExitRef.current = onExit;
  }, [onExit]);

  const next = useCallback(() => {
    const r = nextStep(steps, index, skipped);
    if (r.blocked === 'checkpoint') setNudge((n) => n + 1);
    else setIndex(r.index);
  }, [steps, index, skipped]);
  const prev = useCallback(() => setIndex(Math.max(0, index - 1)), [index]);
  const skip = useCallback(() => {
    setSkipped((s) => new Set(s).add(index));
    setIndex(index + 1);
  }, [index]);
  const leave = useCallback(() => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    onExitRef.current();
  }, []);

  const [fullScreen, setFullScreen] = useState(false);
  const enterFullScreen = useCallback(() => {
    const root = document.documentElement;
    if (!document.fullscreenElement && document.fullscreenEnabled && root.requestFullscreen)
      root.requestFullscreen().catch(() => undefined);
  }, []);

  // The page around the lesson: class on <html>, full screen when allowed, back to the top.
  useEffect(() => {
    const root = document.documentElement;
    root.classList.add(PRESENTING_CLASS);
    window.scrollTo(0, 0);
    let entered = false;
    const onChange = () => {
      setFullScreen(!!document.fullscreenElement);
      if (document.fullscreenElement) entered = true;
      // Escape in full screen is taken by the browser: leaving full screen leaves the mode.
      else if (entered) onExitRef.current();
    };
    document.addEventListener('fullscreenchange', onChange);
    // Browsers allow full screen only right after a click (the "Present" button); a `?present`
    // link opens without it and offers the "Full screen" button instead.
    if (navigator.userActivation?.isActive !== false) enterFullScreen();
    return () => {
      document.removeEventListener('fullscreenchange', onChange);
      root.classList.remove(PRESENTING_CLASS);
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    };
  }, [enterFullScreen]);

  const engaged = useEngagedSlider();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const action = keyAction({
        key: e.key,
        altKey: e.altKey,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        shiftKey: e.shiftKey,
        target: e.target,
        engaged: e.target !== null && e.target === engaged.current,
      });
      if (action === null) return;
      e.preventDefault();
      if (action === 'next') next();
      else if (action === 'prev') prev();
      else if (action === 'blur') (e.target as HTMLElement).blur();
      else if (action === 'exit') leave();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [next, prev, leave, engaged]);

  // Bring the step just shown into view above the control bar (after the style rule that
  // reveals it is applied); again when the bar grows (the hint at a prediction) or a prediction
  // of the step is answered (its answer below it): the bar never covers either.
  const bar = useRef<HTMLDivElement>(null);
  const revealedInStep = step ? countRevealed(body, step) : 0;
  const shownStep = useRef(-1);
  useLayoutEffect(() => {
    if (!body || !step) return;
    const newStep = shownStep.current !== index;
    shownStep.current = index;
    const behavior: ScrollBehavior = prefersReducedMotion() ? 'auto' : 'smooth';
    if (index === 0 && newStep) {
      window.scrollTo({ top: 0, behavior });
      return;
    }
    const first = body.children[step.first];
    const last = body.children[step.last];
    if (!first || !last) return;
    const barTop = bar.current?.getBoundingClientRect().top || window.innerHeight - BAR_ROOM;
    const viewBottom = Math.min(window.innerHeight, barTop) - MARGIN;
    // A revealed answer is what the reader wants to see: it comes into view whole where it fits.
    const answers = last.matches('[data-checkpoint]')
      ? [last]
      : Array.from(last.querySelectorAll('[data-checkpoint="revealed"]'));
    const answer = answers.at(-1)?.querySelector('.checkpoint-result');
    const [top, bottom] =
      !newStep && answer
        ? [answer.getBoundingClientRect().top, answer.getBoundingClientRect().bottom]
        : [first.getBoundingClientRect().top, last.getBoundingClientRect().bottom];
    const delta = scrollDelta(top, bottom, MARGIN, viewBottom);
    if (delta !== 0) window.scrollBy({ top: delta, behavior });
    // Only a change of step, of the bar or of an answer moves the page, not the reader's edits.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [index, step?.first, step?.last, atGate, revealedInStep]);

  const sel = `[${LESSON_BODY_ATTR}]`;
  const css =
    hidden === null ? '' : `${sel} > :nth-child(n + ${hidden + 1}) { display: none !important; }`;

  return (
    <div className="present-bar" role="region" aria-label="Presentation controls" ref={bar}>
      <style>{css}</style>
      {atGate && (
        <p key={nudge} className={nudge > 0 ? 'present-hint nudge' : 'present-hint'} role="status">
          Answer the prediction first — pick a choice, then “Reveal the answer” — or skip it.
        </p>
      )}
      <div className="present-buttons">
        <button
          type="button"
          className="secondary"
          aria-label="Previous step"
          disabled={index === 0}
          onClick={prev}
        >
          ←
        </button>
        <span className="present-counter" data-testid="present-counter" aria-live="polite">
          {steps.length === 0 ? '0 / 0' : `${index + 1} / ${steps.length}`}
        </span>
        <button
          type="button"
          aria-label="Next step"
          disabled={atGate || index >= steps.length - 1}
          onClick={next}
        >
          →
        </button>
        {atGate && (
          <button type="button" className="secondary" onClick={skip}>
            Skip
          </button>
        )}
        {!fullScreen && typeof document !== 'undefined' && document.fullscreenEnabled && (
          <button type="button" className="secondary" onClick={enterFullScreen}>
            Full screen
          </button>
        )}
        <button type="button" className="secondary" onClick={leave}>
          Leave (Esc)
        </button>
      </div>
    </div>
  );
}
