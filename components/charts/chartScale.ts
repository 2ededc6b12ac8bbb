import { createContext } from 'react';

/**
 * How much larger charts are drawn than their usual size: PlotFigure lays the plot out at
 * (container width / scale) and stretches the SVG back to the container, so tick labels, legends
 * and lines all grow by `scale` while the layout (margins, tick spacing) stays the same. 1 on
 * the page; presentation mode sets it so that Plot's 10px labels read at ≥ 20px.
 */
export const ChartScaleContext = createContext(1);
