import { lessons } from '../lessons/registry';

/** A top-level page as the header and the home page present it. */
export interface PageInfo {
  path: string;
  /** Its label in the header; pages without one are not in the header. */
  navLabel?: string;
  /** One sentence for the home page's card; pages without one get no card. */
  description?: string;
}

/**
 * Every page of the app, in navigation order. app/routes.tsx gives each its route; add a page
 * to both. Only pages with real content are listed (no placeholders).
 */
export const pageInfo: readonly PageInfo[] = [
  { path: '/' },
  {
    path: '/lessons',
    navLabel: 'Lessons',
    description: `${lessons.length} hands-on lessons on a 4-dim toy model: ${lessons.map((l) => l.title).join(' · ')}.`,
  },
  {
    path: '/explorer',
    navLabel: 'Roofline explorer',
    description:
      'Does slim attention pay off for your model on your chip? Memory, intensity, roofline, speedup and capacity against context length, batch and chip.',
  },
  {
    path: '/playground',
    navLabel: 'Playground',
    description:
      'Two trained models (or a Hugging Face checkpoint, or your own files) generate with the standard KV-cache and the slim K-cache side by side: same tokens, half the cache, per-layer conditioning.',
  },
];
