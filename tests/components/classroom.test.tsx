/**
 * Issue 20, "Handouts and presentations", in jsdom: what a printout and a presentation show of a
 * lesson (everything a prediction holds back; the predictions as questions; an answer key), a
 * deck whose step total never changes, and a slider that keeps a presenter remote's keys only
 * while it is engaged. The PDF, real keys and layout: tests/browser/classroom.test.ts.
 */
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PresentationMode } from '../../app/presentation/PresentationMode';
import { decoratePrint } from '../../lessons/common/lessonStatePrintDom';
import { Slider } from '../../components/Slider';
import { answer, checkpointAsking, preloadLessons, renderLesson } from './lessonKit';

beforeAll(() => preloadLessons('invert-wk', 'generate'));
beforeEach(() => {
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined);
  vi.spyOn(window, 'scrollBy').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

const counter = () => screen.getByTestId('present-counter').textContent ?? '';
const total = () => counter().split(' / ')[1];
/** The inverse table, also where a deck's step rule hides it. */
const inverse = () => screen.queryByRole('table', { name: 'W_K inverse', hidden: true });
const printAs = (event: 'beforeprint' | 'afterprint') =>
  act(() => {
    window.dispatchEvent(new Event(event));
  });
const INTEGER_INVERSE = /what kind of numbers/;

/** The element matching `selector` whose text matches `text` (in a hidden step too). */
function shown(selector: string, text: RegExp): HTMLElement {
  const found = Array.from(document.querySelectorAll<HTMLElement>(selector)).find((e) =>
    text.test(e.textContent ?? ''),
  );
  if (!found) throw new Error(`No ${selector} reads ${text}.`);
  return found;
}

/** Answers (first choice) the checkpoint asking `question`, also in a step the deck hides. */
function checkpointFor(question: RegExp): HTMLElement {
  const cp = Array.from(document.querySelectorAll<HTMLElement>('[data-checkpoint]')).find((c) =>
    question.test(c.textContent ?? ''),
  );
  if (!cp) throw new Error(`No checkpoint asks ${question}.`);
  return cp;
}

function answerFirst(question: RegExp) {
  const cp = checkpointFor(question);
  fireEvent.click(cp.querySelector('input[type="radio"]')!);
  fireEvent.click(within(cp).getByRole('button', { name: 'Reveal the answer', hidden: true }));
}

describe('a printed lesson', () => {
  it('shows what the predictions hold back, the predictions as questions, and no answers or marks', () => {
    renderLesson('/lessons/invert-wk');
    expect(inverse()).toBeNull();
    // The reader answers wrongly on screen: the printout carries neither the pick nor the mark.
    const cp = checkpointAsking(INTEGER_INVERSE);
    answer(cp, 'There is no inverse');
    expect(within(cp).getByRole('status').textContent).toMatch(/^Not quite\./);
    printAs('beforeprint');
    expect(inverse()).not.toBeNull();
    const printed = document.querySelectorAll('.checkpoint-print');
    expect(printed).toHaveLength(document.querySelectorAll('[data-checkpoint]').length);
    const question = Array.from(printed).find((p) => INTEGER_INVERSE.test(p.textContent ?? ''))!;
    expect(question.textContent).toContain('☐ Only integers');
    expect(question.textContent).not.toMatch(/☒|Not quite|Right\.|Answer\./);
    // The on-screen checkpoint sits just before its printed one (print.css hides it).
    expect(question.previousElementSibling?.matches('[data-checkpoint]')).toBe(true);
    printAs('afterprint');
    expect(document.querySelectorAll('.checkpoint-print')).toHaveLength(0);
    // Answered on screen: the inverse stays.
    expect(inverse()).not.toBeNull();
  });

  it('hides again after printing what the reader has not answered yet', () => {
    renderLesson('/lessons/invert-wk');
    printAs('beforeprint');
    expect(inverse()).not.toBeNull();
    printAs('afterprint');
    expect(inverse()).toBeNull();
  });

  it('prints an answer key from its button: the right choice ticked and the explanation', () => {
    renderLesson('/lessons/invert-wk');
    // As a browser does: window.print() fires beforeprint, shows its dialog, then afterprint.
    const print = vi.spyOn(window, 'print').mockImplementation(() => {
      window.dispatchEvent(new Event('beforeprint'));
    });
    fireEvent.click(screen.getByRole('button', { name: 'Answer key' }));
    expect(print).toHaveBeenCalledTimes(1);
    const key = Array.from(document.querySelectorAll('.checkpoint-print')).find((p) =>
      INTEGER_INVERSE.test(p.textContent ?? ''),
    )!;
    // The default W_K has det = 1: its inverse has integers only (lessons.test.tsx checks why).
    expect(key.textContent).toContain('☒ Only integers');
    expect(key.textContent).toContain('☐ Fractions, not all integers');
    expect(key.textContent).toMatch(
      /Answer\.\s*W_K\^\{-1\} = \\operatorname\{adj\}\(W_K\) \/ \\det\(W_K\)/,
    );
    printAs('afterprint');
    // The next print (Ctrl+P) is a handout again.
    printAs('beforeprint');
    expect(document.querySelector('.checkpoint-print')?.textContent).not.toContain('Answer.');
    printAs('afterprint');
  });

  it('writes sliders, selects and text areas out as their values and links as addresses', () => {
    function Controls() {
      const [v, setV] = useState(3);
      return (
        <main>
          <Slider label="h" min={1} max={8} value={v} onChange={setV} valueText={`h = ${v}`} />
          <input type="range" aria-label="bare" min={0} max={10} defaultValue={4} />
          <select aria-label="chip" defaultValue="b">
            <option value="a">Chip A</option>
            <option value="b">Chip B</option>
          </select>
          <textarea aria-label="prompt" defaultValue={'Call me\nIshmael'} />
          <a href="/explorer?model=gpt-2-xl">the explorer</a>
          <a href="#top">top</a>
        </main>
      );
    }
    render(<Controls />);
    const main = document.querySelector('main')!;
    const undo = decoratePrint(main);
    const values = Array.from(main.querySelectorAll('.print-value'), (e) => e.textContent);
    // The Slider already prints its value (<output>); the bare slider gets its own.
    expect(values).toEqual(['4', 'Chip B', 'Call me\nIshmael']);
    expect(main.querySelectorAll('[data-prints-as-value]')).toHaveLength(4);
    expect(screen.getByText('the explorer').getAttribute('data-print-href')).toBe(
      `${location.origin}/explorer?model=gpt-2-xl`,
    );
    expect(screen.getByText('top').hasAttribute('data-print-href')).toBe(false);
    undo();
    expect(
      main.querySelectorAll('.print-value, [data-prints-as-value], [data-print-href]'),
    ).toHaveLength(0);
  });
});

describe('a presented lesson', () => {
  it('builds the deck from the whole lesson: the total stays, and a skip shows the inverse', () => {
    renderLesson('/lessons/invert-wk?present');
    const steps = total();
    // Held back until the prediction is passed, but part of the deck from the start.
    expect(inverse()).not.toBeNull();
    const cp = checkpointFor(INTEGER_INVERSE);
    const gate = Array.from(document.querySelector('[data-lesson-body]')!.children).indexOf(cp);
    const press = () =>
      act(() => {
        fireEvent.keyDown(document.body, { key: 'PageDown' });
      });
    for (let i = 0; i < 30 && !screen.queryByRole('button', { name: 'Skip' }); i++) press();
    // At the prediction: the inverse is in a later step, hidden by the deck's rule.
    const rule = document.querySelector('.present-bar style')?.textContent ?? '';
    expect(rule).toContain(`:nth-child(n + ${gate + 2})`);
    fireEvent.click(screen.getByRole('button', { name: 'Skip' }));
    expect(inverse()).not.toBeNull();
    expect(total()).toBe(steps);
    // Answering instead changes nothing either.
    answerFirst(INTEGER_INVERSE);
    expect(total()).toBe(steps);
  });

  it('holds lesson "Generate"\'s decode step in the deck without a press of Generate', async () => {
    renderLesson('/lessons/generate?present');
    await act(async () => {});
    const steps = total();
    // The first decode step is run for the deck: its details are there, and the stepper cannot
    // go back to the prompt alone (the deck would lose its steps).
    expect(shown('h2', /^Step n = \d+: the new token/)).toBeTruthy();
    expect(screen.getByTestId('generate-status').textContent).toContain('(1 generated)');
    expect(shown('button', /^← Back one step$/)).toHaveProperty('disabled', true);
    for (const q of [/how many bytes will the next decode step add/, /how far apart/])
      answerFirst(q);
    await act(async () => {});
    expect(total()).toBe(steps);
    fireEvent.click(shown('button', /^Generate: feed/));
    await act(async () => {});
    expect(total()).toBe(steps);
  });
});

/** Text, a slider, text: the slider's keys in a deck. */
function SliderLesson({ onExit }: { onExit: () => void }) {
  const [body, setBody] = useState<HTMLDivElement | null>(null);
  return (
    <>
      <div data-lesson-body="" ref={setBody}>
        <p>One</p>
        <input type="range" aria-label="epsilon" min={0} max={10} defaultValue={5} />
        <p>Three</p>
        <p>Four</p>
        <p>Five</p>
      </div>
      <PresentationMode body={body} onExit={onExit} />
    </>
  );
}

describe('a slider in a deck', () => {
  it('gives the remote its keys back once a drag ends; a click engages it; Escape leaves it first', () => {
    const onExit = vi.fn();
    render(<SliderLesson onExit={onExit} />);
    const slider = screen.getByLabelText('epsilon');
    const key = (k: string) =>
      act(() => {
        fireEvent.keyDown(slider, { key: k });
      });
    act(() => {
      fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    });
    expect(counter()).toBe('2 / 5');
    // A drag: down, move, up. The slider keeps the focus, but → and PageDown step the deck.
    slider.focus();
    fireEvent.pointerDown(slider, { clientX: 10, clientY: 5 });
    key('ArrowRight'); // while dragging, the arrows are the slider's
    expect(counter()).toBe('2 / 5');
    fireEvent.pointerMove(slider, { clientX: 60, clientY: 5 });
    fireEvent.pointerUp(slider, { clientX: 60, clientY: 5 });
    key('ArrowRight');
    expect(counter()).toBe('3 / 5');
    key('PageDown');
    expect(counter()).toBe('4 / 5');
    key('PageUp');
    key('ArrowLeft');
    expect(counter()).toBe('2 / 5');
    // A click without a drag engages it: the arrows move the slider, PageDown the deck.
    fireEvent.pointerDown(slider, { clientX: 30, clientY: 5 });
    fireEvent.pointerUp(slider, { clientX: 31, clientY: 5 });
    key('ArrowRight');
    expect(counter()).toBe('2 / 5');
    key('PageDown');
    expect(counter()).toBe('3 / 5');
    // Escape leaves the slider first, then the deck.
    key('Escape');
    expect(onExit).not.toHaveBeenCalled();
    expect(document.activeElement).not.toBe(slider);
    act(() => {
      fireEvent.keyDown(document.body, { key: 'Escape' });
    });
    expect(onExit).toHaveBeenCalledTimes(1);
  });
});
