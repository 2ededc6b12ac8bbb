/**
 * A parser for the JavaScript regular expressions (flag u) that a tokenizer's patterns compile
 * to, into the small tree regexSafety.ts analyses: character atoms (a class's source text),
 * sequences, alternatives and repetitions; anchors and lookarounds are zero-width, and each
 * lookaround's body is kept to be checked as a pattern of its own.
 */

export type Node =
  | { k: 'atom'; cls: string }
  | { k: 'empty' }
  | { k: 'seq'; items: Node[] }
  | { k: 'alt'; items: Node[] }
  | { k: 'rep'; min: number; max: number; body: Node };

const ANY = '[\\s\\S]';

export class Parser {
  private i = 0;
  readonly lookarounds: Node[] = [];
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alt();
    if (this.i < this.src.length) throw new Error(`unexpected "${this.src[this.i]}"`);
    return node;
  }

  private peek(): string {
    return this.src[this.i] ?? '';
  }

  private alt(): Node {
    const items = [this.seq()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.seq());
    }
    return items.length === 1 ? items[0] : { k: 'alt', items };
  }

  private seq(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      let node = this.term();
      for (;;) {
        const q = this.quantifier();
        if (!q) break;
        node = { k: 'rep', min: q[0], max: q[1], body: node };
      }
      items.push(node);
    }
    return items.length === 1 ? items[0] : { k: 'seq', items };
  }

  private quantifier(): [number, number] | undefined {
    const c = this.peek();
    let q: [number, number] | undefined;
    if (c === '*') q = [0, Infinity];
    else if (c === '+') q = [1, Infinity];
    else if (c === '?') q = [0, 1];
    if (q) this.i++;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return undefined;
      const min = Number(m[1]);
      q = [min, m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])];
      this.i += m[0].length;
    } else return undefined;
    if (this.peek() === '?') this.i++; // lazy: the same paths, tried in another order
    return q;
  }

  private term(): Node {
    const start = this.i;
    const c = this.peek();
    if (c === '(') {
      const prefix = /^\((\?(:|=|!|<=|<!|<[A-Za-z_$][\w$]*>))?/.exec(this.src.slice(this.i));
      const kind = prefix?.[2];
      this.i += (prefix as RegExpExecArray)[0].length;
      const body = this.alt();
      if (this.peek() !== ')') throw new Error('unclosed group');
      this.i++;
      if (kind === '=' || kind === '!' || kind === '<=' || kind === '<!') {
        this.lookarounds.push(body);
        return { k: 'empty' };
      }
      return body;
    }
    if (c === '[') {
      this.i++;
      if (this.peek() === '^') this.i++;
      if (this.peek() === ']') this.i++;
      while (this.i < this.src.length && this.peek() !== ']')
        this.i += this.peek() === '\\' ? 2 : 1;
      if (this.peek() !== ']') throw new Error('unclosed character class');
      this.i++;
      return { k: 'atom', cls: this.src.slice(start, this.i) };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { k: 'empty' };
    }
    if (c === '\\') {
      const rest = this.src.slice(this.i);
      const m =
        /^\\[pP]\{[^}]*\}|^\\u\{[0-9a-fA-F]+\}|^\\u[0-9a-fA-F]{4}|^\\x[0-9a-fA-F]{2}|^\\c[A-Za-z]|^\\k<[^>]*>|^\\[1-9]\d*|^\\./su.exec(
          rest,
        );
      const text = m ? m[0] : rest;
      this.i += text.length;
      if (text === '\\b' || text === '\\B') return { k: 'empty' };
      // A backreference repeats an earlier group; taken as any one character.
      if (/^\\(k<|[1-9])/.test(text)) return { k: 'atom', cls: ANY };
      return { k: 'atom', cls: text };
    }
    const cp = this.src.codePointAt(this.i) as number;
    this.i += cp > 0xffff ? 2 : 1;
    return { k: 'atom', cls: c === '.' ? '.' : this.src.slice(start, this.i) };
  }
}
