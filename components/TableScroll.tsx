import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

/** Which edges of a scrolling box hide content. */
interface Hidden {
  /** Content hidden on the left (scrolled away from the start). */
  before: boolean;
  /** Content hidden on the right. */
  after: boolean;
  /** Content hidden below (a box with a maximum height). */
  below: boolean;
}

const NONE: Hidden = { before: false, after: false, below: false };
const same = (a: Hidden, b: Hidden) =>
  a.before === b.before && a.after === b.after && a.below === b.below;

/** What a box hides at each side; a pixel of slack absorbs sub-pixel rounding. */
export function hiddenEdges(box: {
  scrollLeft: number;
  scrollWidth: number;
  clientWidth: number;
  scrollTop?: number;
  scrollHeight?: number;
  clientHeight?: number;
}): Hidden {
  const wide = box.scrollWidth - box.clientWidth;
  const tall = (box.scrollHeight ?? 0) - (box.clientHeight ?? 0);
  return {
    before: wide > 1 && box.scrollLeft > 1,
    after: wide > 1 && box.scrollLeft < wide - 1,
    below: tall > 1 && (box.scrollTop ?? 0) < tall - 1,
  };
}

/**
 * The one wrapper for a table (or any wide figure) that may be wider than a phone: it scrolls
 * sideways (and down, given a maxHeight), and while it holds more than it shows it says so — a
 * shadow on each side that hides columns and a line "Scroll sideways for more →" under it — and
 * it becomes a keyboard-focusable named region, so what is hidden is reachable without a
 * pointer. Styles: app/styles.css.
 */
export function TableScroll({
  label,
  children,
  className,
  maxHeight,
}: {
  /** What the table shows (the region's accessible name while it scrolls). */
  label: string;
  children: ReactNode;
  className?: string;
  /** A CSS length: a taller table scrolls down inside the box as well. */
  maxHeight?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [hidden, setHidden] = useState<Hidden>(NONE);
  const measure = useCallback(() => {
    const box = ref.current;
    if (!box) return;
    const next = hiddenEdges(box);
    setHidden((old) => (same(old, next) ? old : next));
  }, []);
  useEffect(() => {
    const box = ref.current;
    measure();
    if (!box || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(box);
    if (box.firstElementChild) observer.observe(box.firstElementChild);
    return () => observer.disconnect();
  }, [measure]);

  const scrolls = hidden.before || hidden.after || hidden.below;
  const cue = hidden.after
    ? 'Scroll sideways for more →'
    : hidden.before
      ? '← Scroll back for the first columns'
      : 'Scroll down for more ↓';
  return (
    <div
      className={className ? `table-scroll-frame ${className}` : 'table-scroll-frame'}
      data-hidden-before={hidden.before || undefined}
      data-hidden-after={hidden.after || undefined}
    >
      <div
        ref={ref}
        className="table-scroll"
        onScroll={measure}
        style={maxHeight ? { maxHeight, overflowY: 'auto' } : undefined}
        // Only a box that scrolls is a stop on the keyboard's path (arrow keys then scroll it).
        tabIndex={scrolls ? 0 : undefined}
        role={scrolls ? 'region' : undefined}
        aria-label={scrolls ? `${label}, scrolls` : undefined}
      >
        {children}
      </div>
      {scrolls && (
        <p className="table-scroll-cue" aria-hidden="true">
          {cue}
        </p>
      )}
    </div>
  );
}
