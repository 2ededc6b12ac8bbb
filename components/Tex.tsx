import { useMemo } from 'react';
import katex from 'katex';
import 'katex/dist/katex.min.css';

export interface TexProps {
  /** LaTeX source; symbols follow the paper (W_K, W_{KV}, d_k, …). */
  children: string;
  /** Display (block) mode instead of inline. */
  block?: boolean;
  className?: string;
}

/**
 * An equation rendered by KaTeX. KaTeX also emits MathML, so screen readers read the formula;
 * a malformed formula is shown as red source text instead of throwing.
 */
export function Tex({ children, block = false, className }: TexProps) {
  const html = useMemo(
    () =>
      katex.renderToString(children, {
        displayMode: block,
        throwOnError: false,
        output: 'htmlAndMathml',
      }),
    [children, block],
  );
  const Tag = block ? 'div' : 'span';
  return (
    <Tag
      className={className ? `tex ${className}` : 'tex'}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
