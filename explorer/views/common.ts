import type { Setup } from '../series';

/** What every chart view gets: the resolved setup and the plotted context grid. */
export interface ViewProps {
  setup: Setup;
  grid: readonly number[];
}

/** Series colours, the same in every view and readable on both themes. */
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
