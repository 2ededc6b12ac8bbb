import { lazy } from 'react';
import type { RouteObject } from 'react-router-dom';
import { HomePage } from './pages/HomePage';
import { lessons } from '../lessons/registry';

// Every page but the home page is its own chunk, loaded when first visited; Layout shows a
// loading state meanwhile (its <Suspense> around the outlet).
const LessonsIndexPage = lazy(() =>
  import('./pages/LessonsIndexPage').then((m) => ({ default: m.LessonsIndexPage })),
);
const LessonPage = lazy(() =>
  import('./pages/LessonPage').then((m) => ({ default: m.LessonPage })),
);
const ExplorerPage = lazy(() =>
  import('./pages/explorer/ExplorerPage').then((m) => ({ default: m.ExplorerPage })),
);
const EnginePage = lazy(() =>
  import('./pages/engine/EnginePage').then((m) => ({ default: m.EnginePage })),
);

/** A top-level page: its route and, when it belongs in the header, its navigation label. */
export interface PageEntry {
  path: string;
  navLabel?: string;
  /** One sentence for the home page's card; pages without one get no card. */
  description?: string;
  route: RouteObject;
}

/**
 * Every page of the app, in navigation order. Add a page here and it appears in the header
 * and the router. Only pages with real content are listed (no placeholders).
 */
export const pages: PageEntry[] = [
  { path: '/', route: { index: true, element: <HomePage /> } },
  {
    path: '/lessons',
    navLabel: 'Lessons',
    description: `${lessons.length} hands-on lessons on a 4-dim toy model: ${lessons.map((l) => l.title).join(' · ')}.`,
    route: {
      path: 'lessons',
      children: [
        { index: true, element: <LessonsIndexPage /> },
        { path: ':slug', element: <LessonPage /> },
      ],
    },
  },
  {
    path: '/explorer',
    navLabel: 'Roofline explorer',
    description:
      'Does slim attention pay off for your model on your chip? Memory, intensity, roofline, speedup and capacity against context length, batch and chip.',
    route: { path: 'explorer', element: <ExplorerPage /> },
  },
  {
    path: '/engine',
    navLabel: 'Engine',
    description:
      'A GPT-2-shaped model on your GPU (WebGL2): standard KV-cache vs slim K-cache side by side, tokens/s, cache bytes, and the GLSL of the slim decode kernel.',
    route: { path: 'engine', element: <EnginePage /> },
  },
];
