import type { BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { launchChromiumServer } from './chromium';
import { buildAndServe, type ServedApp } from './serve';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    /** Where the run's one Chromium listens (playwright-core `chromium.connect`). */
    chromiumWsEndpoint: string;
  }
}

let app: ServedApp | undefined;
let chromium: BrowserServer | undefined;

/**
 * Builds the app once (production mode) and serves it, and starts the one Chromium of the run,
 * for every browser test file: each file connects to it (suiteBrowser) and opens its own
 * contexts and pages.
 */
export async function setup(project: TestProject): Promise<void> {
  const [served, server] = await Promise.allSettled([buildAndServe(), launchChromiumServer()]);
  app = served.status === 'fulfilled' ? served.value : undefined;
  chromium = server.status === 'fulfilled' ? server.value : undefined;
  for (const started of [served, server]) {
    if (started.status === 'rejected') {
      await teardown();
      throw started.reason;
    }
  }
  project.provide('baseURL', app!.url);
  project.provide('chromiumWsEndpoint', chromium!.wsEndpoint());
}

export async function teardown(): Promise<void> {
  await chromium?.close();
  await app?.close();
}
