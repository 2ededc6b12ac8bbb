import { Suspense, useEffect, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useRouteError } from 'react-router-dom';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { pageInfo } from './nav';
import './print.css';

type Theme = 'light' | 'dark';
const THEME_KEY = 'slim-lab-theme';

function initialTheme(): Theme {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(THEME_KEY) : null;
  if (saved === 'light' || saved === 'dark') return saved;
  const prefersDark =
    typeof window !== 'undefined' && window.matchMedia?.('(prefers-color-scheme: dark)').matches;
  return prefersDark ? 'dark' : 'light';
}

function RouteCrash() {
  const error = useRouteError();
  useDocumentTitle('Something went wrong');
  return (
    <div role="alert" className="error-panel">
      <h1>Something went wrong</h1>
      <p>{error instanceof Error ? error.message : String(error)}</p>
      <p>
        <Link to="/">Back to the start</Link>
      </p>
    </div>
  );
}

/** Shown while a page's code chunk loads (each route is its own chunk). */
function PageLoading() {
  return (
    <p className="page-loading" role="status" aria-live="polite">
      Loading…
    </p>
  );
}

/**
 * The tab title of a page in app/nav.ts, from its header label. Pages set their own titles
 * (useDocumentTitle); this covers the header's pages, the explorer included, whose module lives
 * outside app/pages. Deeper addresses (a lesson, an unknown page) are left to their page.
 */
function useNavTitle(crashed: boolean): void {
  const { pathname } = useLocation();
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  useDocumentTitle(crashed ? undefined : pageInfo.find((p) => p.path === path)?.navLabel);
}

export function Layout({ crashed = false }: { crashed?: boolean }) {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useNavTitle(crashed);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Slim Attention Lab
        </Link>
        <nav aria-label="Main">
          {pageInfo
            .filter((p) => p.navLabel)
            .map((p) => (
              <NavLink key={p.path} to={p.path}>
                {p.navLabel}
              </NavLink>
            ))}
        </nav>
        <button
          type="button"
          className="theme-toggle"
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {crashed ? (
          <RouteCrash />
        ) : (
          <Suspense fallback={<PageLoading />}>
            <Outlet />
          </Suspense>
        )}
      </main>
      <footer className="app-footer">
        Based on N. Graef &amp; A. Wasielewski, “Slim attention: cut your context memory in half
        without loss” (<a href="https://arxiv.org/abs/2503.05840">arXiv 2503.05840</a>).
      </footer>
    </div>
  );
}
