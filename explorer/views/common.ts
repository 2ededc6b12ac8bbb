import { formatBytes } from '../../components/format';
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

/** Plot styling that follows the page theme (text in the current colour, no background). */
export const plotStyle = {
  background: 'transparent',
  color: 'currentColor',
  fontSize: '12px',
  overflow: 'visible',
} as const;

export const GB = 1e9;

/**
 * A chip's memory capacity as the vendor names it: binary sizes ("80GB HBM" = 80 GiB, see
 * roofline/chips.ts) in GiB, anything else (H200's 141 GB) in decimal units.
 */
export function formatCapacity(bytes: number): string {
  const gib = bytes / 2 ** 30;
  return Number.isInteger(gib) ? `${gib} GiB` : formatBytes(bytes);
}
export const TERA = 1e12;
