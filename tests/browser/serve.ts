import { rmSync } from 'node:fs';
import { build, preview } from 'vite';

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /**
   * Also build the test-only pages (the WebGL harness, which bundles tfjs as an oracle) beside
   * the app. They exist only in this private build, never in `npm run build`'s dist/.
   */
  testPages?: boolean;
  /** More pages to build beside the app (a benchmark's page: bench/pages/*.html), by name. */
  pages?: Readonly<Record<string, string>>;
}

/** Test-only pages, built beside the app for the browser tests (tests/browser/webgl*.test.ts). */
export const TEST_PAGES: Readonly<Record<string, string>> = {
  webglHarness: 'tests/browser/pages/webgl-harness.html',
};

/**
 * Builds the app as production ships it (production React, no dev checks), plus the test pages
 * when asked, into outDir.
 */
export async function buildForTests(outDir: string, options: ServeOptions = {}): Promise<void> {
  // React and the JSX runtime pick their production builds from NODE_ENV at build time.
  const previousEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  const input = {
    main: 'index.html',
    ...(options.testPages === false ? {} : TEST_PAGES),
    ...options.pages,
  };
  try {
    await build({
      logLevel: 'warn',
      mode: 'production',
      build: { outDir, emptyOutDir: true, rollupOptions: { input } },
    });
  } finally {
    process.env.NODE_ENV = previousEnv;
  }
}

/**
 * Builds the app (and, by default, the test pages) into a private folder, so concurrent runs
 * never serve each other's half-built files, and serves it on a free loopback port. Used by the
 * browser tests and by the browser benchmarks.
 */
export async function buildAndServe(options: ServeOptions = {}): Promise<ServedApp> {
  const outDir = `node_modules/.cache/served-app-${process.pid}-${Date.now()}`;
  await buildForTests(outDir, options);
  const server = await preview({
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
    logLevel: 'warn',
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
