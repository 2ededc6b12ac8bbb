import type { RouteObject } from 'react-router-dom';
import { HomePage } from './pages/HomePage';
import { ExplorerPage } from './pages/explorer/ExplorerPage';
import { EnginePage } from './pages/engine/EnginePage';
import { LessonPage } from './pages/LessonPage';
import { LessonsIndexPage } from './pages/LessonsIndexPage';
import { lessons } from '../lessons/registry';

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
