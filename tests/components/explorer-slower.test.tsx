import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import type { PlotFigureProps } from '../../components/charts/PlotFigure';
import { requireChip, requireModel } from '../../roofline';
import { renderExplorerAt } from './explorerKit';

// The words beside the speedup are what these tests are about; a stand-in keeps jsdom fast.
vi.mock('../../components/charts/PlotFigure', () => ({
  PlotFigure: (props: PlotFigureProps) => <div role="figure" aria-label={props.ariaLabel} />,
}));

const renderAt = renderExplorerAt;

/**
 * The roofline written out by hand (paper Table 3: time = max(OPs / peak, bytes / bandwidth)),
 * for a square-MHA decoder at 1 byte per value (the explorer's default fp8 weights and cache, whose
 * peak on Apple M4 Max is its int8 figure): weights 2 OPs each per sequence, attention 4nd
 * (standard) or 2nd(h + 1) (slim, the K-first order) per layer per sequence (paper Table 2).
 */
function handRoofline(id: string, chipId: string, batch: number, n: number) {
  const m = requireModel(id);
  const chip = requireChip(chipId);
  const peak = chip.peakOpsPerSecond.int8 as number;
  const bw = chip.memoryBandwidth;
  const time = (ops: number, bytes: number) => Math.max(ops / peak, bytes / bw);
  const stdOps = batch * (2 * m.params + m.layers * 4 * n * m.d);
  const slimOps = batch * (2 * m.params + m.layers * 2 * n * m.d * (m.heads + 1));
  const stdBytes = m.params + batch * 2 * m.layers * n * m.d;
  const slimBytes = m.params + batch * m.layers * n * m.d;
  return {
    speedup: time(stdOps, stdBytes) / time(slimOps, slimBytes),
    slimIntensity: slimOps / slimBytes,
    slimComputeBound: slimOps / peak > slimBytes / bw,
    ridge: peak / bw,
  };
}

describe('explorer: the words when slim is slower (speedup below 1×)', () => {
  it('Aya-23-35B (h = 64) on Apple M4 Max at batch 64, n = 1,024: compute bound, slower, explained', () => {
    const ref = handRoofline('aya-23-35b', 'apple-m4-max', 64, 1024);
    expect(ref.speedup).toBeLessThan(1);
    expect(ref.slimComputeBound).toBe(true);
    renderAt('?model=aya-23-35b&chip=apple-m4-max&batch=64&n=1024');
    const now = screen.getByTestId('speedup-now').textContent ?? '';
    expect(now).toContain(`roofline ${ref.speedup.toFixed(2)}× — slim slower than standard`);
    const words = screen.getByTestId('speedup-slower');
    expect(words.dataset.kind).toBe('compute');
    const text = words.textContent ?? '';
    expect(text).toMatch(
      /^Slim is slower here: slim attention runs in the K-first order, .* \(paper §2, option 2\)/,
    );
    expect(text).toContain('2h + 2 = 130 OPs per cached value instead of 2');
    expect(text).toContain('compute bound on Apple M4 Max at this context and batch');
    expect(text).toContain(`(${Math.round(ref.slimIntensity)} OPs per byte, above the ridge of`);
    expect(text).toContain(`the ridge of ${Number(ref.ridge.toPrecision(3))})`);
    const link = within(words).getByRole('link', { name: 'Trade-offs and FAQ' });
    expect(link.getAttribute('href')).toBe('/lessons/trade-offs');
  });

  it('Flan-T5-XXL on Apple M4 Max at batch 1: option 2 reads more weight bytes, explained', () => {
    renderAt('?model=flan-t5-xxl&chip=apple-m4-max&batch=1&n=1024');
    const words = screen.getByTestId('speedup-slower');
    expect(words.dataset.kind).toBe('bytes');
    // paper §4: option 2 reads the cross W_K and W_V per token, 2·l·d² more weights than baseline
    // (24 layers, d = 4096: 805 M values, 1 byte each at fp8).
    const m = requireModel('flan-t5-xxl');
    expect(2 * m.layers * m.d * m.d).toBe(805_306_368);
    expect(words.textContent).toMatch(
      /^Slim is slower here: it reads [\d.]+ GB per decode step against standard's [\d.]+ GB, because the 805 MB of extra weights it reads at every step outweigh the smaller cache/,
    );
    expect(within(words).getByRole('link').getAttribute('href')).toBe('/lessons/trade-offs');
  });

  it('no such words where slim is faster (Phi-3-mini-128k, H200, 128K: the default)', () => {
    const ref = handRoofline('phi-3-mini-128k', 'nvidia-h200', 1, 128 * 1024);
    expect(ref.speedup).toBeGreaterThanOrEqual(1);
    renderAt('');
    expect(screen.getByTestId('speedup-now').textContent).toContain(
      `roofline ${ref.speedup.toFixed(2)}×`,
    );
    expect(screen.getByTestId('speedup-now').textContent).not.toContain('slower');
    expect(screen.queryByTestId('speedup-slower')).toBeNull();
    expect(screen.queryByRole('link', { name: 'Trade-offs and FAQ' })).toBeNull();
  });
});
