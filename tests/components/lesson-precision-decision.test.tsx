/** Lesson "Precision and conditioning": the per-layer decision widget and its legend (issue 20). */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen } from '@testing-library/react';
import { lessonRenderer, preloadLessons, shownText } from './lessonKit';

vi.setConfig({ testTimeout: 60_000 });

beforeAll(() => preloadLessons('precision'));
const open = lessonRenderer('precision');

/** Unit roundoffs by hand: 2^-(significant bits). */
const U = { float32: 2 ** -24, float16: 2 ** -11, bfloat16: 2 ** -8 };
/** `slim check`'s default tolerance on the relative error of a rebuild. */
const TOLERANCE = 1e-3;

function setCond(which: 'condk' | 'condv', value: number) {
  const input = screen.getByTestId(`decide-${which}`);
  fireEvent.change(input, { target: { value: String(value) } });
  fireEvent.blur(input);
}
const estimate = (which: 'k' | 'v') =>
  Number(shownText(`decide-${which}-estimate`).replace(/−/g, '-'));
const within3 = (shown: number, want: number) =>
  expect(Math.abs(shown - want)).toBeLessThanOrEqual(5e-3 * want);

describe('Decide one layer', () => {
  it('opens on Whisper-large-v3’s median layer: no slim cache fits float32, keep it standard', () => {
    open();
    within3(estimate('k'), 1.4e7 * U.float32);
    within3(estimate('v'), 4.5e6 * U.float32);
    expect(shownText('decide-k-allowed')).toBe('not allowed');
    expect(shownText('decide-v-allowed')).toBe('not allowed');
    expect(shownText('decide-choice')).toMatch(/standard KV-cache/);
  });

  it('picks the better-conditioned matrix, the K-cache only with RoPE, and follows the format', () => {
    open();
    setCond('condk', 1000);
    setCond('condv', 10);
    within3(estimate('k'), 1000 * U.float32);
    within3(estimate('v'), 10 * U.float32);
    // Both within 1e-3; the V-cache errs less.
    expect(shownText('decide-k-allowed')).toBe('allowed');
    expect(shownText('decide-v-allowed')).toBe('allowed');
    expect(shownText('decide-choice')).toMatch(/V-cache/);

    fireEvent.click(screen.getByRole('checkbox', { name: /RoPE/ }));
    expect(shownText('decide-v-allowed')).toBe('not allowed');
    expect(shownText('decide-choice')).toMatch(/K-cache/);

    // float16: 1000·2⁻¹¹ ≈ 0.49 is far above the tolerance; nothing slim is left.
    fireEvent.change(screen.getByRole('combobox', { name: /format/ }), {
      target: { value: 'float16' },
    });
    within3(estimate('k'), 1000 * U.float16);
    expect(1000 * U.float16).toBeGreaterThan(TOLERANCE);
    expect(shownText('decide-choice')).toMatch(/standard KV-cache/);

    // bfloat16 with cond 1 on both, no RoPE: 2⁻⁸ ≈ 0.0039, still above the tolerance.
    fireEvent.click(screen.getByRole('checkbox', { name: /RoPE/ }));
    fireEvent.change(screen.getByRole('combobox', { name: /format/ }), {
      target: { value: 'bfloat16' },
    });
    setCond('condk', 1);
    setCond('condv', 1);
    within3(estimate('k'), U.bfloat16);
    expect(shownText('decide-choice')).toMatch(/standard KV-cache/);
  });
});

describe('the error chart’s legend', () => {
  it('tells the solid measured line from the dashed rule of thumb', () => {
    open();
    const items = [...screen.getByRole('list', { name: 'chart legend' }).querySelectorAll('li')];
    const keyOf = (li: Element) =>
      `${li.getAttribute('data-color')}|${li.getAttribute('data-dashed')}`;
    expect(items.map((li) => li.textContent?.trim())).toEqual([
      'float32, measured',
      'cond × u, float32',
    ]);
    // Two entries, two different samples: same colour, one solid, one dashed.
    expect(new Set(items.map(keyOf)).size).toBe(items.length);
    expect(items.map((li) => li.getAttribute('data-dashed'))).toEqual(['no', 'yes']);
    const dash = items.map((li) => li.querySelector('line')?.getAttribute('stroke-dasharray'));
    expect(dash[0]).toBeNull();
    expect(dash[1]).toBeTruthy();
    // Plot's own colour-swatch legend (alike swatches for both) is gone.
    expect(document.querySelector('[class*="-swatch"]')).toBeNull();
  });
});
