import type { TestProject } from 'vitest/node';
import { buildAndServe, type ServedApp } from './serve';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

let app: ServedApp | undefined;

/** Builds the app once (production mode) and serves it for every browser test file. */
export async function setup(project: TestProject): Promise<void> {
  app = await buildAndServe();
  project.provide('baseURL', app.url);
}

export async function teardown(): Promise<void> {
  await app?.close();
}
