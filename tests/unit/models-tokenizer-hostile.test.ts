/**
 * tokenizer.json as hostile input: catastrophic regular expressions are refused before any
 * text meets them, ids must be non-negative integers, malformed entries are named instead of
 * surfacing as raw JavaScript errors. The real pre-tokenizer patterns must keep passing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SplitPreTokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { catastrophicBacktracking, loadTokenizer, ModelLoadError } from '../../engine/models';
import { tinyTokenizerJson } from './models-helpers';

const enc = new TextEncoder();

/** The tiny tokenizer.json with `edit` applied to its parsed JSON. */
function edited(edit: (json: Record<string, unknown>) => void): Map<string, Uint8Array> {
  const json = JSON.parse(
    new TextDecoder().decode(tinyTokenizerJson().get('tokenizer.json')),
  ) as Record<string, unknown>;
  edit(json);
  return new Map([['tokenizer.json', enc.encode(JSON.stringify(json))]]);
}

/** What the package compiles a tokenizer.json Regex into (Oniguruma rewritten to JS). */
function js(regex: string): string {
  const split = new SplitPreTokenizer({
    type: 'Split',
    pattern: { Regex: regex },
    behavior: 'Isolated',
    invert: false,
  } as ConstructorParameters<typeof SplitPreTokenizer>[0]);
  return (split as unknown as { pattern: RegExp }).pattern.source;
}

async function loadError(files: Map<string, Uint8Array>): Promise<ModelLoadError> {
  const error = await loadTokenizer(files).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

// The published pre-tokenizer patterns (tokenizer.json "Regex" strings).
const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const LLAMA3 =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const O200K =
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

describe('catastrophicBacktracking', () => {
  it('refuses nested or overlapping unbounded repetition (the classic ReDoS forms)', () => {
    for (const r of [
      '(a+)+$',
      '(a*)*',
      '(a|a)+',
      '(\\w+\\s?)+$',
      '(a|aa)+',
      '(a|a?)+',
      '(x+x+)+y',
      '(?:[a-z]+\\d*)+!',
      '^(([a-z])+.)+[A-Z]([a-z])+$',
      'x(?=(a+)+$)',
    ])
      expect(catastrophicBacktracking(js(r)), r).toMatch(/exponential/);
  });

  it('refuses three or more chained repetitions that can match the same text (n^3 and worse)', () => {
    for (const r of ['\\s*\\s*\\s*x', 'a*a*a*a*b', '\\w*\\w+\\d+!'])
      expect(catastrophicBacktracking(js(r)), r).toMatch(/chains \d repetitions/);
  });

  it('passes single repetitions and loops whose iterations cannot be split two ways', () => {
    for (const r of [
      'a+a+',
      '(a+b)+',
      '(\\w+\\s)+',
      '(\\d+,)+',
      '\\s+',
      ' ',
      '[^\\s]+|\\s+',
      '\\d+\\.\\d+\\.\\d+',
      '\\w+\\s+\\w+\\s+\\w+',
    ])
      expect(catastrophicBacktracking(js(r)), r).toBeUndefined();
  });

  it('passes the GPT-2, Llama 3, Qwen2 and o200k pre-tokenizer patterns', () => {
    for (const r of [GPT2, LLAMA3, QWEN2, O200K])
      expect(catastrophicBacktracking(js(r))).toBeUndefined();
  });
});

describe('loadTokenizer on hostile tokenizer.json', () => {
  it('refuses a Split pre-tokenizer whose pattern backtracks catastrophically, naming it', async () => {
    const files = edited((j) => {
      j['pre_tokenizer'] = {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false },
          j['pre_tokenizer'],
        ],
      };
    });
    const e = await loadError(files);
    expect(e.file).toBe('tokenizer.json');
    expect(e.message).toContain('pre_tokenizer.pretokenizers[0].pattern.Regex "(a+)+$"');
    expect(e.message).toMatch(/catastrophic backtracking/);
  });

  it('refuses a catastrophic normalizer Replace pattern and an invalid one', async () => {
    const replace = (regex: string) =>
      edited((j) => {
        j['normalizer'] = { type: 'Replace', pattern: { Regex: regex }, content: ' ' };
      });
    expect((await loadError(replace('(\\s?\\w+)*$'))).message).toContain(
      'normalizer.pattern.Regex',
    );
    expect((await loadError(replace('(a'))).message).toMatch(
      /normalizer\.pattern\.Regex "\(a" is not a valid regular expression/,
    );
  });

  it('still loads the default models’ tokenizers and a Llama 3 style Split', async () => {
    for (const model of ['moby-gpt2', 'moby-llama']) {
      const bytes = readFileSync(join('public/models', model, 'tokenizer.json'));
      const t = await loadTokenizer(new Map([['tokenizer.json', new Uint8Array(bytes)]]));
      expect(t?.encode('Call me Ishmael.').length).toBeGreaterThan(0);
    }
    const files = edited((j) => {
      j['pre_tokenizer'] = {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: LLAMA3 }, behavior: 'Isolated', invert: false },
          { ...(j['pre_tokenizer'] as object), use_regex: false },
        ],
      };
    });
    expect((await loadTokenizer(files))?.encode('call me')).toHaveLength(2);
  });

  it('names string, negative and fractional ids with their entry', async () => {
    for (const [id, shown] of [
      ['7', '"7"'],
      [-3, '-3'],
      [2.5, '2.5'],
    ] as const) {
      const e = await loadError(
        edited((j) => {
          (j['model'] as { vocab: Record<string, unknown> }).vocab['call'] = id;
        }),
      );
      expect(e.message).toBe(
        `tokenizer.json: model.vocab["call"] is ${shown}; token ids must be non-negative integers.`,
      );
    }
    const added = await loadError(
      edited((j) => {
        j['added_tokens'] = [{ id: -1, content: '<|x|>', special: true }];
      }),
    );
    expect(added.message).toMatch(/added_tokens\[0\] \("<\|x\|>"\) has id -1/);
  });

  it('names malformed merges and components instead of raw JavaScript errors', async () => {
    const merges = await loadError(
      edited((j) => {
        (j['model'] as { merges: unknown[] }).merges = [1, 2];
      }),
    );
    expect(merges.message).toMatch(/^tokenizer\.json: model\.merges\[0\] is 1;/);
    expect(merges.message).not.toMatch(/is not a function/);
    const pre = await loadError(
      edited((j) => {
        j['pre_tokenizer'] = { type: 'Sequence', pretokenizers: 'x' };
      }),
    );
    expect(pre.message).toMatch(/pre_tokenizer\.pretokenizers must be a list/);
  });

  it('names a negative id in vocab.json', async () => {
    const files = new Map([
      ['vocab.json', enc.encode(JSON.stringify({ a: 0, b: -1 }))],
      ['merges.txt', enc.encode('#version: 0.2\n')],
    ]);
    expect((await loadError(files)).message).toBe(
      'vocab.json: the entry "b" has id -1; token ids must be non-negative integers.',
    );
  });
});
