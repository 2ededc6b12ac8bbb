import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Two real processes prove the entry point (`npx tsx cli/slim.ts`, what `npm run slim` runs):
 * stdout carries exactly one JSON document, errors go to stderr with exit code 2. Everything
 * else is tested in-process in cli-slim.test.ts.
 */
function spawnSlim(...args: string[]) {
  const r = spawnSync('npx', ['tsx', 'cli/slim.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('slim entry point (spawned)', () => {
  it('memory --json prints one JSON document and exits 0', () => {
    const r = spawnSlim(
      'memory',
      '--model',
      'codellama-7b',
      '--context',
      '16k',
      '--bytes',
      '1',
      '--json',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { kvCacheValues: { standard: number; slim: number } };
    // Paper Table 1: CodeLlama-7B at 16k → 4.3B values (2·4096·32·16384).
    expect(doc.kvCacheValues.standard).toBe(2 * 4096 * 32 * 16384);
    expect(doc.kvCacheValues.slim).toBe(4096 * 32 * 16384);
  }, 60_000);

  it('a bad number exits 2 with the message on stderr and nothing on stdout', () => {
    const r = spawnSlim('memory', '--model', 'codellama-7b', '--context', 'lots', '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/--context must be a positive integer, got 'lots'/);
  }, 60_000);
});
