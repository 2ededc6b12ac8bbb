import { describe, expect, it } from 'vitest';
import { loadTokenizer, ModelLoadError } from '../../engine/models';
import { tinyBpeFiles, tinyTokenizerJson, tinyVocab } from './models-helpers';

describe('loadTokenizer (@huggingface/tokenizers)', () => {
  it('runs a tokenizer.json: byte-level BPE merges applied, text round-trips', async () => {
    const t = await loadTokenizer(tinyTokenizerJson());
    const v = tinyVocab();
    expect(t?.source).toBe('tokenizer.json');
    // "call" merges to one token, " me" to Ġme, " is" to Ġis; "x" stays a byte token.
    expect(t?.encode('call me x')).toEqual([v['call'], v['Ġme'], v['Ġ'], v['x']]);
    expect(t?.decode(t.encode('call me is'))).toBe('call me is');
  });

  it('builds the same tokenizer from vocab.json + merges.txt', async () => {
    const a = await loadTokenizer(tinyTokenizerJson());
    const b = await loadTokenizer(tinyBpeFiles());
    expect(b?.source).toBe('vocab.json + merges.txt');
    for (const text of ['call me', 'me is call', 'calls', 'a b c'])
      expect(b?.encode(text)).toEqual(a?.encode(text));
  });

  it('is undefined without tokenizer files, and names the file at fault otherwise', async () => {
    expect(await loadTokenizer(new Map())).toBeUndefined();
    const onlyVocab = new Map([...tinyBpeFiles()].filter(([n]) => n === 'vocab.json'));
    await expect(loadTokenizer(onlyVocab)).rejects.toThrow(/merges\.txt: is missing/);
    const bad = new Map([['tokenizer.json', new TextEncoder().encode('{"model": ')]]);
    await expect(loadTokenizer(bad)).rejects.toBeInstanceOf(ModelLoadError);
    await expect(loadTokenizer(bad)).rejects.toThrow(/tokenizer\.json: not valid JSON/);
  });
});
