import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { renderExplorerAt } from './explorerKit';
import { seriesColors } from '../../components/charts/marks';
import { formatCapacity, formatCapacityAsSold } from '../../components/format';

/** The y of every vertex of an SVG path "M x,y L x,y …" (Plot writes lines this way). */
function pathYs(d: string): number[] {
  return [...d.matchAll(/[ML]\s*[-\d.e]+[ ,]([-\d.e]+)/g)].map((m) => Number(m[1]));
}

describe('explorer units and the weights line (issue 20)', () => {
  it('one unit system: capacities print in the decimal units of every other size', () => {
    expect(formatCapacity(24 * 2 ** 30)).toBe('25.8 GB');
    expect(formatCapacity(141e9)).toBe('141 GB');
    // The chip's description keeps the size it is sold as, after the decimal one.
    expect(formatCapacityAsSold(24 * 2 ** 30)).toBe('25.8 GB (24 GiB)');
    expect(formatCapacityAsSold(141e9)).toBe('141 GB');

    renderExplorerAt('?chip=nvidia-rtx-4090&k=8');
    // 8 × 24 GiB = 206,158,430,208 bytes = 206 GB, in the planner as on the memory chart.
    expect(screen.getByTestId('planner-table').closest('section')?.textContent).toContain(
      '8 × NVIDIA GeForce RTX 4090 = 206 GB',
    );
    const memory = screen.getByRole('figure', { name: 'Memory versus context length' });
    expect(memory.textContent).toContain('NVIDIA GeForce RTX 4090: 25.8 GB');
    // No GiB anywhere in the views; the picker's description names the size as sold.
    expect(document.querySelector('.explorer-views')?.textContent).not.toContain('GiB');
    expect(screen.getByText(/chip memory/).textContent).toContain('chip memory 25.8 GB');
    expect(document.querySelectorAll('.picker-detail')[1]?.textContent).toContain(
      '25.8 GB (24 GiB)',
    );
  });

  it('the weights-only line sits above the x axis, not on it', () => {
    renderExplorerAt('');
    const memory = screen.getByRole('figure', { name: 'Memory versus context length' });
    // The chart's own svg follows the legend swatches' small ones.
    const svg = [...memory.querySelectorAll('svg')].pop() as SVGSVGElement;
    const height = Number(svg.getAttribute('height'));
    const weights = [...svg.querySelectorAll('path')].find(
      (p) => p.getAttribute('stroke') === seriesColors.weights,
    );
    expect(weights).toBeDefined();
    const ys = pathYs(weights!.getAttribute('d') ?? '');
    expect(ys.length).toBeGreaterThan(1);
    // Plot's default bottom margin is 30 px: the x axis sits at height − 30.
    const axis = height - 30;
    for (const y of ys) expect(axis - y).toBeGreaterThanOrEqual(12);
  });
});
