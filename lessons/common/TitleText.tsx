import { Fragment } from 'react';
import { Tex } from '../../components/Tex';

/** A matrix name written plainly in a title or label: W_K, W_KV, W_V, W_Q, W_O, W_VK (and W_K*). */
const MATRIX_NAME = /W_([A-Z]{1,2})(\*?)/g;

/**
 * A title or short label with its matrix names typeset (W_K as W with subscript K, as the
 * lesson bodies write them with <Tex>); the rest of the text stays plain. For headings, list
 * items and table cells, where a whole <Tex> formula would be too much. `named` for a link or
 * heading: its accessible name is then the text in words.
 */
export function TitleText({ text, named = false }: { text: string; named?: boolean }) {
  const parts: (string | { tex: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(MATRIX_NAME)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    const sub = m[1].length > 1 ? `{${m[1]}}` : m[1];
    parts.push({ tex: `W_${sub}${m[2] ? '^*' : ''}` });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  const shown = parts.map((p, i) =>
    typeof p === 'string' ? <Fragment key={i}>{p}</Fragment> : <Tex key={i}>{p.tex}</Tex>,
  );
  // `named`: a link or heading takes its name from this text, and browsers leave a typeset
  // formula out of a name. The text in words is then read instead of the typeset copy (an
  // aria-label would not match the visible text, WCAG 2.5.3).
  if (!named || parts.every((p) => typeof p === 'string')) return <>{shown}</>;
  return (
    <>
      <span aria-hidden="true">{shown}</span>
      <span className="visually-hidden">{text}</span>
    </>
  );
}
