import { lazy } from 'react';
import { Navigate, type RouteObject } from 'react-router-dom';
import { HomePage } from './pages/HomePage';
import { pageInfo } from './nav';

// Every page but the home page is its own chunk, loaded when first visited; Layout shows a
// loading state meanwhile (its <Suspense> around the outlet).
const LessonsIndexPage = lazy(() =>
  import('./pages/LessonsIndexPage').then((m) => ({ default: m.LessonsIndexPage })),
);
const LessonPage = lazy(() =>
  import('./pages/LessonPage').then((m) => ({ default: m.LessonPage })),
);
const SchemesPage = lazy(() =>
  import('../lessons/schemes/SchemesPage').then((m) => ({ default: m.SchemesPage })),
);
const ExplorerPage = lazy(() => import('../explorer/ExplorerPage'));
const PlaygroundPage = lazy(() => import('../playground/PlaygroundPage'));

/** The route of each page in app/nav.ts, by path. */
const routeByPath: Readonly<Record<string, RouteObject>> = {
  '/': { index: true, element: <HomePage /> },
  '/lessons': {
    path: 'lessons',
    children: [
      { index: true, element: <LessonsIndexPage /> },
      // A static segment: matched before the lesson slugs.
      { path: 'schemes', element: <SchemesPage /> },
      { path: ':slug', element: <LessonPage /> },
    ],
  },
  '/explorer': { path: 'explorer', element: <ExplorerPage /> },
  '/playground': { path: 'playground', element: <PlaygroundPage /> },
};

export const routes: RouteObject[] = [
  ...pageInfo.map((p) => {
    const route = routeByPath[p.path];
    if (!route) throw new Error(`app/nav.ts lists ${p.path}, which has no route in app/routes.tsx`);
    return route;
  }),
  // The engine page became the Playground: old links land there.
  { path: 'engine', element: <Navigate to="/playground" replace /> },
];
