/**
 * Hub addresses and files, checked before any request and before anything is cached: the Hub
 * address (http or https only, no credentials), repo ids, revisions and file paths as the Hub
 * allows them, and whether downloaded bytes (or a source of them) are the file their name says.
 */
import { bufferSource, type ByteSource } from './bytes';
import { CheckpointFormatError, HubError } from './errors';
import { openSafetensors } from './safetensors';

/** The public Hub. Tests and mirrors pass their own endpoint. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

const NAME = /^[A-Za-z0-9_.-]{1,96}$/;

/** Checks a repo id ("name" or "owner/name") as the Hub does; returns a reason, or null. */
export function repoIdProblem(repo: string): string | null {
  if (typeof repo !== 'string' || repo === '') return 'a repo id cannot be empty';
  const parts = repo.split('/');
  if (parts.length > 2) return 'a repo id has at most one "/" (owner/name)';
  for (const p of parts) {
    if (!NAME.test(p)) return 'each part of a repo id is 1–96 letters, digits, "-", "_" or "."';
    if (p.startsWith('-') || p.startsWith('.') || p.endsWith('-') || p.endsWith('.'))
      return 'a repo id part cannot start or end with "-" or "."';
    if (p.includes('--') || p.includes('..')) return 'a repo id cannot contain "--" or ".."';
  }
  return null;
}

/**
 * Checks a Hub address (e.g. from a link's `?hub=`): an http or https URL without user name,
 * password, query or fragment. Returns a reason, or null.
 */
export function hubAddressProblem(endpoint: string): string | null {
  if (typeof endpoint !== 'string' || endpoint.trim() === '')
    return `the address is empty; the public Hub is ${DEFAULT_HUB_ENDPOINT}`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `it is not a URL (a Hub address looks like ${DEFAULT_HUB_ENDPOINT})`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `it is a ${url.protocol} address; only http and https addresses are fetched`;
  if (url.username || url.password)
    return 'it contains a user name or password, which are never sent; remove them (gated repos need an access token)';
  if (url.search || url.hash)
    return 'it has a query (?…) or fragment (#…); give the address the resolve/ paths start from';
  return null;
}

export function checkRequest(endpoint: string, repo: string, revision: string, file: string): void {
  const where = { repo, revision, file };
  const addressProblem = hubAddressProblem(endpoint);
  if (addressProblem)
    throw new HubError(
      'invalid-request',
      where,
      `The Hub address "${endpoint}" cannot be used: ${addressProblem}.`,
    );
  const repoProblem = repoIdProblem(repo);
  if (repoProblem)
    throw new HubError(
      'invalid-request',
      where,
      `"${repo}" is not a valid repo id: ${repoProblem}.`,
    );
  if (typeof revision !== 'string' || revision === '' || revision.split('/').includes('..'))
    throw new HubError(
      'invalid-request',
      where,
      `"${revision}" is not a valid revision (a branch, tag or commit hash).`,
    );
  if (
    typeof file !== 'string' ||
    file === '' ||
    file.startsWith('/') ||
    file.split('/').some((s) => s === '' || s === '.' || s === '..')
  )
    throw new HubError('invalid-request', where, `"${file}" is not a valid file path in a repo.`);
}

export const trimEndpoint = (endpoint: string) => endpoint.trim().replace(/\/+$/, '');

/** The Hub's resolve URL of a file. */
export function resolveUrl(
  repo: string,
  revision: string,
  file: string,
  endpoint = DEFAULT_HUB_ENDPOINT,
): string {
  checkRequest(endpoint, repo, revision, file);
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${trimEndpoint(endpoint)}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`;
}

/**
 * Why the file a source reads is not a usable `file`, or null, as hubFileProblem says; a
 * .safetensors file is checked through its header and the tiling of its tensors (read by
 * ranges, never whole), other files are read whole (they are small).
 */
export async function sourceProblem(file: string, source: ByteSource): Promise<string | null> {
  if (!file.endsWith('.safetensors'))
    return hubFileProblem(file, await source.read(0, source.size));
  try {
    await openSafetensors(source);
    return null;
  } catch (err) {
    if (err instanceof CheckpointFormatError) return err.problem.replace(/\.$/, '');
    throw err;
  }
}

/**
 * Why `bytes` are not a usable `file`, or null: a .json file must be UTF-8 JSON, a .txt file
 * UTF-8, a .safetensors file a valid header whose tensors end exactly at the end of the file.
 */
export async function hubFileProblem(file: string, bytes: Uint8Array): Promise<string | null> {
  if (file.endsWith('.safetensors')) return sourceProblem(file, bufferSource(bytes, file));
  if (!file.endsWith('.json') && !file.endsWith('.txt')) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'it is not UTF-8 text';
  }
  if (!file.endsWith('.json')) return null;
  try {
    JSON.parse(text);
    return null;
  } catch (err) {
    const html = /^\s*</.test(text) ? ' — the server sent an HTML page, not the file' : '';
    return `it is not valid JSON (${err instanceof Error ? err.message : String(err)})${html}`;
  }
}
