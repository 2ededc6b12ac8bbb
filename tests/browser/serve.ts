import { rmSync } from 'node:fs';
import { build, preview } from 'vite';

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the app as production ships it (production React, no dev checks) into a private
 * folder, so concurrent runs never serve each other's half-built files, and serves it on a
 * free loopback port. Used by the browser tests and by the browser benchmarks.
 */
export async function buildAndServe(): Promise<ServedApp> {
  // React and the JSX runtime pick their production builds from NODE_ENV at build time.
  const previousEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  const outDir = `node_modules/.cache/served-app-${process.pid}-${Date.now()}`;
  try {
    await build({ logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = previousEnv;
  }
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
