/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// One config for the app (Vite) and the three test projects (Vitest).
export default defineConfig({
  plugins: [react()],
  // Never open a browser: `npm start` prints the URL and works on machines without a desktop.
  server: { port: 5173, host: '127.0.0.1', open: false },
  preview: { port: 4173, host: '127.0.0.1' },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    // The app only: test pages (the WebGL harness, tfjs) are built by tests/browser/serve.ts
    // into the tests' private folder, never into dist/.
  },
  test: {
    reporters: ['default', './tests/summary-reporter.ts'],
    // The unit and component files in two workers on two cores (Vitest's default is cores − 1);
    // the browser files after them, one at a time (their own group, see below).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'components',
          environment: 'jsdom',
          include: ['tests/components/**/*.test.tsx'],
          setupFiles: ['tests/components/setup.ts'],
          // Whole pages (a lesson's every step, the explorer's Plot charts) render in jsdom on two
          // shared cores. Heavier tests (every lesson, a real model) set their own timeouts.
          testTimeout: 30_000,
          // beforeAll hooks load lesson bodies (preloadLessons) or a model: seconds on a busy
          // machine, past Vitest's 10 s default.
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          environment: 'node',
          include: ['tests/browser/**/*.test.ts'],
          // Builds and serves the app and starts the run's one Chromium; every file connects.
          globalSetup: ['tests/browser/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One file at a time: two cores, SwiftShader is CPU-heavy. A project with other worker
          // settings runs in its own group: after the unit and component files.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          // The files share one worker and its loaded modules (playwright-core, the registry):
          // each file is still imported afresh, and holds its state in its own contexts.
          isolate: false,
        },
      },
    ],
  },
});
