import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HfConfigError, customModel, parseHfConfig } from '../../roofline';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/configs/${name}.json`, import.meta.url), 'utf8');

/** Expect a parse failure whose message and `field` name the given config field. */
function expectFieldError(text: string, field: string) {
  let caught: unknown;
  try {
    parseHfConfig(text);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(HfConfigError);
  const error = caught as HfConfigError;
  expect(error.field).toBe(field);
  expect(error.message).toContain(`"${field}"`);
}

function without(name: string, field: string): string {
  const json = JSON.parse(fixture(name)) as Record<string, unknown>;
  delete json[field];
  return JSON.stringify(json);
}

function withField(name: string, field: string, value: unknown): string {
  const json = JSON.parse(fixture(name)) as Record<string, unknown>;
  json[field] = value;
  return JSON.stringify(json);
}

describe('parseHfConfig on real config.json layouts', () => {
  it('reads a Llama-2-7B config (MHA, RoPE)', () => {
    const { family, model } = parseHfConfig(fixture('llama'));
    expect(family).toBe('llama');
    expect(model).toMatchObject({
      name: 'meta-llama/Llama-2-7b-hf',
      d: 4096,
      layers: 32,
      heads: 32,
      kvHeads: 32,
      headDim: 128,
      contextLength: 4096,
      vocab: 32000,
      ffnDim: 11008,
      architecture: 'decoder',
      attention: 'MHA',
      positional: 'rope',
    });
    // The model card counts 6,738,415,616 parameters; the shape estimate (weights and norms,
    // no biases: Llama has none) must land on it to 1e-4.
    expect(Math.abs(model.params / 6_738_415_616 - 1)).toBeLessThan(1e-4);
  });

  it('reads a Llama-3-8B-shaped config as GQA with h_kv = 8', () => {
    const { model } = parseHfConfig(fixture('llama-gqa'));
    expect(model).toMatchObject({ heads: 32, kvHeads: 8, headDim: 128, attention: 'GQA' });
    // Llama-3-8B's model card: 8.03B parameters; 0.5% covers the card's rounding.
    expect(Math.abs(model.params / 8.03e9 - 1)).toBeLessThan(5e-3);
  });

  it('reads a GPT-2 config (n_embd, n_layer, n_head, n_positions)', () => {
    const { family, model } = parseHfConfig(fixture('gpt2'));
    expect(family).toBe('gpt2');
    expect(model).toMatchObject({
      d: 768,
      layers: 12,
      heads: 12,
      kvHeads: 12,
      headDim: 64,
      contextLength: 1024,
      vocab: 50257,
      ffnDim: 3072,
      attention: 'MHA',
      positional: 'learned',
    });
    // GPT-2 small has 124,439,808 parameters; biases (0.1%) are left out of the estimate.
    expect(Math.abs(model.params / 124_439_808 - 1)).toBeLessThan(2e-3);
  });

  it('falls back from n_positions to n_ctx for old GPT-2 configs', () => {
    const text = withField('gpt2', 'n_positions', null);
    expect(
      parseHfConfig(JSON.stringify({ ...JSON.parse(text), n_ctx: 512 })).model.contextLength,
    ).toBe(512);
  });

  it('reads a GPT-NeoX (Pythia-160M) config', () => {
    const { family, model } = parseHfConfig(fixture('gpt-neox'));
    expect(family).toBe('gpt-neox');
    expect(model).toMatchObject({
      d: 768,
      layers: 12,
      heads: 12,
      headDim: 64,
      contextLength: 2048,
    });
    expect(model.positional).toBe('rope');
    // Pythia-160M: 162,322,944 parameters (untied embed_out); biases left out (<0.1%).
    expect(Math.abs(model.params / 162_322_944 - 1)).toBeLessThan(2e-3);
  });

  it('reads a T5-3B config: non-square, e = h·d_k = 4096 > d = 1024 (paper §3)', () => {
    const { family, model } = parseHfConfig(fixture('t5'));
    expect(family).toBe('t5');
    expect(model).toMatchObject({
      d: 1024,
      layers: 24,
      heads: 32,
      headDim: 128,
      architecture: 'encoder-decoder',
      positional: 'relative',
      encoderLength: 512,
      decoderLength: 512,
    });
    expect((model.heads * model.headDim) / model.d).toBe(4); // r of paper §3 table
    // T5-3B's paper count is 2.8B (2,851,598,336 in the HF checkpoint); 1% covers biases/rounding.
    expect(Math.abs(model.params / 2_851_598_336 - 1)).toBeLessThan(1e-2);
  });

  it('reads a Whisper-tiny config with encoder length p = 1500 and 448 decoder tokens', () => {
    const { family, model } = parseHfConfig(fixture('whisper'));
    expect(family).toBe('whisper');
    expect(model).toMatchObject({
      d: 384,
      layers: 4,
      heads: 6,
      headDim: 64,
      encoderLength: 1500,
      decoderLength: 448,
      contextLength: 1948,
      vocab: 51865,
      ffnDim: 1536,
      architecture: 'encoder-decoder',
    });
    // paper §4: Whisper-tiny has 38M parameters (printed to 2 digits, so 2%).
    expect(Math.abs(model.params / 38e6 - 1)).toBeLessThan(0.02);
  });

  it('detects the family from the fields when model_type is absent', () => {
    expect(parseHfConfig(without('gpt2', 'model_type')).family).toBe('gpt2');
    expect(parseHfConfig(without('whisper', 'model_type')).family).toBe('whisper');
    expect(parseHfConfig(without('t5', 'model_type')).family).toBe('t5');
    expect(parseHfConfig(without('llama', 'model_type')).family).toBe('llama');
  });
});

describe('parseHfConfig rejects bad input with the field named', () => {
  it('rejects malformed JSON', () => {
    expect(() => parseHfConfig('{"hidden_size": 4096,')).toThrow(HfConfigError);
    expect(() => parseHfConfig('{"hidden_size": 4096,')).toThrow(/not valid JSON/);
    expect(() => parseHfConfig('[1, 2]')).toThrow(/JSON object/);
    expect(() => parseHfConfig('')).toThrow(/not valid JSON/);
  });

  it('names every missing required field, per family', () => {
    const required: Record<string, string[]> = {
      llama: [
        'hidden_size',
        'num_hidden_layers',
        'num_attention_heads',
        'max_position_embeddings',
        'vocab_size',
        'intermediate_size',
      ],
      gpt2: ['n_embd', 'n_layer', 'n_head', 'vocab_size'],
      'gpt-neox': [
        'hidden_size',
        'num_hidden_layers',
        'num_attention_heads',
        'max_position_embeddings',
        'vocab_size',
      ],
      t5: ['d_model', 'num_layers', 'num_heads', 'd_kv', 'vocab_size', 'd_ff'],
      whisper: [
        'd_model',
        'encoder_layers',
        'decoder_layers',
        'encoder_attention_heads',
        'max_source_positions',
        'max_target_positions',
        'vocab_size',
      ],
    };
    for (const [name, fields] of Object.entries(required))
      for (const field of fields) expectFieldError(without(name, field), field);
  });

  it('names GPT-2 n_positions when neither it nor n_ctx is present', () => {
    const json = JSON.parse(fixture('gpt2')) as Record<string, unknown>;
    delete json.n_positions;
    delete json.n_ctx;
    expectFieldError(JSON.stringify(json), 'n_positions');
  });

  it('rejects non-integer, negative, zero and string values by field', () => {
    expectFieldError(withField('llama', 'hidden_size', '4096'), 'hidden_size');
    expectFieldError(withField('gpt2', 'n_head', -12), 'n_head');
    expectFieldError(withField('t5', 'd_kv', 0), 'd_kv');
    expectFieldError(withField('whisper', 'decoder_layers', 3.5), 'decoder_layers');
  });

  it('rejects inconsistent shapes by field', () => {
    expectFieldError(withField('gpt2', 'n_head', 7), 'n_head'); // 768 is not divisible by 7
    expectFieldError(withField('llama', 'num_key_value_heads', 5), 'num_key_value_heads');
    expectFieldError(withField('whisper', 'decoder_attention_heads', 8), 'decoder_attention_heads');
  });

  it('rejects a config of an unknown layout, naming model_type', () => {
    expectFieldError('{"model_type": "mystery", "width": 3}', 'model_type');
  });
});

describe('customModel', () => {
  it('builds an MHA, GQA or MQA model from typed numbers', () => {
    const base = { d: 4096, layers: 32, heads: 32, headDim: 128, contextLength: 8192 };
    expect(customModel({ ...base, kvHeads: 32 }).attention).toBe('MHA');
    expect(customModel({ ...base, kvHeads: 8 }).attention).toBe('GQA');
    expect(customModel({ ...base, kvHeads: 1 }).attention).toBe('MQA');
    expect(customModel({ ...base, kvHeads: 32, params: 7e9 }).params).toBe(7e9);
    // Default estimate: 4d² attention + 8d² FFN per layer = 12·d²·layers.
    expect(customModel({ ...base, kvHeads: 32 }).params).toBe(12 * 4096 ** 2 * 32);
  });

  it('names the bad field', () => {
    const good = { d: 64, layers: 2, heads: 4, kvHeads: 4, headDim: 16, contextLength: 128 };
    for (const field of ['d', 'layers', 'heads', 'kvHeads', 'headDim', 'contextLength'] as const) {
      expect(() => customModel({ ...good, [field]: 0 })).toThrow(
        new RegExp(`^The ${field} field must`),
      );
      expect(() => customModel({ ...good, [field]: Number.NaN })).toThrow(HfConfigError);
    }
    expect(() => customModel({ ...good, params: -1 })).toThrow(/params/);
    expect(() => customModel({ ...good, kvHeads: 3 })).toThrow(/kvHeads/);
  });
});

describe('parseHfConfig messages read as sentences and refuse absurd sizes (issue 10)', () => {
  it('an unknown model type is named, in sentences', () => {
    let caught: unknown;
    try {
      parseHfConfig('{"model_type":"mamba","d_model":768}');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HfConfigError);
    const message = (caught as HfConfigError).message;
    expect(message).toMatch(/^This config\.json is for a "mamba" model/);
    expect(message).toMatch(/\.$/);
    expect(message).not.toContain('these are known by');
    expect(() => parseHfConfig('{"d_model":768}')).toThrow(
      /^This config\.json has no "model_type"/,
    );
  });

  it.each(['hidden_size', 'num_hidden_layers', 'vocab_size', 'max_position_embeddings'])(
    '%s: 1e300 (an integer to float64) is refused naming the field, not charted as NaN',
    (field) => {
      expectFieldError(withField('llama', field, 1e300), field);
      expect(() => parseHfConfig(withField('llama', field, 1e300))).toThrow(/2\^24/);
    },
  );

  it('the typed-in model refuses shapes above 2^24 and params above 10^15', () => {
    const good = {
      d: 4096,
      layers: 32,
      heads: 32,
      kvHeads: 32,
      headDim: 128,
      contextLength: 4096,
    };
    expect(() => customModel({ ...good, d: 1e300 })).toThrow(/^The d field must be at most/);
    expect(() => customModel({ ...good, d: 2 ** 24 + 1 })).toThrow(HfConfigError);
    expect(() => customModel({ ...good, params: 1e300 })).toThrow(/^The params field/);
    expect(customModel({ ...good, contextLength: 2 ** 24 }).contextLength).toBe(2 ** 24);
  });
});
