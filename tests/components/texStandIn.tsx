import type { TexProps } from '../../components/Tex';

/**
 * A light stand-in for components/Tex in component tests (tests/components/setup.ts mocks the
 * module with this one): KaTeX takes much of a lesson's render time in jsdom. The same tag and
 * class as the real <Tex>, holding an element of role math (where KaTeX puts its MathML) whose
 * text is the LaTeX source. KaTeX's MathML carries the source too (its annotation), so the text
 * and accessible names that tests read still contain it, e.g. a choice labelled /b_K/. No
 * aria-label: getByLabelText would find the formula itself beside the control it labels.
 * Tests about KaTeX's own output opt out with `vi.unmock('../../components/Tex')`.
 */
export function Tex({ children, block = false, className }: TexProps) {
  const Tag = block ? 'div' : 'span';
  return (
    <Tag className={className ? `tex ${className}` : 'tex'}>
      <span role="math">{children}</span>
    </Tag>
  );
}
