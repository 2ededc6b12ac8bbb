/**
 * tokenizer.json checked as hostile input before `@huggingface/tokenizers` builds or runs it:
 * token ids must be non-negative integers, the model's vocabulary and merges and every
 * component's shape must be what the package reads (so no raw "x.split is not a function"
 * escapes), and no regular expression may backtrack catastrophically (regexSafety.ts). Every
 * problem is a ModelLoadError naming the file and the entry, e.g.
 * `tokenizer.json: pre_tokenizer.pretokenizers[0].pattern.Regex "(a+)+$" …`.
 */
import { SplitPreTokenizer } from '@huggingface/tokenizers';
import { ModelLoadError } from './load';
import { catastrophicBacktracking } from './regexSafety';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

const isId = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v < 2 ** 31;

/** The JavaScript RegExp the package compiles a tokenizer.json `Regex` into. */
function compiledPattern(regex: string): RegExp | null {
  const split = new SplitPreTokenizer({
    type: 'Split',
    pattern: { Regex: regex },
    behavior: 'Isolated',
    invert: false,
  } as ConstructorParameters<typeof SplitPreTokenizer>[0]);
  const pattern = (split as unknown as { pattern?: unknown }).pattern;
  return pattern instanceof RegExp ? pattern : null;
}

/** The components that may hold patterns, and the keys of their sub-lists. */
const COMPONENTS = ['normalizer', 'pre_tokenizer', 'decoder', 'post_processor'] as const;
const LISTS = ['normalizers', 'pretokenizers', 'decoders', 'processors'];

/**
 * Checks a tokenizer.json document; throws ModelLoadError(file, …) naming the entry at fault.
 * Runs before the tokenizer is built, in the CLI and in the Playground's worker alike.
 */
export function checkTokenizerJson(json: unknown, file = 'tokenizer.json'): void {
  const fail = (problem: string): never => {
    throw new ModelLoadError(file, problem);
  };
  if (!isObject(json) || !isObject(json['model']))
    return fail('has no "model" object; it is not a tokenizer.');
  checkModel(json['model'], fail);
  const added = json['added_tokens'];
  if (added !== undefined && added !== null) {
    if (!Array.isArray(added)) fail(`"added_tokens" must be a list, not ${show(added)}.`);
    for (const [i, t] of (added as unknown[]).entries()) {
      if (!isObject(t) || typeof t['content'] !== 'string')
        fail(`added_tokens[${i}] must be an object with a string "content", not ${show(t)}.`);
      const token = t as Record<string, unknown>;
      if (!isId(token['id']))
        fail(
          `added_tokens[${i}] ("${String(token['content'])}") has id ${show(token['id'])}; ` +
            'token ids must be non-negative integers.',
        );
    }
  }
  for (const key of COMPONENTS) checkComponent(json[key], key, fail);
}

function checkModel(model: Record<string, unknown>, fail: (p: string) => never): void {
  const vocab = model['vocab'];
  if (Array.isArray(vocab)) {
    // Unigram: [[piece, score], …]; the id is the position.
    for (const [i, e] of vocab.entries())
      if (
        !Array.isArray(e) ||
        typeof e[0] !== 'string' ||
        typeof e[1] !== 'number' ||
        !Number.isFinite(e[1])
      )
        fail(`model.vocab[${i}] must be [piece, score] (a string and a number), not ${show(e)}.`);
    const unk = model['unk_id'];
    if (unk !== undefined && unk !== null && !(isId(unk) && unk < vocab.length))
      fail(`model.unk_id is ${show(unk)}; it must be an index into model.vocab.`);
  } else if (isObject(vocab)) {
    for (const [token, id] of Object.entries(vocab))
      if (!isId(id))
        fail(
          `model.vocab[${show(token)}] is ${show(id)}; token ids must be non-negative integers.`,
        );
  } else fail(`"model.vocab" must be an object (token → id) or a list, not ${show(vocab)}.`);
  const type = model['type'];
  if (type !== undefined && type !== 'BPE' && type !== 'WordPiece' && type !== 'Unigram')
    fail(`model.type ${show(type)} is not supported (BPE, WordPiece or Unigram).`);
  const merges = model['merges'];
  if (merges === undefined || merges === null) {
    if (type === 'BPE') fail('model.merges is missing; a BPE model needs its merge list.');
    return;
  }
  if (!Array.isArray(merges)) return fail(`model.merges must be a list, not ${show(merges)}.`);
  const pairs = Array.isArray(merges[0]);
  for (const [i, m] of merges.entries()) {
    const ok = pairs
      ? Array.isArray(m) && m.length === 2 && m.every((s) => typeof s === 'string')
      : typeof m === 'string' && m.split(' ').length === 2;
    if (!ok)
      fail(
        `model.merges[${i}] is ${show(m)}; every merge must be ` +
          (pairs ? 'a pair of strings, as merges[0] is.' : '"left right" (two tokens, one space).'),
      );
  }
}

function checkComponent(value: unknown, where: string, fail: (p: string) => never): void {
  if (value === undefined || value === null) return;
  if (!isObject(value) || typeof value['type'] !== 'string')
    return fail(`${where} must be an object with a string "type", not ${show(value)}.`);
  for (const key of LISTS) {
    const list = value[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return fail(`${where}.${key} must be a list, not ${show(list)}.`);
    list.forEach((item, i) => checkComponent(item, `${where}.${key}[${i}]`, fail));
  }
  if ('pattern' in value) checkPattern(value['pattern'], `${where}.pattern`, fail);
}

function checkPattern(pattern: unknown, where: string, fail: (p: string) => never): void {
  if (!isObject(pattern))
    return fail(`${where} must be {"Regex": …} or {"String": …}, not ${show(pattern)}.`);
  if (pattern['String'] !== undefined) {
    if (typeof pattern['String'] !== 'string')
      fail(`${where}.String must be a string, not ${show(pattern['String'])}.`);
    return;
  }
  const regex = pattern['Regex'];
  if (typeof regex !== 'string')
    return fail(`${where} must be {"Regex": …} or {"String": …}, not ${show(pattern)}.`);
  let compiled: RegExp | null;
  try {
    compiled = compiledPattern(regex);
  } catch (error) {
    return fail(
      `${where}.Regex ${show(regex)} is not a valid regular expression ` +
        `(${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const why = catastrophicBacktracking(compiled?.source ?? regex);
  if (why !== undefined)
    fail(`${where}.Regex ${show(regex)} is refused: ${why}. The tokenizer is not run.`);
}

/**
 * The largest token id a tokenizer.json (model vocabulary and added tokens) or a vocab.json
 * assigns, with the entry that assigns it; undefined for an empty vocabulary. Call after
 * checkTokenizerJson (ids are known to be integers then).
 */
export function largestTokenId(
  json: unknown,
  file = 'tokenizer.json',
): { id: number; entry: string } | undefined {
  let best: { id: number; entry: string } | undefined;
  const see = (id: unknown, entry: string) => {
    if (typeof id === 'number' && (best === undefined || id > best.id)) best = { id, entry };
  };
  if (!isObject(json)) return undefined;
  if (file === 'vocab.json') {
    for (const [token, id] of Object.entries(json)) see(id, `vocab.json[${show(token)}]`);
    return best;
  }
  const vocab = isObject(json['model']) ? json['model']['vocab'] : undefined;
  if (Array.isArray(vocab)) see(vocab.length - 1, `model.vocab[${vocab.length - 1}]`);
  else if (isObject(vocab))
    for (const [token, id] of Object.entries(vocab)) see(id, `model.vocab[${show(token)}]`);
  const added = json['added_tokens'];
  if (Array.isArray(added))
    added.forEach((t, i) => isObject(t) && see(t['id'], `added_tokens[${i}]`));
  return best;
}
