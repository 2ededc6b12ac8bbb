import { useContext, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import * as Plot from '@observablehq/plot';
import { ChartScaleContext, PRINT_CHART_WIDTH, usePrinting } from './chartScale';

export type { PlotOptions } from '@observablehq/plot';

type PlotElement = (SVGSVGElement | HTMLElement) & Plot.Plot;

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
  /**
   * An x value marked by a vertical line that moves *without* rebuilding the plot: a slider can
   * drive it every frame while the (expensive) marks stay as they are.
   */
  markerX?: number;
  /** Called after each rebuild with the new element (for measurements and tests). */
  onRender?: (element: SVGSVGElement | HTMLElement) => void;
}

/** Width used before the container has been measured (jsdom, first paint): Plot's own default. */
const FALLBACK_WIDTH = 640;
const SVG_NS = 'http://www.w3.org/2000/svg';

/** The chart's own SVG: with a legend or title Plot wraps it in a figure beside small swatches. */
function mainSvg(element: PlotElement): SVGSVGElement | null {
  if (element instanceof SVGSVGElement) return element;
  let best: SVGSVGElement | null = null;
  let bestArea = -1;
  for (const svg of element.querySelectorAll('svg')) {
    const area = Number(svg.getAttribute('width')) * Number(svg.getAttribute('height'));
    if (area > bestArea) [best, bestArea] = [svg, area];
  }
  return best;
}

/** Draws (or moves) the marker line at x = value in data units; hides it when off-scale. */
function placeMarker(element: PlotElement, value: number | undefined): void {
  const svg = mainSvg(element);
  if (!svg) return;
  let line = svg.querySelector<SVGLineElement>('line.plot-marker');
  const x = element.scale('x');
  const y = element.scale('y');
  const px = value === undefined || !x?.apply ? NaN : Number(x.apply(value));
  if (!Number.isFinite(px) || !y?.range) {
    line?.remove();
    return;
  }
  if (!line) {
    line = document.createElementNS(SVG_NS, 'line');
    line.setAttribute('class', 'plot-marker');
    line.setAttribute('stroke', 'currentColor');
    line.setAttribute('stroke-opacity', '0.55');
    line.setAttribute('stroke-width', '1.5');
    line.setAttribute('pointer-events', 'none');
    svg.appendChild(line);
  }
  const [y1, y2] = y.range as [number, number];
  line.setAttribute('x1', String(px));
  line.setAttribute('x2', String(px));
  line.setAttribute('y1', String(y1));
  line.setAttribute('y2', String(y2));
}

/**
 * Plot names its marks' groups (<g aria-label="line">, "x-axis tick" …) but gives them no role,
 * and ARIA prohibits a name on an element without one (axe: aria-prohibited-attr). Each named
 * group becomes what it is, a group, so the names stay for assistive technology.
 */
export function nameGroups(element: Element): void {
  for (const g of element.querySelectorAll('g[aria-label]:not([role])'))
    g.setAttribute('role', 'group');
}

/** Stretches the chart's SVG by `scale` (it keeps its viewBox, so everything in it grows). */
function enlarge(element: PlotElement, scale: number): void {
  const svg = mainSvg(element);
  if (!svg) return;
  const width = Number(svg.getAttribute('width'));
  if (!svg.getAttribute('viewBox'))
    svg.setAttribute('viewBox', `0 0 ${width} ${Number(svg.getAttribute('height'))}`);
  svg.style.width = `min(100%, ${Math.round(width * scale)}px)`;
  svg.style.maxWidth = 'none';
  svg.style.height = 'auto';
}

/**
 * A thin Observable Plot wrapper: the plot is built from props during render and replaces the
 * previous node in a layout effect; React owns only the container.
 */
export function PlotFigure({
  options,
  ariaLabel,
  className,
  responsive = true,
  markerX,
  onRender,
}: PlotFigureProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<PlotElement | null>(null);
  // The latest marker, for rebuilds; synced in the layout effect below (before any rebuild).
  const markerRef = useRef(markerX);
  // The latest callback, so that an inline arrow does not force a rebuild on every render.
  const onRenderRef = useRef(onRender);
  useLayoutEffect(() => {
    onRenderRef.current = onRender;
  }, [onRender]);
  const [measuredWidth, setMeasuredWidth] = useState<number | undefined>(undefined);
  const scale = useContext(ChartScaleContext);
  const printing = usePrinting();

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

  const screenWidth = responsive ? (measuredWidth ?? FALLBACK_WIDTH) : undefined;
  // Printing: no wider than the page, so the labels are not shrunk to fit it.
  const fullWidth =
    options.width ??
    (printing && screenWidth !== undefined
      ? Math.min(screenWidth, PRINT_CHART_WIDTH)
      : screenWidth);
  // Enlarged (ChartScaleContext): lay out at 1/scale of the width, then stretch the SVG.
  const width = fullWidth === undefined || scale === 1 ? fullWidth : Math.round(fullWidth / scale);
  // The plot is built during render, detached from the page (Plot.plot has no other effect), so
  // that in a deferred render (the explorer's views, useDeferredValue) React can yield between
  // one chart and the next instead of building every chart in one long commit.
  const element = useMemo(() => {
    const built = Plot.plot(width === undefined ? options : { ...options, width }) as PlotElement;
    nameGroups(built);
    if (scale !== 1) enlarge(built, scale);
    return built;
  }, [options, width, scale]);

  useLayoutEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    if (markerRef.current !== undefined) placeMarker(element, markerRef.current);
    container.replaceChildren(element);
    plotRef.current = element;
    onRenderRef.current?.(element);
    return () => {
      element.remove();
      if (plotRef.current === element) plotRef.current = null;
    };
  }, [element]);

  // Moving the marker is a few attribute writes, done in the same commit as the slider.
  useLayoutEffect(() => {
    markerRef.current = markerX;
    if (plotRef.current) placeMarker(plotRef.current, markerX);
  }, [markerX]);

  return (
    <div
      ref={containerRef}
      className={className ? `plot-figure ${className}` : 'plot-figure'}
      role="figure"
      aria-label={ariaLabel}
      data-marker-x={markerX}
    />
  );
}
