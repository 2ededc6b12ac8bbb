/**
 * The paper numbers its alternatives “option 1” and “option 2” separately in §2, §3 and §4, so
 * the app writes an option number only as the paper's reference beside a scheme's name:
 * “(paper §x, option N)”, or inside such a bracket, “(E-cache, paper §4, option 2)”.
 */

/** Each “option N” (or “options N”) in `text` not written that way, with some context. */
export function bareOptions(raw: string): string[] {
  const text = raw.replace(/\s+/g, ' ');
  return [...text.matchAll(/\boptions?\s\d/gi)]
    .filter((m) => {
      const before = text.slice(0, m.index);
      const open = before.lastIndexOf('(');
      const bracketed = open >= 0 && !before.slice(open).includes(')');
      const closes = text[m.index + m[0].length] === ')';
      return !(bracketed && closes && /paper §\d, $/.test(before) && m[0].startsWith('option '));
    })
    .map((m) => text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 3));
}
