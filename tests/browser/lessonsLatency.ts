import type { Page } from 'playwright-core';

/** What one edit measurement watches: the cell to step and the elements that must follow it. */
export interface EditProbe {
  /** aria-label of the MatrixEditor cell, e.g. "W_K row 2 column 3". */
  cell: string;
  /** CSS selectors of elements whose text must change after every edit (all of them). */
  watch: readonly string[];
  edits: number;
  /**
   * How the page settles between edits, as a reader's pause would let it: 'timer' (default, the
   * benchmark's reader) waits 50 ms; 'frames' waits for two animation frames (a paint, then the
   * work it scheduled), no fixed sleep, for the smoke test.
   */
  settle?: 'timer' | 'frames';
}

export interface EditTiming {
  /** ms from the keydown event to the moment every watched element shows new text. */
  dom: number;
  /** ms from the keydown event to the next animation frame after that update (≈ paint). */
  frame: number;
}

/**
 * Steps one matrix cell up and down with the keyboard (ArrowUp / ArrowDown, as a reader would)
 * and times each edit until everything it drives has been updated in the DOM. Used by
 * bench/lessons-bench.ts and, as a smoke check, by tests/browser/lessons.test.ts.
 */
export async function measureEdits(page: Page, probe: EditProbe): Promise<EditTiming[]> {
  // tsx (esbuild keepNames) wraps named functions in __name(); give the page a no-op one.
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
  return page.evaluate(async ({ cell, watch, edits, settle }) => {
    const input = document.querySelector<HTMLInputElement>(`input[aria-label="${cell}"]`);
    if (!input) throw new Error(`no matrix cell "${cell}"`);
    const texts = () =>
      watch.map((sel) => {
        const el = document.querySelector(sel);
        if (!el) throw new Error(`nothing matches ${sel}`);
        return el.textContent ?? '';
      });
    const out: { dom: number; frame: number }[] = [];
    for (let k = 0; k < edits; k++) {
      const before = texts();
      const updated = new Promise<number>((resolve, reject) => {
        const observer = new MutationObserver(() => {
          const now = texts();
          if (now.every((t, i) => t !== before[i])) {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(document.body, { childList: true, characterData: true, subtree: true });
        setTimeout(() => {
          observer.disconnect();
          reject(new Error(`edit ${k}: not every watched element changed within 5 s`));
        }, 5000);
      });
      input.focus();
      const t0 = performance.now();
      input.dispatchEvent(
        new KeyboardEvent('keydown', { key: k % 2 ? 'ArrowDown' : 'ArrowUp', bubbles: true }),
      );
      const t1 = await updated;
      const t2 = await new Promise<number>((r) =>
        requestAnimationFrame(() => r(performance.now())),
      );
      out.push({ dom: t1 - t0, frame: t2 - t0 });
      // Let the page settle (paint, deferred work) before the next edit, as a reader would.
      if (settle === 'frames')
        for (let f = 0; f < 2; f++) await new Promise((r) => requestAnimationFrame(r));
      else await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  }, probe);
}
