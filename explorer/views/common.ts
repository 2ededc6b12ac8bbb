import type { Setup } from '../series';

/** What every chart view gets: the resolved setup and the plotted context grid. */
export interface ViewProps {
  setup: Setup;
  grid: readonly number[];
}

/**
 * Series colours, the same in every view (vanilla/standard is red, slim blue wherever they are
 * drawn) and at least 3:1 against both themes' backgrounds (white and #0f172a).
 */
export const colors = {
  weights: '#8c8c8c',
  kv: '#e45756',
  slim: '#4c78a8',
  'x-cache': '#54a24b',
  'e-cache': '#b279a2',
  'v-first': '#f58518',
  'k-first': '#4c78a8',
  capacity: '#c2410c',
} as const;

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
