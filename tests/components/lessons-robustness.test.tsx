import { describe, expect, it, vi, beforeAll } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { MatrixEditor, parseCell } from '../../components/MatrixEditor';
import { formatFraction, plainDecimal, toFraction } from '../../lessons/common/exact';
import { TOY_MAX_ABS, toyMatrixCodec } from '../../lessons/common/useToyWeights';
import { renderLesson, preloadLessons } from './lessonKit';

// A lesson render runs the toy engine (and lesson 2 its conditioning sweep once per file); on a
// loaded two-core machine that alone can pass vitest's 5 s default.
vi.setConfig({ testTimeout: 30_000 });

beforeAll(() => preloadLessons('invert-wk', 'generate'));

/** A d × d link value: the identity with one diagonal entry replaced. */
const diagLink = (x: string) => ['1,0,0,0', '0,1,0,0', '0,0,1,0', `0,0,0,${x}`].join(';');

describe('bad and extreme input in the lessons', () => {
  it('reads numbers written with exponents as the exact decimals they denote', () => {
    expect(plainDecimal('1e-7')).toBe('0.0000001');
    expect(plainDecimal('-2.5e-8')).toBe('-0.000000025');
    expect(plainDecimal('1.5e+21')).toBe('1500000000000000000000');
    expect(plainDecimal('0.37')).toBe('0.37');
    expect(formatFraction(toFraction(1e-7))).toBe('1/10000000');
    expect(formatFraction(toFraction(-2.5e-8))).toBe('−1/40000000');
  });

  it('lesson 2 renders exact values for a tiny entry from a shared link', () => {
    renderLesson(`/lessons/invert-wk?wk=${diagLink('1e-7')}`);
    // det of diag(1, 1, 1, 1e-7) is exactly 1/10000000.
    expect(screen.getByTestId('det-exact').textContent).toBe('1/10000000');
  });

  it('a link with entries beyond the toy range falls back to the default weights', () => {
    expect(toyMatrixCodec.parse(diagLink(String(TOY_MAX_ABS)))).toBeDefined();
    expect(toyMatrixCodec.parse(diagLink('1e39'))).toBeUndefined();
    expect(parseCell('1e39', TOY_MAX_ABS)).toBeUndefined();
    expect(parseCell('−1000000', TOY_MAX_ABS)).toBe(-1e6);
  });

  it('numerically singular weights get a specific notice in lesson 4, and Reset restores it', async () => {
    // det = 1e6 · 1e-7 ≠ 0, but cond(W_K) = 1e6 / 1e-7 = 1e13 is past linalg's 1e12 limit
    // (paper Appendix A), and both entries are inside the toy range.
    const wk = ['1000000,0,0,0', '0,1,0,0', '0,0,1,0', '0,0,0,0.0000001'].join(';');
    renderLesson(`/lessons/generate?wk=${wk}`);
    expect(screen.getByText(/has no inverse, so slim attention cannot rebuild V/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Generate/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Reset to the defaults' }));
    expect(await screen.findByRole('button', { name: /^Generate/ })).toBeTruthy();
    expect(screen.queryByText(/has no inverse/)).toBeNull();
  });

  it('arrow keys step from the typed value without snapping it to the step grid', () => {
    let value = [[0.37]];
    const { rerender } = render(
      <MatrixEditor label="M" value={value} onChange={(m) => (value = m)} />,
    );
    fireEvent.keyDown(screen.getByLabelText('M row 1 column 1'), { key: 'ArrowUp' });
    expect(value).toEqual([[1.37]]);
    rerender(<MatrixEditor label="M" value={value} onChange={(m) => (value = m)} />);
    fireEvent.keyDown(screen.getByLabelText('M row 1 column 1'), {
      key: 'ArrowDown',
      shiftKey: true,
    });
    expect(value).toEqual([[1.27]]);
  });
});
