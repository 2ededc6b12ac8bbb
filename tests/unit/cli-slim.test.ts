import { describe, expect, it } from 'vitest';
import { commands } from '../../cli/commands';
import { requireModel, standardCacheValues, whisperModelIds } from '../../roofline';
import { slim } from './cli-helpers';

/** Runs the CLI in-process (fast); cli-spawn.test.ts proves the real entry point. */
async function slimJson(...argv: string[]): Promise<unknown> {
  const r = await slim(...argv, '--json');
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out); // throws unless stdout is exactly one JSON document
}

const keys = (o: unknown) => Object.keys(o as object).sort();

describe('slim memory', () => {
  it('prints the contract JSON shape', async () => {
    const r = (await slimJson(
      'memory',
      '--model',
      'phi-3-mini-128k',
      '--context',
      '128k',
      '--batch',
      '2',
      '--bytes',
      '1',
    )) as Record<string, Record<string, number>>;
    // The contract's keys must all stay; slimVariant, readBytes and readSpeedup are extras.
    const contract = [
      'model',
      'contextLength',
      'batch',
      'bytesPerValue',
      'kvCacheValues',
      'kvCacheBytes',
      'paramBytes',
      'totalBytes',
      'decodeSpeedup',
    ];
    expect(keys(r)).toEqual([...contract, 'slimVariant', 'readBytes', 'readSpeedup'].sort());
    expect(r.slimVariant).toBe('k-cache'); // Phi-3-mini is square MHA (§1)
    for (const pair of ['kvCacheValues', 'kvCacheBytes', 'totalBytes', 'readBytes']) {
      expect(keys(r[pair])).toEqual(['slim', 'standard']);
    }
    expect(r.model).toBe('phi-3-mini-128k');
    expect(r.contextLength).toBe(131072); // 128k = 128·1024, as in paper Table 1
    expect(r.batch).toBe(2);
    // Table 1: 25.8B values per sequence at 128k.
    const perSequence = standardCacheValues(requireModel('phi-3-mini-128k'), 131072);
    expect(r.kvCacheValues.standard).toBe(2 * perSequence);
    expect(r.kvCacheValues.slim).toBe(perSequence);
    const total = r.totalBytes as unknown as { standard: number; slim: number };
    expect(r.decodeSpeedup).toBe(total.standard / total.slim);
    // A decoder-only model reads every stored byte per token (paper §1): read = total.
    const read = r.readBytes as unknown as { standard: number; slim: number };
    expect(read).toEqual(total);
    expect(r.readSpeedup).toBe(read.standard / read.slim);
  });

  it('whisper-tiny: readSpeedup is the `slim whisper` option-2 speedup (paper §4)', async () => {
    const m = (await slimJson(
      'memory',
      '--model',
      'whisper-tiny',
      '--context',
      '1948', // p = 1500 encoder rows + 448 decoder tokens, as in paper §4's table
      '--bytes',
      '1',
    )) as {
      slimVariant: string;
      readSpeedup: number;
      decodeSpeedup: number;
      totalBytes: { standard: number; slim: number };
    };
    const rows = (await slimJson('whisper', '--batch', '1')) as {
      model: string;
      speedup: { option2: number };
    }[];
    const tiny = rows.find((row) => row.model === 'whisper-tiny')!;
    expect(m.slimVariant).toBe('option-2');
    // Two code paths (slimPlan vs encoderDecoderRow) over the same integer counts: 1e-12.
    expect(Math.abs(m.readSpeedup - tiny.speedup.option2)).toBeLessThan(1e-12);
    // decodeSpeedup stays the contract's stored-bytes ratio (encoder weights included).
    expect(m.decodeSpeedup).toBe(m.totalBytes.standard / m.totalBytes.slim);
    expect(m.decodeSpeedup).not.toBeCloseTo(m.readSpeedup, 3);
  });

  it('accepts dtype names for --bytes and defaults to 2 bytes, batch 1', async () => {
    const a = (await slimJson('memory', '--model', 'gpt-2-xl', '--context', '1024')) as {
      bytesPerValue: number;
      batch: number;
    };
    expect(a).toMatchObject({ bytesPerValue: 2, batch: 1 });
    const b = (await slimJson(
      'memory',
      '--model',
      'gpt-2-xl',
      '--context',
      '1024',
      '--bytes',
      'fp4',
    )) as { bytesPerValue: number };
    expect(b.bytesPerValue).toBe(0.5);
  });

  it('prints a human-readable table without --json', async () => {
    const r = await slim(
      'memory',
      '--model',
      'phi-3-mini-128k',
      '--context',
      '128000',
      '--bytes',
      '1',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/KV-cache bytes\s+25\.2 GB\s+12\.6 GB/);
    // Square MHA, decoder only: stored = read, both ratios are paper §1's 1.77x.
    expect(r.out).toMatch(/decode speedup \(total bytes\): 1\.77x/);
    expect(r.out).toMatch(/bytes read per token: .* 1\.77x/);
  });

  it('unknown model ids list the close matches (exit 2, stderr only)', async () => {
    const r = await slim('memory', '--model', 'codelama-7b', '--context', '100', '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/unknown model 'codelama-7b'; did you mean: codellama-7b/);
  });

  it.each([
    [['--model', 'gpt-2-xl'], /--context is required/],
    [['--model', 'gpt-2-xl', '--context', '-5'], /--context must be a positive integer, got '-5'/],
    [['--model', 'gpt-2-xl', '--context=-5'], /positive integer/],
    [['--model', 'gpt-2-xl', '--context', 'NaN'], /got 'NaN'/],
    [['--model', 'gpt-2-xl', '--context', '1.5'], /positive integer/],
    [['--model', 'gpt-2-xl', '--context', '0'], /positive integer/],
    [['--model', 'gpt-2-xl', '--context', '10', '--batch', 'x'], /--batch/],
    [['--model', 'gpt-2-xl', '--context', '10', '--bytes', '-1'], /--bytes/],
    [['--model', 'gpt-2-xl', '--context', '10', '--bytes', 'fp12'], /--bytes/],
    [['--context', '10'], /--model is required/],
    [['--model'], /--model needs a value/],
    [['--model', 'gpt-2-xl', '--context'], /--context needs a value/],
    [['--model', 'gpt-2-xl', '--context', '10', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['--model', 'gpt-2-xl', '--context', '10', 'extra'], /Unexpected argument 'extra'/],
  ])('bad input %j → message and exit 2', async (args, message) => {
    const r = await slim('memory', ...args, '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/slim memory --help/);
  });
});

describe('slim complexity', () => {
  it('prints {vanilla, option1, option2} × {projection, mha} × {ops, reads, intensity}', async () => {
    const r = (await slimJson('complexity', '--d', '4096', '--h', '32', '--n', '1000')) as Record<
      string,
      Record<string, Record<string, number>>
    >;
    expect(keys(r)).toEqual(['option1', 'option2', 'vanilla']);
    for (const scheme of Object.values(r)) {
      expect(keys(scheme)).toEqual(['mha', 'projection']);
      for (const cost of Object.values(scheme))
        expect(keys(cost)).toEqual(['intensity', 'ops', 'reads']);
    }
    expect(r.option2.mha.intensity).toBe(66); // 2h + 2
    expect(r.option1.projection.intensity).toBe(501.5); // (n + 3)/2
    expect(r.vanilla.mha.ops).toBe(4 * 1000 * 4096);
  });

  it('rejects d not divisible by h and missing numbers with exit 2', async () => {
    expect((await slim('complexity', '--d', '100', '--h', '3', '--n', '5')).err).toMatch(
      /multiple/,
    );
    const r = await slim('complexity', '--d', '100', '--h', '4');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--n is required/);
  });
});

describe('slim whisper', () => {
  it('prints one row per Whisper model with the contract shape, in values', async () => {
    const rows = (await slimJson('whisper', '--batch', '64')) as {
      model: string;
      cache: Record<string, number>;
      params: Record<string, number>;
      reads: Record<string, number>;
      speedup: Record<string, number>;
    }[];
    expect(rows.map((r) => r.model)).toEqual([...whisperModelIds]);
    for (const row of rows) {
      expect(keys(row)).toEqual(['cache', 'model', 'params', 'reads', 'speedup']);
      for (const k of ['cache', 'params', 'reads'] as const) {
        expect(keys(row[k])).toEqual(['baseline', 'option1', 'option2']);
      }
      expect(keys(row.speedup)).toEqual(['option1', 'option2']);
    }
    // Counts in values, not millions: Whisper-tiny's baseline cache is 5,984,256.
    expect(rows[0].cache.baseline).toBe(2 * (1500 + 448) * 384 * 4);
    expect(rows[4].speedup.option2).toBeCloseTo(5.3, 1);
  });

  it('defaults to batch 1 and prints a table without --json', async () => {
    const r = await slim('whisper');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/reads\/token: baseline\s+34\.2\s+60\.5\s+174\.8\s+501\.2\s+960\.0/);
  });
});

describe('slim (global)', () => {
  it('--help lists every registered command; each command has --help', async () => {
    const r = await slim('--help');
    expect(r.code).toBe(0);
    for (const c of commands) {
      expect(r.out).toContain(c.name);
      const help = await slim(c.name, '--help');
      expect(help.code).toBe(0);
      expect(help.out).toMatch(new RegExp(`^Usage: slim ${c.name}`));
    }
  });

  it('unknown command or none → exit 2 with a hint', async () => {
    const r = await slim('memroy');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command 'memroy'; did you mean: memory/);
    expect((await slim()).code).toBe(2);
  });

  it('models and chips list the catalogs as JSON', async () => {
    const models = (await slimJson('models')) as { id: string; slim: { factor: number } }[];
    expect(models.find((m) => m.id === 'codellama-7b')?.slim.factor).toBe(2);
    const chips = (await slimJson('chips')) as { id: string }[];
    expect(chips.map((c) => c.id)).toContain('nvidia-h200');
    const table = await slim('models');
    expect(table.out).toMatch(/llama-3-8b .* no gain/);
  });
});

describe('slim roofline', () => {
  it('prints one decode step, standard vs slim, with the bound and speedup', async () => {
    const r = (await slimJson(
      'roofline',
      '--model',
      'phi-3-mini-128k',
      '--chip',
      'nvidia-h200',
      '--context',
      '128000',
      '--batch',
      '16',
    )) as {
      dtype: string;
      bytesPerValue: number;
      ridgePoint: number;
      standard: { bound: string; seconds: number; bytes: number; fitsInMemory: boolean };
      slim: { bound: string; seconds: number; bytes: number };
      speedup: number;
    };
    expect(r.dtype).toBe('int8');
    expect(r.bytesPerValue).toBe(1);
    expect(Math.round(r.ridgePoint)).toBe(413); // paper Table 3
    expect(r.standard.bound).toBe('memory');
    expect(r.slim.bound).toBe('memory');
    // Memory bound: time = bytes / 4.8 TB/s, so the speedup is the paper §1 ratio ≈ 2x.
    expect(r.standard.seconds).toBeCloseTo(r.standard.bytes / 4.8e12, 12);
    expect(r.speedup).toBeCloseTo(r.standard.bytes / r.slim.bytes, 12);
    expect(Math.round(r.speedup)).toBe(2);
    expect(r.standard.fitsInMemory).toBe(false); // 416 GB > 141 GB
  });

  it('unknown chips list close matches; unknown dtypes and missing peaks exit 2', async () => {
    const base = ['roofline', '--model', 'gpt-2-xl', '--context', '1k'];
    const chip = await slim(...base, '--chip', 'h100');
    expect(chip.code).toBe(2);
    expect(chip.err).toMatch(/unknown chip 'h100'; did you mean: nvidia-h100-sxm/);
    const dtype = await slim(...base, '--chip', 'nvidia-h100-sxm', '--dtype', 'fp9');
    expect(dtype.err).toMatch(/--dtype must be one of/);
    const peak = await slim(...base, '--chip', 'apple-a18', '--dtype', 'fp32');
    expect(peak.code).toBe(2);
    expect(peak.err).toMatch(/no fp32 peak/);
  });
});
