import { seriesColors } from '../../components/charts/marks';
import type { Setup } from '../series';

/** What every chart view gets: the resolved setup and the plotted context grid. */
export interface ViewProps {
  setup: Setup;
  grid: readonly number[];
}

/** Series colours, shared with every chart of the app (components/charts/marks.ts). */
export const colors = seriesColors;

/** The colour of a decode operating point (view 3): that of its cache scheme in views 1–2. */
export function pointColor(id: string): string {
  switch (id) {
    case 'mha-kv':
    case 'step-standard':
      return colors.kv;
    case 'mha-v-first':
      return colors['v-first'];
    case 'mha-k-first':
      return colors['k-first'];
    case 'mha-x-cache':
      return colors['x-cache'];
    case 'step-slim':
      return colors.slim;
    default:
      return colors.weights;
  }
}

/**
 * Batch curves of view 4, in order of batch: hues no scheme uses, each at least 3:1 against both
 * themes' backgrounds (viridis' dark end, B = 1, vanished on the dark theme).
 */
export const batchColors = ['#0891b2', '#8b5cf6', '#c026d3', '#b45309'] as const;
