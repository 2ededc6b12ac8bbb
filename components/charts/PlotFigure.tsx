import { useEffect, useRef, useState } from 'react';
import * as Plot from '@observablehq/plot';

export type { PlotOptions } from '@observablehq/plot';

export interface PlotFigureProps {
  /** Complete Observable Plot options; the figure is rebuilt whenever this object changes. */
  options: Plot.PlotOptions;
  /** Accessible name of the chart (the SVG itself is not readable by screen readers). */
  ariaLabel: string;
  className?: string;
  /**
   * When true (the default) and `options.width` is not given, the plot takes the width of its
   * container and is rebuilt when the container is resized (phones, window resize).
   */
  responsive?: boolean;
  /** Called after each rebuild with the new element (for measurements and tests). */
  onRender?: (element: SVGSVGElement | HTMLElement) => void;
}

/** Width used before the container has been measured (jsdom, first paint): Plot's own default. */
const FALLBACK_WIDTH = 640;

/**
 * A thin Observable Plot wrapper (DESIGN.md, "Observable Plot's React examples"): the plot is
 * built in an effect from props and replaces the previous node; React owns only the container.
 */
export function PlotFigure({
  options,
  ariaLabel,
  className,
  responsive = true,
  onRender,
}: PlotFigureProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [measuredWidth, setMeasuredWidth] = useState<number | undefined>(undefined);

  // Track the container width so that charts fit phones without horizontal scrolling.
  useEffect(() => {
    const container = containerRef.current;
    if (!responsive || !container || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      const width = Math.floor(entries[0]?.contentRect.width ?? 0);
      // Ignore zero (hidden or not laid out yet) and sub-pixel jitter.
      if (width > 0) setMeasuredWidth((old) => (old === width ? old : width));
    });
    observer.observe(container);
    return () => observer.disconnect();
  }, [responsive]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const width = options.width ?? (responsive ? (measuredWidth ?? FALLBACK_WIDTH) : undefined);
    const element = Plot.plot(width === undefined ? options : { ...options, width });
    container.replaceChildren(element);
    onRender?.(element);
    return () => element.remove();
  }, [options, responsive, measuredWidth, onRender]);

  return (
    <div
      ref={containerRef}
      className={className ? `plot-figure ${className}` : 'plot-figure'}
      role="figure"
      aria-label={ariaLabel}
    />
  );
}
