/** The unit tests' way to run the `slim` CLI in-process: exit code, stdout and stderr. */
import { expect } from 'vitest';
import { captureIo } from '../../cli/io';
import { runCli } from '../../cli/main';
import type { RunJson } from '../../cli/contract';

/** Runs `slim …argv` in this process; never throws for a failing command. */
export async function slim(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

/** `slim run …argv --json`, which must succeed silently; its document, keys in contract order. */
export async function runJson(...argv: string[]): Promise<RunJson> {
  const r = await slim('run', ...argv, '--json');
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.out) as RunJson;
  expect(Object.keys(doc)).toEqual(['generated', 'lastLogits', 'cacheBytes', 'slimScheme']);
  return doc;
}
