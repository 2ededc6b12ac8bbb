import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import * as Plot from '@observablehq/plot';
import { PlotFigure } from '../../components/charts/PlotFigure';

describe('PlotFigure', () => {
  it('renders the plot as SVG and rebuilds it when the options change', () => {
    const first: Plot.PlotOptions = {
      marks: [Plot.lineY([1, 2, 3]), Plot.text([0], { x: 0, y: 1, text: () => 'first-label' })],
    };
    const { rerender } = render(<PlotFigure options={first} ariaLabel="a test chart" />);
    const figure = screen.getByRole('figure', { name: 'a test chart' });
    expect(figure.querySelectorAll('svg')).toHaveLength(1);
    expect(figure.textContent).toContain('first-label');

    const second: Plot.PlotOptions = {
      marks: [Plot.text([0], { x: 0, y: 1, text: () => 'second-label' })],
    };
    rerender(<PlotFigure options={second} ariaLabel="a test chart" />);
    // The old node is replaced, not appended to.
    expect(figure.querySelectorAll('svg')).toHaveLength(1);
    expect(figure.textContent).toContain('second-label');
    expect(figure.textContent).not.toContain('first-label');
  });

  it('uses an explicit width and reports each rendered element', () => {
    const rendered: Element[] = [];
    render(
      <PlotFigure
        options={{ width: 300, height: 200, marks: [Plot.dot([[1, 2]])] }}
        ariaLabel="sized"
        onRender={(el) => rendered.push(el)}
      />,
    );
    expect(rendered).toHaveLength(1);
    expect(rendered[0].getAttribute('width')).toBe('300');
  });
});

describe('PlotFigure marker', () => {
  it('draws a vertical line at markerX in data units and moves it without a rebuild', () => {
    const builds: Element[] = [];
    const options: Plot.PlotOptions = {
      width: 400,
      height: 200,
      x: { domain: [0, 10] },
      y: { domain: [0, 1] },
      marks: [Plot.dot([[5, 0.5]])],
    };
    const { rerender, container } = render(
      <PlotFigure options={options} ariaLabel="m" markerX={2} onRender={(el) => builds.push(el)} />,
    );
    const x = (builds[0] as unknown as Plot.Plot).scale('x')!;
    const line = () => container.querySelector('line.plot-marker')!;
    expect(Number(line().getAttribute('x1'))).toBeCloseTo(Number(x.apply!(2)), 9);
    rerender(
      <PlotFigure options={options} ariaLabel="m" markerX={7} onRender={(el) => builds.push(el)} />,
    );
    expect(builds).toHaveLength(1); // same options: no rebuild
    expect(Number(line().getAttribute('x1'))).toBeCloseTo(Number(x.apply!(7)), 9);
    rerender(
      <PlotFigure
        options={options}
        ariaLabel="m"
        markerX={50}
        onRender={(el) => builds.push(el)}
      />,
    );
    // Off the x domain → Plot's linear scale extrapolates; the line is still placed, not NaN.
    expect(Number.isFinite(Number(line().getAttribute('x1')))).toBe(true);
  });
});
