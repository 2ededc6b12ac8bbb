import { createContext, useEffect, useState } from 'react';
import { flushSync } from 'react-dom';

/**
 * How much larger charts are drawn than their usual size: PlotFigure lays the plot out at
 * (container width / scale) and stretches the SVG back to the container, so tick labels, legends
 * and lines all grow by `scale` while the layout (margins, tick spacing) stays the same. 1 on
 * the page; presentation mode sets it so that Plot's 10px labels read at ≥ 20px.
 */
export const ChartScaleContext = createContext(1);

/**
 * Width (CSS px) charts are laid out at for printing: an A4 or Letter page's text width at the
 * handout's margins, so the printed tick labels keep Plot's own size instead of shrinking with a
 * wide screen's chart.
 */
export const PRINT_CHART_WIDTH = 680;

/** Set first in `beforeprint` (a listener registered when this module loads), cleared after. */
let printingNow = false;
if (typeof window !== 'undefined') {
  window.addEventListener('beforeprint', () => (printingNow = true), true);
  window.addEventListener('afterprint', () => (printingNow = false), true);
}

/**
 * True between the browser's `beforeprint` and `afterprint` events. The change is rendered
 * synchronously (flushSync), so charts are rebuilt at print width before the page is laid out.
 */
export function usePrinting(): boolean {
  // A chart that mounts while the page is printing (a printout shows what a prediction holds
  // back) starts at print width.
  const [printing, setPrinting] = useState(() => printingNow);
  useEffect(() => {
    const before = () => flushSync(() => setPrinting(true));
    const after = () => setPrinting(false);
    window.addEventListener('beforeprint', before);
    window.addEventListener('afterprint', after);
    return () => {
      window.removeEventListener('beforeprint', before);
      window.removeEventListener('afterprint', after);
    };
  }, []);
  return printing;
}
