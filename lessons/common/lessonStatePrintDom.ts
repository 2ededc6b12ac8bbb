/**
 * A printed page cannot be touched: before printing, each slider, select and text area gets its
 * current value written beside it (the control itself is hidden by app/print.css), and each link
 * its full address (shown after it by print.css). Plain DOM, added for the printout and removed
 * after it: these nodes sit beside React's own, which never reads them.
 */

/** Marks a control that prints as its value (print.css hides it). */
export const PRINTS_AS_VALUE_ATTR = 'data-prints-as-value';
/** Class of the text that stands for a control on paper. */
export const PRINT_VALUE_CLASS = 'print-value';
/** A link's address as printed (print.css writes it after the link). */
export const PRINT_HREF_ATTR = 'data-print-href';

/** The value a control shows, as text. */
export function controlValueText(el: HTMLElement): string {
  if (el instanceof HTMLSelectElement)
    return Array.from(el.selectedOptions, (o) => o.text.trim()).join(', ');
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)
    return el.getAttribute('aria-valuetext') ?? el.value;
  return el.textContent ?? '';
}

/** True when a slider already shows its value beside it (components/Slider's <output>). */
function showsItsValue(el: HTMLElement): boolean {
  const outputs = el.parentElement?.querySelectorAll('output[for]') ?? [];
  return (
    !!el.id && Array.from(outputs).some((o) => o.getAttribute('for')?.split(/\s+/).includes(el.id))
  );
}

/**
 * Writes every slider, select and text area under `root` out as its value and every link's
 * full address into an attribute; returns the function that undoes it.
 */
export function decoratePrint(root: Element): () => void {
  const added: Element[] = [];
  const marked: Element[] = [];
  const controls = root.querySelectorAll<HTMLElement>('input[type="range"], select, textarea');
  for (const el of controls) {
    el.setAttribute(PRINTS_AS_VALUE_ATTR, '');
    marked.push(el);
    if (el instanceof HTMLInputElement && showsItsValue(el)) continue;
    const text = document.createElement(el instanceof HTMLTextAreaElement ? 'div' : 'span');
    text.className = PRINT_VALUE_CLASS;
    text.textContent = controlValueText(el);
    el.after(text);
    added.push(text);
  }
  for (const a of root.querySelectorAll<HTMLAnchorElement>('a[href]')) {
    const href = a.getAttribute('href') ?? '';
    if (href.startsWith('#') || href.startsWith('mailto:')) continue;
    // The address as a reader types it: the page's own host for the app's links.
    if (a.textContent?.trim() === a.href) continue;
    a.setAttribute(PRINT_HREF_ATTR, a.href);
    marked.push(a);
  }
  return () => {
    for (const el of added) el.remove();
    for (const el of marked) {
      el.removeAttribute(PRINTS_AS_VALUE_ATTR);
      el.removeAttribute(PRINT_HREF_ATTR);
    }
  };
}
