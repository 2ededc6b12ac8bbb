import { act, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Checkpoint } from '../../components/Checkpoint';
import { readBlocks } from '../../app/presentation/blocks';
import { PresentationMode, presentCodec } from '../../app/presentation/PresentationMode';
import {
  buildSteps,
  firstHiddenBlock,
  keyAction,
  nextStep,
  scrollDelta,
  type BlockInfo,
} from '../../app/presentation/steps';

const block = (kind: BlockInfo['kind'], extra: Partial<BlockInfo> = {}): BlockInfo => ({
  kind,
  empty: false,
  mark: null,
  open: kind === 'checkpoint',
  ...extra,
});
const spans = (blocks: BlockInfo[]) => buildSteps(blocks).map((s) => [s.first, s.last, s.gate]);

describe('presentation steps', () => {
  it('makes each block a step, joins a heading to the block after it, and ends a step at a prediction', () => {
    // p | h2 + p | checkpoint (gate) | p | h2 + checkpoint (gate)
    const blocks = [
      block('block'),
      block('heading'),
      block('block'),
      block('checkpoint'),
      block('block'),
      block('heading'),
      block('checkpoint'),
    ];
    expect(spans(blocks)).toEqual([
      [0, 0, false],
      [1, 2, false],
      [3, 3, true],
      [4, 4, false],
      [5, 6, true],
    ]);
  });

  it('follows data-step marks and folds blocks with nothing to show into the step before', () => {
    const blocks = [
      block('block'),
      block('block', { mark: 'with-previous' }),
      block('block', { empty: true }),
      block('heading'),
      block('block', { mark: 'new' }),
      block('checkpoint', { open: false }),
      // A prediction closes its step even against a "with-previous" mark.
      block('block', { mark: 'with-previous' }),
    ];
    expect(spans(blocks)).toEqual([
      [0, 2, false],
      [3, 3, false],
      [4, 4, false],
      [5, 5, false],
      [6, 6, false],
    ]);
    // A leading empty block starts the deck rather than vanishing.
    expect(spans([block('block', { empty: true }), block('block')])).toEqual([
      [0, 0, false],
      [1, 1, false],
    ]);
  });

  it('blocks "next" at an unanswered prediction until it is skipped, and stops at the end', () => {
    const steps = buildSteps([block('block'), block('checkpoint'), block('block')]);
    expect(nextStep(steps, 0, new Set())).toEqual({ index: 1, blocked: null });
    expect(nextStep(steps, 1, new Set())).toEqual({ index: 1, blocked: 'checkpoint' });
    expect(nextStep(steps, 1, new Set([1]))).toEqual({ index: 2, blocked: null });
    expect(nextStep(steps, 2, new Set())).toEqual({ index: 2, blocked: 'end' });
    const answered = buildSteps([
      block('block'),
      block('checkpoint', { open: false }),
      block('block'),
    ]);
    expect(nextStep(answered, 1, new Set())).toEqual({ index: 2, blocked: null });
    // Hidden from the first block after the step; nothing hidden at the last step.
    expect(firstHiddenBlock(steps, 0, 3)).toBe(1);
    expect(firstHiddenBlock(steps, 2, 3)).toBeNull();
  });

  it('scrolls a new step into view above the bar, never past its top', () => {
    // Fits: scroll just enough to show its bottom.
    expect(scrollDelta(600, 900, 16, 800)).toBe(100);
    // Taller than the view: its top goes to the top.
    expect(scrollDelta(300, 2000, 16, 800)).toBe(284);
    // Above the view (after stepping back): its top comes into view.
    expect(scrollDelta(-200, 100, 16, 800)).toBe(-216);
    expect(scrollDelta(100, 700, 16, 800)).toBe(0);
  });
});

describe('presentation keys', () => {
  const el = (html: string) => {
    const host = document.createElement('div');
    host.innerHTML = html;
    document.body.append(host);
    return host.firstElementChild as HTMLElement;
  };
  afterEach(() => document.body.replaceChildren());

  it('steps with → Space PageDown and back with ← PageUp Shift+Space; Escape leaves', () => {
    const t = document.body;
    expect(keyAction({ key: 'ArrowRight', target: t })).toBe('next');
    expect(keyAction({ key: ' ', target: t })).toBe('next');
    expect(keyAction({ key: 'PageDown', target: t })).toBe('next');
    expect(keyAction({ key: 'ArrowLeft', target: t })).toBe('prev');
    expect(keyAction({ key: 'PageUp', target: t })).toBe('prev');
    expect(keyAction({ key: ' ', shiftKey: true, target: t })).toBe('prev');
    expect(keyAction({ key: 'Escape', target: t })).toBe('exit');
    expect(keyAction({ key: 'a', target: t })).toBeNull();
    expect(keyAction({ key: 'ArrowRight', altKey: true, target: t })).toBeNull();
    expect(keyAction({ key: 'ArrowLeft', metaKey: true, target: t })).toBeNull();
  });

  it('leaves keys to the control that has focus, but PageUp/PageDown always move the deck', () => {
    const cell = el('<input type="text" aria-label="W_K row 1 column 1">');
    const controls = [
      cell,
      el('<input type="radio">'),
      el('<select><option>a</option></select>'),
      el('<textarea></textarea>'),
      el('<div contenteditable="true"><b>x</b></div>').firstElementChild,
    ];
    for (const target of controls) {
      for (const key of ['ArrowRight', 'ArrowLeft', ' '])
        expect(keyAction({ key, target })).toBeNull();
      // What a presenter remote sends moves the deck wherever the focus is.
      expect(keyAction({ key: 'PageDown', target })).toBe('next');
      expect(keyAction({ key: 'PageUp', target })).toBe('prev');
      // Escape first leaves the control; a second Escape (nothing focused) leaves the deck.
      expect(keyAction({ key: 'Escape', target })).toBe('blur');
    }
    // Space activates a focused button or link; arrows still step.
    const button = el('<button><span>Reveal</span></button>');
    expect(keyAction({ key: ' ', target: button.firstElementChild })).toBeNull();
    expect(keyAction({ key: ' ', target: el('<a href="/x">x</a>') })).toBeNull();
    expect(keyAction({ key: 'ArrowRight', target: button })).toBe('next');
    expect(keyAction({ key: 'Escape', target: button })).toBe('exit');
  });

  it('gives a slider its keys only while it is engaged (dragged, clicked, or reached with Tab)', () => {
    const slider = el('<input type="range">');
    // Left focused by a drag: the remote's arrows move the deck, the slider's own keys do nothing.
    expect(keyAction({ key: 'ArrowRight', target: slider })).toBe('next');
    expect(keyAction({ key: 'ArrowLeft', target: slider })).toBe('prev');
    expect(keyAction({ key: ' ', target: slider })).toBe('next');
    for (const key of ['ArrowUp', 'ArrowDown', 'Home', 'End'])
      expect(keyAction({ key, target: slider })).toBe('hold');
    // Engaged: the arrows and Space are the slider's; PageDown still moves the deck.
    for (const key of ['ArrowRight', 'ArrowLeft', 'ArrowUp', ' '])
      expect(keyAction({ key, target: slider, engaged: true })).toBeNull();
    expect(keyAction({ key: 'PageDown', target: slider, engaged: true })).toBe('next');
    expect(keyAction({ key: 'Escape', target: slider })).toBe('blur');
  });

  it('reads ?present as on and keeps "off" out of the address', () => {
    expect(presentCodec.parse('')).toBe(true);
    expect(presentCodec.parse('1')).toBe(true);
    expect(presentCodec.parse('0')).toBe(false);
    expect(presentCodec.serialize(false)).toBe('0');
    expect(presentCodec.parse(presentCodec.serialize(true))).toBe(true);
  });
});

/** A small lesson: text, a heading with text, a prediction, text after it, an editor. */
function FakeLesson({ onExit }: { onExit: () => void }) {
  const [body, setBody] = useState<HTMLDivElement | null>(null);
  return (
    <>
      <div data-lesson-body="" ref={setBody}>
        <p>Intro</p>
        <h2>Heading</h2>
        <p>Under the heading</p>
        <Checkpoint
          question="Two plus two?"
          choices={[
            { label: 'three', correct: false },
            { label: 'four', correct: true },
          ]}
          explanation={<p>Because 2 + 2 = 4.</p>}
        />
        <p>After the prediction</p>
        <input type="text" aria-label="cell" defaultValue="1" />
      </div>
      <PresentationMode body={body} onExit={onExit} />
    </>
  );
}

describe('presentation mode (jsdom)', () => {
  beforeEach(() => {
    vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined);
    vi.spyOn(window, 'scrollBy').mockImplementation(() => undefined);
  });
  afterEach(() => vi.restoreAllMocks());

  const counterText = () => screen.getByTestId('present-counter').textContent;
  const hiddenRule = () => document.querySelector('.present-bar style')?.textContent ?? '';
  const press = (key: string, target: Element = document.body) =>
    act(() => {
      fireEvent.keyDown(target, { key });
    });

  it('reads the checkpoint state from the DOM and gates on it', async () => {
    render(<FakeLesson onExit={() => undefined} />);
    const body = document.querySelector('[data-lesson-body]')!;
    expect(readBlocks(body).map((b) => [b.kind, b.open])).toEqual([
      ['block', false],
      ['heading', false],
      ['block', false],
      ['checkpoint', true],
      ['block', false],
      ['block', false],
    ]);
    // Steps: Intro | Heading + text | prediction | after | editor.
    expect(counterText()).toBe('1 / 5');
    expect(hiddenRule()).toContain(':nth-child(n + 2)');
    press('ArrowRight');
    press(' ');
    expect(counterText()).toBe('3 / 5');
    expect(hiddenRule()).toContain(':nth-child(n + 5)');
    // At the prediction: forward is blocked, with a hint and a Skip button.
    press('ArrowRight');
    expect(counterText()).toBe('3 / 5');
    expect(screen.getByRole('status').textContent).toContain('Answer the prediction first');
    expect(screen.getByRole('button', { name: 'Next step' })).toHaveProperty('disabled', true);
    // Answering it opens the way (the attribute change reaches the deck).
    fireEvent.click(screen.getByLabelText('four'));
    fireEvent.click(screen.getByRole('button', { name: 'Reveal the answer' }));
    expect(readBlocks(body)[3].open).toBe(false);
    // The deck hears of it through a MutationObserver (a microtask later).
    await act(async () => {});
    press('ArrowRight');
    expect(counterText()).toBe('4 / 5');
    press('ArrowLeft');
    expect(counterText()).toBe('3 / 5');
  });

  it('moves on past a skipped prediction without revealing it, ignores keys in an editor, and leaves on Escape', () => {
    const onExit = vi.fn();
    render(<FakeLesson onExit={onExit} />);
    press('ArrowRight');
    press('ArrowRight');
    expect(counterText()).toBe('3 / 5');
    fireEvent.click(screen.getByRole('button', { name: 'Skip' }));
    expect(counterText()).toBe('4 / 5');
    expect(screen.queryByText('Because 2 + 2 = 4.')).toBeNull();
    press('ArrowRight');
    expect(counterText()).toBe('5 / 5');
    expect(hiddenRule()).toBe('');
    const cell = screen.getByLabelText('cell');
    cell.focus();
    press('ArrowLeft', cell);
    expect(counterText()).toBe('5 / 5');
    press('Escape', cell);
    expect(onExit).not.toHaveBeenCalled();
    expect(document.activeElement).not.toBe(cell);
    press('Escape');
    expect(onExit).toHaveBeenCalledTimes(1);
  });

  it('marks <html> while presenting and unmarks it when done', () => {
    const { unmount } = render(<FakeLesson onExit={() => undefined} />);
    expect(document.documentElement.classList.contains('presenting')).toBe(true);
    unmount();
    expect(document.documentElement.classList.contains('presenting')).toBe(false);
  });
});
