/**
 * A static check for regular expressions that backtrack catastrophically, run on a tokenizer's
 * patterns before any text meets them (a tokenizer.json is input like any other: `(a+)+$` in a
 * Split pre-tokenizer takes exponential time in the length of the text).
 *
 * JavaScript's matcher backtracks: on a failing input it tries every way the pattern can match
 * a prefix. That number grows exponentially exactly when the pattern's automaton is
 * exponentially ambiguous: some state p has two different paths p → p reading the same word
 * (e.g. `(a+)+` reads "a" by looping in the inner or in the outer `+`; `(a|a)+` by either
 * branch). We build the position automaton (each character atom a state) keeping the number
 * of ways a quantifier's loop links two positions, and look for that criterion in the product
 * automaton: a strongly connected component holding a pair (p, p) and either a pair (q, r) with
 * q ≠ r or a doubled edge. Polynomial ambiguity is measured too: loops chained so that each
 * can hand the same text to the next (`\s*\s*\s*x`) cost about n^(k+1) on a failing match for
 * a chain of k steps; a chain of one (`\s*[\r\n]+` in Llama 3's pattern) passes, as the real
 * tokenizers need it to, longer chains are refused.
 *
 * Character classes are compared on a sample of code points (all of U+0000–U+07FF and a spread
 * over the rest of Unicode), so two classes count as overlapping when a sampled character is in
 * both. Anchors and lookarounds are zero-width here; a lookaround's own body is checked as a
 * pattern of its own.
 */

import { Parser, type Node } from './regexParse';

/** Quantifier counts past this are treated as unbounded (the analysis over-approximates). */
const UNROLL_LIMIT = 16;
/** Patterns larger than this are refused as too complex to check. */
const MAX_POSITIONS = 4000;
const MAX_PRODUCT_STATES = 400_000;

/** Counts of paths, capped at 2 (only "one" or "more than one" matters). */
type Counts = Map<number, number>;
const cap = (n: number) => Math.min(n, 2);

function addInto(into: Counts, from: Counts, times = 1): void {
  if (times === 0) return;
  for (const [p, c] of from) into.set(p, cap((into.get(p) ?? 0) + c * times));
}

interface Fragment {
  nullable: number;
  first: Counts;
  last: Counts;
}

class Automaton {
  readonly classes: string[] = [];
  readonly follow: Counts[] = [];

  private link(last: Counts, first: Counts): void {
    for (const [p, c] of last) addInto(this.follow[p], first, c);
  }

  build(node: Node): Fragment {
    switch (node.k) {
      case 'empty':
        return { nullable: 1, first: new Map(), last: new Map() };
      case 'atom': {
        const p = this.classes.length;
        if (p >= MAX_POSITIONS) throw new TooComplex();
        this.classes.push(node.cls);
        this.follow.push(new Map());
        return { nullable: 0, first: new Map([[p, 1]]), last: new Map([[p, 1]]) };
      }
      case 'alt': {
        const out: Fragment = { nullable: 0, first: new Map(), last: new Map() };
        for (const item of node.items) {
          const f = this.build(item);
          out.nullable = cap(out.nullable + f.nullable);
          addInto(out.first, f.first);
          addInto(out.last, f.last);
        }
        return out;
      }
      case 'seq':
        return node.items.reduce<Fragment>((acc, item) => this.concat(acc, this.build(item)), {
          nullable: 1,
          first: new Map(),
          last: new Map(),
        });
      case 'rep':
        return this.repeat(node.body, node.min, node.max);
    }
  }

  private concat(a: Fragment, b: Fragment): Fragment {
    this.link(a.last, b.first);
    const first = new Map(a.first);
    addInto(first, b.first, a.nullable);
    const last = new Map(b.last);
    addInto(last, a.last, b.nullable);
    return { nullable: cap(a.nullable * b.nullable), first, last };
  }

  /** body{min,max}: min copies, then a loop (max unbounded) or nested optional copies. */
  private repeat(body: Node, min: number, max: number): Fragment {
    if (max > UNROLL_LIMIT) max = Infinity;
    min = Math.min(min, UNROLL_LIMIT);
    let out: Fragment = { nullable: 1, first: new Map(), last: new Map() };
    const fixed = max === Infinity ? Math.max(min - 1, 0) : min;
    for (let j = 0; j < fixed; j++) out = this.concat(out, this.build(body));
    if (max === Infinity) {
      const f = this.build(body);
      this.link(f.last, f.first); // the loop back
      out = this.concat(out, { ...f, nullable: min === 0 ? 1 : f.nullable });
    } else if (max > min) {
      out = this.concat(out, this.optionalChain(body, max - min));
    }
    return out;
  }

  /** (body(body(…)?)?)? with `depth` copies: each count of repetitions one way. */
  private optionalChain(body: Node, depth: number): Fragment {
    const f = this.build(body);
    const rest = depth > 1 ? this.concat(f, this.optionalChain(body, depth - 1)) : f;
    return { ...rest, nullable: cap(rest.nullable + 1) };
  }
}

class TooComplex extends Error {}

let sample: string[] | undefined;
/** Code points on which character classes are compared. */
function sampleChars(): string[] {
  if (sample) return sample;
  const cps: number[] = [];
  for (let c = 0; c < 0x800; c++) cps.push(c);
  for (let c = 0x800; c < 0x110000; c += 127) if (c < 0xd800 || c > 0xdfff) cps.push(c);
  const specials = [
    0x1680, 0x180e, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
    0x200a, 0x200b, 0x200c, 0x200d, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff, 0x2014, 0x201c,
    0x20ac, 0x2160, 0x3042, 0x30a2, 0x4e00, 0xac00, 0x0915, 0x0969, 0x0e01, 0x1f600, 0xe000, 0xfffd,
    0x10000,
  ];
  sample = [...new Set([...cps, ...specials])].map((c) => String.fromCodePoint(c));
  return sample;
}

const memberCache = new Map<string, Uint8Array>();
function members(cls: string): Uint8Array {
  let bits = memberCache.get(cls);
  if (bits) return bits;
  const chars = sampleChars();
  bits = new Uint8Array(chars.length);
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${cls})$`, 'u');
  } catch {
    re = /^[\s\S]$/u; // unknown to us: assume it can be anything
  }
  for (let i = 0; i < chars.length; i++) bits[i] = re.test(chars[i]) ? 1 : 0;
  memberCache.set(cls, bits);
  return bits;
}

function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] & b[i]) return true;
  return false;
}

/**
 * The position automaton's ambiguity: 'exponential' (see the file comment), or the length of
 * the longest chain of loops p₁ → p₂ → … where each loop can hand the same text to the next
 * (a pair (p, q) with (p, p) ⇝ (p, q) ⇝ (q, q) in the product, both on cycles): a chain of k
 * such steps lets a failing match try about n^(k+1) ways. `\s*[\r\n]+` (Llama 3) is 1.
 */
function ambiguity(auto: Automaton): 'exponential' | number {
  const n = auto.classes.length;
  const sets = auto.classes.map(members);
  const ov = (p: number, q: number) => p === q || overlaps(sets[p], sets[q]);
  const follow = auto.follow.map((m) => [...m]);
  // Product states reachable from the diagonal; ids p·n + q.
  const index = new Map<number, number>();
  const states: number[] = [];
  const add = (s: number) => {
    if (index.has(s)) return;
    if (states.length >= MAX_PRODUCT_STATES) throw new TooComplex();
    index.set(s, states.length);
    states.push(s);
  };
  for (let p = 0; p < n; p++) add(p * n + p);
  const edges: number[][] = [];
  const doubled: boolean[][] = [];
  for (let k = 0; k < states.length; k++) {
    const p1 = Math.floor(states[k] / n);
    const p2 = states[k] % n;
    const out: number[] = [];
    const dbl: boolean[] = [];
    for (const [q1, c1] of follow[p1])
      for (const [q2] of follow[p2]) {
        if (!ov(q1, q2)) continue;
        const s = q1 * n + q2;
        add(s);
        out.push(index.get(s) as number);
        dbl.push(p1 === p2 && q1 === q2 && c1 >= 2);
      }
    edges.push(out);
    doubled.push(dbl);
  }
  const comp = stronglyConnected(edges);
  const diag = new Set<number>();
  const offDiag = new Set<number>();
  states.forEach((s, k) => (Math.floor(s / n) === s % n ? diag : offDiag).add(comp[k]));
  for (const c of diag) if (offDiag.has(c)) return 'exponential';
  for (let k = 0; k < states.length; k++)
    for (let e = 0; e < edges[k].length; e++)
      if (doubled[k][e] && comp[edges[k][e]] === comp[k]) return 'exponential';
  return longestLoopChain(n, states, edges, comp);
}

function reachable(from: number, edges: readonly number[][]): Uint8Array {
  const seen = new Uint8Array(edges.length);
  const stack = [from];
  seen[from] = 1;
  while (stack.length > 0)
    for (const w of edges[stack.pop() as number])
      if (!seen[w]) {
        seen[w] = 1;
        stack.push(w);
      }
  return seen;
}

function longestLoopChain(
  n: number,
  states: readonly number[],
  edges: readonly number[][],
  comp: Int32Array,
): number {
  const size = new Map<number, number>();
  for (const c of comp) size.set(c, (size.get(c) ?? 0) + 1);
  const diagonal = new Map<number, number>(); // position → its product state
  states.forEach((s, k) => {
    const p = Math.floor(s / n);
    const onCycle = (size.get(comp[k]) as number) > 1 || edges[k].includes(k);
    if (p === s % n && onCycle) diagonal.set(p, k);
  });
  if (diagonal.size < 2) return 0;
  const reverse: number[][] = edges.map(() => []);
  edges.forEach((out, k) => out.forEach((w) => reverse[w].push(k)));
  const from = new Map([...diagonal].map(([p, k]) => [p, reachable(k, edges)]));
  const to = new Map([...diagonal].map(([q, k]) => [q, reachable(k, reverse)]));
  const next = new Map<number, number[]>();
  states.forEach((s, k) => {
    const p = Math.floor(s / n);
    const q = s % n;
    if (p !== q && from.get(p)?.[k] && to.get(q)?.[k]) next.set(p, [...(next.get(p) ?? []), q]);
  });
  // The pairs form a DAG (a cycle would have been exponential); longest path by memo.
  const memo = new Map<number, number>();
  const longest = (p: number): number => {
    const known = memo.get(p);
    if (known !== undefined) return known;
    memo.set(p, 0);
    const best = Math.max(0, ...(next.get(p) ?? []).map((q) => 1 + longest(q)));
    memo.set(p, best);
    return best;
  };
  return Math.max(0, ...[...diagonal.keys()].map(longest));
}

/** Loops chained this many times (n^3 ways and more) are refused; real patterns chain ≤ 1. */
const MAX_LOOP_CHAIN = 1;

/** Tarjan's algorithm, iterative; returns the component id of each node. */
function stronglyConnected(edges: readonly number[][]): Int32Array {
  const n = edges.length;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const onStack = new Uint8Array(n);
  let counter = 0;
  let comps = 0;
  for (let root = 0; root < n; root++) {
    if (order[root] >= 0) continue;
    const work: [number, number][] = [[root, 0]];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1];
      const [v, i] = top;
      if (i < edges[v].length) {
        top[1]++;
        const w = edges[v][i];
        if (order[w] < 0) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v], order[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const u = work[work.length - 1][0];
        low[u] = Math.min(low[u], low[v]);
      }
      if (low[v] === order[v]) {
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          comp[w] = comps;
        } while (w !== v);
        comps++;
      }
    }
  }
  return comp;
}

/**
 * Why a JavaScript regular expression (its source, flag u) would backtrack catastrophically,
 * or undefined when it will not. Nested or overlapping unbounded repetition, e.g. `(a+)+`,
 * `(a*)*`, `(a|a)+`, `(\w+\s?)+`, is refused; the GPT-2 and Llama pre-tokenizer patterns pass.
 */
export function catastrophicBacktracking(source: string): string | undefined {
  const parser = new Parser(source);
  let root: Node;
  try {
    root = parser.parse();
  } catch (error) {
    return `it could not be analysed (${error instanceof Error ? error.message : String(error)})`;
  }
  try {
    for (const node of [root, ...parser.lookarounds]) {
      const auto = new Automaton();
      auto.build(node);
      const found = ambiguity(auto);
      if (found === 'exponential')
        return (
          'it nests or overlaps unbounded repetitions, so matching can take time exponential in ' +
          'the length of the text (catastrophic backtracking)'
        );
      if (found > MAX_LOOP_CHAIN)
        return (
          `it chains ${found + 1} repetitions that can match the same text, so a failing match ` +
          `can take time growing as the length of the text to the power ${found + 1} ` +
          '(catastrophic backtracking)'
        );
    }
  } catch (error) {
    if (error instanceof TooComplex)
      return 'it is too large to check for catastrophic backtracking';
    throw error;
  }
  return undefined;
}
