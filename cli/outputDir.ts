/**
 * The output folder of `slim convert`, treated as hostile as its input: checked before anything
 * is created (an existing file, `/dev/null`, a path through a file, a missing or read-only
 * parent, `/proc/x` are refused at once, with the system error), written as a temporary
 * folder beside the target and renamed into place only when complete, so an interrupted or
 * failed conversion never leaves a folder that `check` or `run` would accept. An existing
 * output folder is never changed: only a new or empty one is accepted.
 */
import { constants } from 'node:fs';
import { access, lstat, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { systemErrorText } from '../engine/io/node';
import { CliUsageError } from './errors';

/** What a write error means, in words: "the disk is full" for ENOSPC … */
const MEANING: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EIO: 'an input/output error',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'a folder on the path does not exist (or cannot hold new files)',
};

export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A file-system error as a usage error about `--out`. */
export function outputError(out: string, what: string, error: unknown): CliUsageError {
  const code = errorCode(error);
  const meaning = code && Object.hasOwn(MEANING, code) ? `: ${MEANING[code]}` : '';
  return new CliUsageError(`--out ${out}: ${what} (${systemErrorText(error)})${meaning}`);
}

export interface PreparedOutput {
  /** The absolute target folder. */
  final: string;
  /** Its parent, checked to be an existing writable folder. */
  parent: string;
}

/**
 * Checks `out` without creating anything: it must not exist, or be an empty folder (not a
 * link), and its parent must be an existing folder we may write into.
 */
export async function checkOutput(out: string): Promise<PreparedOutput> {
  const final = resolve(out);
  const parent = dirname(final);
  let existing;
  try {
    existing = await lstat(final);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw outputError(out, 'cannot be used', error);
  }
  if (existing) {
    if (existing.isSymbolicLink())
      throw new CliUsageError(`--out ${out} is a symbolic link; give a new or empty directory`);
    if (!existing.isDirectory())
      throw new CliUsageError(
        `--out ${out} exists and is not a directory (a file or device); give a new or empty ` +
          'directory',
      );
    let entries: string[];
    try {
      entries = await readdir(final);
    } catch (error) {
      throw outputError(out, 'cannot be listed', error);
    }
    if (entries.length > 0)
      throw new CliUsageError(`--out ${out} is not empty; give a new or empty directory`);
  }
  let parentStat;
  try {
    parentStat = await stat(parent);
  } catch (error) {
    throw outputError(out, `its parent folder ${parent} cannot be used`, error);
  }
  if (!parentStat.isDirectory())
    throw new CliUsageError(`--out ${out}: its parent ${parent} is not a directory`);
  try {
    await access(parent, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw outputError(out, `its parent folder ${parent} is not writable`, error);
  }
  return { final, parent };
}

/** Creates the temporary folder beside the target (a hidden name ending in a random suffix). */
export async function createTemporary(out: string, prepared: PreparedOutput): Promise<string> {
  try {
    return await mkdtemp(join(prepared.parent, `.${basename(prepared.final)}.partial-`));
  } catch (error) {
    throw outputError(out, `cannot create a folder in ${prepared.parent}`, error);
  }
}

/** Moves the complete temporary folder into place (replacing an empty target folder only). */
export async function publish(out: string, temp: string, prepared: PreparedOutput): Promise<void> {
  try {
    await rename(temp, prepared.final);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR')
      throw new CliUsageError(
        `--out ${out} was created by something else while converting; nothing was written to it`,
      );
    throw outputError(out, 'cannot be put in place', error);
  }
}

/** Removes the temporary folder after a failure (best effort: the failure is what matters). */
export async function discard(temp: string): Promise<void> {
  await rm(temp, { recursive: true, force: true }).catch(() => undefined);
}
