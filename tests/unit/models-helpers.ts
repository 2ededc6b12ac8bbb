/**
 * The unit tests' model helpers: the shared tiny checkpoints and float64 reference
 * (tests/shared/tinyModels.ts, also used by the WebGL harness page), plus model directories on
 * disk for the CLI tests (Node only).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export * from '../shared/tinyModels';

// ---- model directories on disk for the CLI tests ----

/** Writes the files into a new temporary directory and returns its path. */
export function writeModelDir(files: ReadonlyMap<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slim-model-'));
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
  return dir;
}

/** A fresh, not yet created, directory path. */
export function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'slim-out-')), 'out');
}
