import { describe, expect, it } from 'vitest';
import { assertExactResult, parseBytesPerValue, parseCount } from '../../cli/args';
import { CliUsageError } from '../../cli/errors';
import { formatCapacity, scaled } from '../../cli/format';
import { captureIo } from '../../cli/io';
import { runCli } from '../../cli/main';

/** Input checks of the `slim` CLI (review finding 8): every bad input is a message and exit 2. */
async function slim(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

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

  it('encoder–decoders need context > encoder rows p (Whisper: p = 1500, paper §4)', async () => {
    for (const command of ['memory', 'roofline']) {
      const chip = command === 'roofline' ? ['--chip', 'nvidia-h200'] : [];
      const bad = await slim(command, '--model', 'whisper-tiny', '--context', '10', ...chip);
      expect(bad.code, command).toBe(2);
      expect(bad.out).toBe('');
      expect(bad.err).toMatch(/encoder–decoder.*1500 encoder rows.*must exceed 1500, got 10/);
      const edge = await slim(command, '--model', 'whisper-tiny', '--context', '1500', ...chip);
      expect(edge.code).toBe(2);
      const ok = await slim(command, '--model', 'whisper-tiny', '--context', '1501', ...chip);
      expect(ok.code, ok.err).toBe(0);
    }
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
