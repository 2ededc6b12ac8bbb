/**
 * Tokenizers of a checkpoint, from the `@huggingface/tokenizers` package (not hand-written):
 * tokenizer.json (+ tokenizer_config.json when present), or a GPT-2 repo's vocab.json +
 * merges.txt, which the same package runs as the byte-level BPE that tokenizer.json would
 * describe for them (GPT-2's pre-tokenizer and decoder, its vocabulary and merge list).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { checkSize, type ByteSource, type CheckpointFiles } from '../io';
import { ModelLoadError } from './load';
import { checkTokenizerJson, largestTokenId } from './tokenizerCheck';

export { checkTokenizerJson, largestTokenId } from './tokenizerCheck';
export { catastrophicBacktracking } from './regexSafety';

export interface ModelTokenizer {
  /** Which files it was built from. */
  readonly source: 'tokenizer.json' | 'vocab.json + merges.txt';
  /** Text → token ids (special tokens added as the tokenizer's post-processor says). */
  encode(text: string): number[];
  /** Token ids → text. */
  decode(ids: readonly number[]): string;
  /** The largest id the vocabulary (with added tokens) assigns, and where: `model.vocab["x"]`. */
  readonly largestId?: { id: number; entry: string };
}

async function bytesOf(files: CheckpointFiles, name: string): Promise<Uint8Array | undefined> {
  const f = files.get(name);
  if (f === undefined) return undefined;
  checkSize(name, f instanceof Uint8Array ? f.byteLength : (f as ByteSource).size);
  return f instanceof Uint8Array ? f : (f as ByteSource).read(0, (f as ByteSource).size);
}

async function textOf(files: CheckpointFiles, name: string): Promise<string | undefined> {
  const bytes = await bytesOf(files, name);
  if (bytes === undefined) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ModelLoadError(name, 'not valid UTF-8 text.');
  }
}

async function jsonOf(files: CheckpointFiles, name: string): Promise<unknown> {
  const text = await textOf(files, name);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelLoadError(
      name,
      `not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** GPT-2's byte-level BPE as a tokenizer.json document over its vocab.json and merges.txt. */
function gpt2TokenizerJson(vocab: Record<string, number>, merges: string[]): object {
  const byteLevel = {
    type: 'ByteLevel',
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: true,
  };
  const eos = '<|endoftext|>';
  return {
    version: '1.0',
    added_tokens:
      eos in vocab
        ? [
            {
              id: vocab[eos],
              content: eos,
              single_word: false,
              lstrip: false,
              rstrip: false,
              normalized: true,
              special: true,
            },
          ]
        : [],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/** Runs fn; an error from the package becomes a ModelLoadError naming the file. */
function named<T>(file: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(
      file,
      `${what} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function wrap(
  tokenizer: Tokenizer,
  source: ModelTokenizer['source'],
  largestId: ModelTokenizer['largestId'],
): ModelTokenizer {
  const file = source === 'tokenizer.json' ? 'tokenizer.json' : 'vocab.json';
  return {
    source,
    largestId,
    encode: (text) => named(file, 'encoding the text', () => tokenizer.encode(text).ids),
    decode: (ids) => named(file, 'decoding the tokens', () => tokenizer.decode([...ids])),
  };
}

function build(json: object, config: unknown, file: string): Tokenizer {
  try {
    return new Tokenizer(json, isObject(config) ? config : {});
  } catch (error) {
    throw new ModelLoadError(
      file,
      `the tokenizer could not be built: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The tokenizer of a model directory or download: tokenizer.json when present, else
 * vocab.json + merges.txt; undefined when there are no tokenizer files at all.
 */
export async function loadTokenizer(files: CheckpointFiles): Promise<ModelTokenizer | undefined> {
  const config = await jsonOf(files, 'tokenizer_config.json');
  const json = await jsonOf(files, 'tokenizer.json');
  if (json !== undefined) {
    checkTokenizerJson(json, 'tokenizer.json');
    return wrap(
      build(json as object, config, 'tokenizer.json'),
      'tokenizer.json',
      largestTokenId(json),
    );
  }
  const vocab = await jsonOf(files, 'vocab.json');
  const mergesText = await textOf(files, 'merges.txt');
  if (vocab === undefined && mergesText === undefined) return undefined;
  if (vocab === undefined || mergesText === undefined)
    throw new ModelLoadError(
      vocab === undefined ? 'vocab.json' : 'merges.txt',
      'is missing: a byte-level BPE tokenizer needs both vocab.json and merges.txt.',
    );
  if (!isObject(vocab)) throw new ModelLoadError('vocab.json', 'must map each token to an id.');
  for (const [token, id] of Object.entries(vocab))
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0 || id >= 2 ** 31)
      throw new ModelLoadError(
        'vocab.json',
        `the entry ${JSON.stringify(token)} has id ${JSON.stringify(id)}; token ids must be ` +
          'non-negative integers.',
      );
  const merges = mergesText
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '' && !l.startsWith('#version'));
  for (const [i, m] of merges.entries())
    if (m.split(' ').length !== 2)
      throw new ModelLoadError('merges.txt', `line ${i + 1} ("${m}") is not two tokens.`);
  return wrap(
    build(gpt2TokenizerJson(vocab as Record<string, number>, merges), config, 'vocab.json'),
    'vocab.json + merges.txt',
    largestTokenId(vocab, 'vocab.json'),
  );
}
