import { afterEach, vi } from 'vitest';
import { cleanup } from '@testing-library/react';

afterEach(() => cleanup());

// KaTeX is slow in jsdom: formulas render through a light stand-in (tests/components/texStandIn)
// showing their LaTeX source. A test about KaTeX's own output calls
// vi.unmock('../../components/Tex') (mathml-style.test.tsx).
vi.mock('../../components/Tex', () => import('./texStandIn'));

// jsdom gives MathML elements no inline style object, and its getComputedStyle then throws
// "Array.prototype.forEach called on null or undefined". KaTeX writes a MathML copy of every
// formula (<Tex>), and Testing Library reads the computed style of every element when a role
// query fails (to list the roles it found), so that TypeError would replace the real failure
// message. A MathML element gets the computed style of its nearest non-MathML ancestor instead
// (KaTeX's .katex-mathml span): shown or hidden with it, as in a browser.
const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';
const jsdomComputedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element, pseudo?: string | null) => {
  let host: Element = element;
  while (host.namespaceURI === MATHML_NS && host.parentElement) host = host.parentElement;
  return jsdomComputedStyle(host, pseudo);
};

// Lesson bodies are loaded on demand in the app: each test file loads the lessons it renders
// (preloadLessons in lessonKit.tsx).
