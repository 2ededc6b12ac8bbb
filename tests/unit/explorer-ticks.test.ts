import { describe, expect, it } from 'vitest';
import { scaleLog } from 'd3-scale';
import { formatTick, tickFormat } from '../../components/charts/marks';

/** Tick labels in the axis's own unit (issue: "200m" on a GB axis, "10G GB", "1G" cond). */
describe('chart tick formatter', () => {
  it('bytes print with a byte unit, never an SI suffix on top of GB', () => {
    expect(formatTick(2e8, 'bytes')).toBe('200 MB');
    expect(formatTick(1e10, 'bytes')).toBe('10 GB');
    expect(formatTick(1e13, 'bytes')).toBe('10 TB');
    expect(formatTick(141e9, 'bytes')).toBe('141 GB');
  });

  it('OPs per second print as GOPS, TOPS, POPS (no "100m" TOPS)', () => {
    expect(formatTick(1e11, 'ops-per-second')).toBe('100 GOPS');
    expect(formatTick(1e12, 'ops-per-second')).toBe('1 TOPS');
    expect(formatTick(1.98e15, 'ops-per-second')).toBe('1.98 POPS');
  });

  it('counts print as plain numbers or powers of ten (no "1G" on a condition-number axis)', () => {
    expect(formatTick(0.25, 'count')).toBe('0.25');
    expect(formatTick(1, 'count')).toBe('1');
    expect(formatTick(10000, 'count')).toBe('10,000');
    expect(formatTick(1e9, 'count')).toBe('10⁹');
    expect(formatTick(2.5e-4, 'count')).toBe('2.5·10⁻⁴');
    expect(formatTick(1e-8, 'count')).toBe('10⁻⁸');
    expect(formatTick(0, 'count')).toBe('0');
    expect(formatTick(1.5, 'ratio')).toBe('1.5×');
    for (const unit of ['bytes', 'ops-per-second', 'count', 'ratio'] as const)
      expect(formatTick(NaN, unit)).toBe('');
  });

  it('no tick of a log axis over 10⁻⁸ … 10¹² carries an SI letter', () => {
    const ticks = scaleLog().domain([1e-8, 1e12]).ticks();
    const format = tickFormat('count');
    for (const t of ticks) expect(format(t)).not.toMatch(/[kMGTPEmµun]$/);
  });
});
