import { describe, expect, it } from 'vitest';
import { assertExactResult, parseBytesPerValue, parseCount } from '../../cli/args';
import { CliUsageError } from '../../cli/errors';
import { formatCapacity, scaled } from '../../cli/format';
import { slim } from './cli-helpers';

/** Input checks of the `slim` CLI (review finding 8): every bad input is a message and exit 2. */
describe('slim input checks', () => {
  it.each([
    [['memory', '--model', 'gpt-2-xl', '--context', '10', '--context', '20'], '--context'],
    [['memory', '--model', 'gpt-2-xl', '--model', 'phi-3-mini-128k', '--context', '10'], '--model'],
    [['memory', '--model', 'gpt-2-xl', '--context=10', '--context', '20'], '--context'],
    [['memory', '--model', 'gpt-2-xl', '--context', '10', '--json', '--json'], '--json'],
    [['complexity', '--d', '64', '--h', '4', '--n', '8', '--d', '128'], '--d'],
  ])('a repeated option is rejected, not silently last-wins: %j', async (argv, name) => {
    const r = await slim(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${name} is given more than once`);
  });

  it('encoder–decoders need context ≥ encoder rows p (Whisper: p = 1500, paper §4)', async () => {
    for (const command of ['memory', 'roofline']) {
      const chip = command === 'roofline' ? ['--chip', 'nvidia-h200'] : [];
      const bad = await slim(command, '--model', 'whisper-tiny', '--context', '10', ...chip);
      expect(bad.code, command).toBe(2);
      expect(bad.out).toBe('');
      expect(bad.err).toMatch(/encoder–decoder.*1500 encoder rows.*must be at least 1500, got 10/);
      const below = await slim(command, '--model', 'whisper-tiny', '--context', '1499', ...chip);
      expect(below.code).toBe(2);
      // Exactly p: the encoder has run, no decoder token yet — a valid state.
      const edge = await slim(command, '--model', 'whisper-tiny', '--context', '1500', ...chip);
      expect(edge.code, edge.err).toBe(0);
    }
  });

  it("flan-t5-xxl at context 512 is paper Table 1's row: 512 encoder rows, 101M values", async () => {
    const r = await slim('memory', '--model', 'flan-t5-xxl', '--context', '512', '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { kvCacheValues: { standard: number } };
    // Cross K and V of 512 encoder rows: 2 · (64 heads · 64) · 512 · 24 layers = 100,663,296.
    expect(doc.kvCacheValues.standard).toBe(2 * 64 * 64 * 512 * 24);
    expect(Math.round(doc.kvCacheValues.standard / 1e6)).toBe(101);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'inherited names are not formats: --dtype %s and --bytes %s exit 2 with the list',
    async (name) => {
      const common = ['--model', 'llama-3-8b', '--context', '4096'];
      const dtype = await slim('roofline', ...common, '--chip', 'nvidia-h200', '--dtype', name);
      expect(dtype.code).toBe(2);
      expect(dtype.err).toContain(`--dtype must be one of fp32, tf32, bf16, fp16, fp8, int8`);
      for (const command of ['memory', 'roofline']) {
        const chip = command === 'roofline' ? ['--chip', 'nvidia-h200'] : [];
        const bytes = await slim(command, ...common, ...chip, '--bytes', name, '--json');
        expect(bytes.code, command).toBe(2);
        expect(bytes.out).toBe('');
        expect(bytes.err).toContain(`--bytes must be a positive number or one of`);
        expect(bytes.err).toContain(`got '${name}'`);
      }
      expect(() => parseBytesPerValue(name, 2)).toThrow(CliUsageError);
    },
  );

  it('complexity beyond 2^53 names its own options, not a --context it does not have', async () => {
    const r = await slim('complexity', '--d', '4096', '--h', '32', '--n', '1e15', '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/exceeds 2\^53/);
    expect(r.err).toContain('use a smaller --n, --d or --batch');
    expect(r.err).not.toContain('--context');
  });

  it('results above 2^53 are refused (float64 counts no longer exact)', async () => {
    // GPT-2 XL: 2·1600·48 = 153,600 values per token; at 10⁹ tokens × 10⁶ sequences the
    // standard cache is 1.536e20 values, far above 2^53 ≈ 9.007e15.
    const r = await slim(
      'memory',
      '--model',
      'gpt-2-xl',
      '--context',
      '1000000000',
      '--batch',
      '1000000',
      '--json',
    );
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/kvCacheValues\.standard = 1\.536e\+20 exceeds 2\^53/);
    // An ordinary setup stays accepted.
    const fine = await slim('memory', '--model', 'gpt-2-xl', '--context', '1024', '--json');
    expect(fine.code).toBe(0);
  });

  it('assertExactResult walks nested objects and arrays and names the path', () => {
    expect(() => assertExactResult({ a: [1, { b: 2 ** 53 + 2 }] })).toThrow(/result\.a\[1\]\.b = /);
    expect(() => assertExactResult({ a: 2 ** 53 + 2 })).toThrow(CliUsageError);
    expect(() => assertExactResult({ a: Number.MAX_SAFE_INTEGER, r: 1.5 })).not.toThrow();
  });

  it('numbers accept signed exponents: 1e-1 bytes, 1e+3 tokens; fractions are not counts', () => {
    expect(parseBytesPerValue('1e-1', 2)).toBeCloseTo(0.1, 15);
    expect(parseBytesPerValue('5E-1', 2)).toBe(0.5);
    expect(parseCount('1e+3', 'context')).toBe(1000);
    expect(parseCount('2e3', 'context')).toBe(2000);
    expect(() => parseCount('1e-1', 'context')).toThrow(/positive integer/);
    expect(() => parseBytesPerValue('1e', 2)).toThrow(/--bytes/);
    expect(() => parseBytesPerValue('e-1', 2)).toThrow(/--bytes/);
  });

  it('scaled() has P and E prefixes (decimal, as the paper writes units)', () => {
    expect(scaled(2.5e15)).toBe('2.5 P');
    expect(scaled(1.536e20)).toBe('153.6 E');
    expect(scaled(999e12)).toBe('999.0 T');
    expect(scaled(1e18)).toBe('1.0 E');
  });

  it('chip capacities print in GiB when binary (80 GiB HBM), else in decimal GB (141 GB)', () => {
    expect(formatCapacity(80 * 2 ** 30)).toBe('80 GiB');
    expect(formatCapacity(141e9)).toBe('141.0 GB');
  });
});
