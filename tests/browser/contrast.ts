import type { Page } from 'playwright-core';

/** One piece of text drawn with too little contrast against what is behind it. */
export interface LowContrast {
  text: string;
  ratio: number;
  color: string;
  background: string;
}

/**
 * Every piece of HTML text shown on the page whose colour has a WCAG contrast ratio below 4.5:1
 * against its background (3:1 for large text: ≥ 24 px, or ≥ 18.67 px bold). The background is
 * the element's own and its ancestors' background colours composited (the page is opaque at the
 * root). Text in disabled controls (WCAG exempts it) and SVG text (drawn with `fill`, checked
 * where it matters, e.g. the explorer's speedup curve) are left out.
 */
export async function lowContrastText(page: Page): Promise<LowContrast[]> {
  // tsx (esbuild keepNames) wraps named functions in __name(); give the page a no-op one.
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const cache = new Map<string, number[]>();
    /** Any CSS colour as [r, g, b] in 0–255 and alpha in 0–1, as the browser paints it. */
    const rgba = (css: string): number[] => {
      let c = cache.get(css);
      if (!c) {
        ctx.clearRect(0, 0, 1, 1);
        ctx.fillStyle = '#000';
        ctx.fillStyle = css;
        ctx.fillRect(0, 0, 1, 1);
        const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
        c = [r, g, b, a / 255];
        cache.set(css, c);
      }
      return c;
    };
    /** `top` painted over the opaque `under`. */
    const over = (top: number[], under: number[]) =>
      [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
    const background = (el: Element | null): number[] => {
      const layers: number[][] = [];
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      let bg = [255, 255, 255, 1];
      for (const layer of layers.reverse()) bg = over(layer, bg);
      return bg;
    };
    const luminance = (c: number[]) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const seen = new Set<Element>();
    const out: { text: string; ratio: number; color: string; background: string }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent?.trim()) continue;
      seen.add(el);
      if (
        el.closest(
          'svg, script, style, :is(button, select, textarea):disabled, [aria-disabled="true"]',
        )
      )
        continue;
      const style = getComputedStyle(el);
      if (style.visibility !== 'visible' || el.getClientRects().length === 0) continue;
      const bg = background(el);
      const fg = over(rgba(style.color), bg);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        out.push({
          text: n.textContent.trim().slice(0, 60),
          ratio: Math.round(ratio * 100) / 100,
          color: style.color,
          background: `rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`,
        });
    }
    return out;
  });
}
