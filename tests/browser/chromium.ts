import { existsSync, mkdirSync } from 'node:fs';
import {
  chromium,
  type Browser,
  type BrowserServer,
  type ConsoleMessage,
  type Locator,
  type Page,
} from 'playwright-core';

/** The system Chromium, never a downloaded one; WebGL2 via SwiftShader. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function findChromium(): string {
  const candidates = [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(`No Chromium found; set CHROME_PATH (tried ${candidates.join(', ')})`);
  return found;
}

/** A Chromium of its own (the benchmarks use one). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
}

/**
 * The one Chromium of a browser test run: started by the global setup, which provides its
 * address (wsEndpoint) to every test file; each file connects to it (suiteBrowser).
 */
export async function launchChromiumServer(): Promise<BrowserServer> {
  return chromium.launchServer({
    executablePath: findChromium(),
    args: CHROMIUM_FLAGS,
    headless: true,
  });
}

/** A page that records console errors and uncaught exceptions for later assertion. */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  return { page, errors };
}

export const SCREENSHOT_DIR = 'tests/browser/screenshots';

/** Screenshots are taken only when asked for: `SCREENSHOTS=1 npm run test:browser`. */
export const SCREENSHOTS = !!process.env.SCREENSHOTS && process.env.SCREENSHOTS !== '0';

/**
 * Saves a picture of the whole page (of the window with fullPage: false, or of one element) as
 * SCREENSHOT_DIR/name.png, to look at; no test compares it. Does nothing unless the SCREENSHOTS environment variable is set.
 */
export async function screenshot(
  target: Page | Locator,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}/${name}.png`;
  if ('goto' in target) await target.screenshot({ path, fullPage: options.fullPage ?? true });
  else await target.screenshot({ path });
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };
