import { rmSync } from 'node:fs';
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

let server: PreviewServer | undefined;

/** Builds the app once and serves the production bundle on a free loopback port. */
export async function setup(project: TestProject): Promise<void> {
  await build({ logLevel: 'warn', build: { outDir: 'dist' } });
  server = await preview({
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
    logLevel: 'warn',
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  project.provide('baseURL', `http://127.0.0.1:${address.port}`);
}

export async function teardown(): Promise<void> {
  await server?.close();
  rmSync(`node_modules/.cache/browser-test-${process.pid}`, { recursive: true, force: true });
}
