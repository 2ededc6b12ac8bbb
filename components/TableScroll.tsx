import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

/** Which edges of a scrolling box hide content. */
interface Hidden {
  /** Content hidden on the left (scrolled away from the start). */
  before: boolean;
  /** Content hidden on the right. */
  after: boolean;
}

const NONE: Hidden = { before: false, after: false };

/** What a box hides at each side; a pixel of slack absorbs sub-pixel rounding. */
export function hiddenEdges(box: {
  scrollLeft: number;
  scrollWidth: number;
  clientWidth: number;
}): Hidden {
  const overflow = box.scrollWidth - box.clientWidth;
  if (overflow <= 1) return NONE;
  return { before: box.scrollLeft > 1, after: box.scrollLeft < overflow - 1 };
}

/**
 * The one wrapper for a table (or any wide figure) that may be wider than a phone: it scrolls
 * sideways, and while it holds more than it shows it says so — a shadow on each side that hides
 * columns and a line "Scroll sideways for more →" under it — and it becomes a keyboard-focusable
 * named region, so the hidden columns are reachable without a pointer. Styles: app/styles.css.
 */
export function TableScroll({
  label,
  children,
  className,
}: {
  /** What the table shows (the region's accessible name while it scrolls). */
  label: string;
  children: ReactNode;
  className?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [hidden, setHidden] = useState<Hidden>(NONE);
  const measure = useCallback(() => {
    const box = ref.current;
    if (!box) return;
    const next = hiddenEdges(box);
    setHidden((old) => (old.before === next.before && old.after === next.after ? old : next));
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

  const scrolls = hidden.before || hidden.after;
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
        // Only a box that scrolls is a stop on the keyboard's path (arrow keys then scroll it).
        tabIndex={scrolls ? 0 : undefined}
        role={scrolls ? 'region' : undefined}
        aria-label={scrolls ? `${label}, scrolls sideways` : undefined}
      >
        {children}
      </div>
      {scrolls && (
        <p className="table-scroll-cue" aria-hidden="true">
          {hidden.after ? 'Scroll sideways for more →' : '← Scroll back for the first columns'}
        </p>
      )}
    </div>
  );
}
