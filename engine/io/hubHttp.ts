/**
 * The HTTP side of Hub downloads: a fetch whose failure is explained (cancelled, a redirect that
 * went wrong, or an unreachable server), the Hub's refusals (404, 401, 403) as messages, and the
 * headers that say how long a body is.
 */
import { HubError } from './errors';

/** The file a request is about. */
export type Where = { repo: string; revision: string; file: string };

/** What the messages need of a client. */
export interface HubEndpoint {
  readonly endpoint: string;
  readonly token: string | undefined;
  readonly fetchImpl: typeof fetch;
}

export function abortError(where: Where, cause: unknown) {
  return new HubError(
    'aborted',
    where,
    `Download of ${where.file} from ${where.repo} was cancelled.`,
    { cause },
  );
}

/** Total length from "bytes start-end/total"; returns [start, total]. */
export function parseContentRange(value: string | null): [number, number | undefined] | null {
  const m = value ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim()) : null;
  if (!m) return null;
  return [Number(m[1]), m[3] === '*' ? undefined : Number(m[3])];
}

/** The body's length as stored: Content-Length when the body is not content-encoded. */
export function storedLength(response: Response): number | undefined {
  const contentLength = response.headers.get('content-length');
  const encoding = response.headers.get('content-encoding');
  return contentLength !== null &&
    /^\d+$/.test(contentLength) &&
    (!encoding || encoding === 'identity')
    ? Number(contentLength)
    : undefined;
}

/** How many redirects the diagnosis follows (fetch itself gives up after 20). */
const MAX_REDIRECTS = 20;

/** fetch, with a failure explained: cancelled, a redirect that went wrong, or unreachable. */
export async function send(
  hub: HubEndpoint,
  url: string,
  where: Where,
  init: RequestInit,
): Promise<Response> {
  try {
    return await hub.fetchImpl(url, init);
  } catch (err) {
    if (init.signal?.aborted) throw abortError(where, err);
    const redirect = await redirectProblem(hub.fetchImpl, url, init);
    if (init.signal?.aborted) throw abortError(where, err);
    if (redirect)
      throw new HubError(
        'redirect',
        where,
        `${hub.endpoint} was reached, but it answered the request for ${where.file} from ` +
          `${where.repo} with ${redirect}, so the file could not be downloaded. ` +
          'Check the Hub address, or the server.',
        { cause: err },
      );
    const detail = err instanceof Error ? err.message : String(err);
    throw new HubError(
      'network',
      where,
      `Could not reach ${hub.endpoint} to download ${where.file} from ${where.repo} ` +
        `(${detail}). Check the connection and try again.`,
      { cause: err },
    );
  }
}

/**
 * After a failed fetch: asks again without following redirects. A browser shows only that
 * there was a redirect (an opaque answer); elsewhere the chain is followed step by step to
 * name the loop or the address that cannot be fetched. Undefined when no redirect was seen.
 */
async function redirectProblem(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
): Promise<string | undefined> {
  const seen = new Set<string>();
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    seen.add(current);
    let response: Response;
    try {
      // Past the first hop only the method travels: an access token never goes to another host.
      const ask: RequestInit =
        hop === 0 ? { ...init } : { method: init.method, signal: init.signal };
      response = await fetchImpl(current, { ...ask, redirect: 'manual' });
    } catch {
      return hop === 0 ? undefined : `a redirect to ${current}, which could not be reached`;
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.type === 'opaqueredirect')
      return (
        'a redirect that the browser would not follow (a redirect loop, a redirect to an ' +
        'address that is not http or https such as file: or javascript:, or to another host ' +
        'that does not allow this page to read from it)'
      );
    if (response.status < 300 || response.status > 399)
      return hop === 0 ? undefined : `a redirect to ${current}, which then failed`;
    const location = response.headers.get('location');
    if (!location) return `a redirect (${response.status}) that names no address`;
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return `a redirect to "${location}", which is not an address`;
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      return `a redirect to a ${next.protocol} address (${location.slice(0, 80)}), which is never followed: only http and https are`;
    if (seen.has(next.href)) return `a redirect loop (${current} redirects back to ${next.href})`;
    current = next.href;
  }
  return `more than ${MAX_REDIRECTS} redirects in a row`;
}

/** The error (or 'missing') for a 404, 401 or 403 answer. */
export function refusal(hub: HubEndpoint, response: Response, where: Where): 'missing' {
  const status = response.status;
  const at = { ...where, status };
  if (status === 404) {
    const code = response.headers.get('x-error-code');
    if (code === 'RepoNotFound' || code === 'RevisionNotFound') {
      const what =
        code === 'RepoNotFound'
          ? `Repo ${where.repo} does not exist`
          : `Repo ${where.repo} has no revision ${where.revision}`;
      throw new HubError('not-found', at, `${what} (while looking for ${where.file}).`);
    }
    return 'missing';
  }
  throw new HubError(
    'unauthorized',
    at,
    status === 401
      ? `Repo ${where.repo} is gated or private (or does not exist): the Hub refused ` +
          `${where.file} without ${hub.token ? 'a token that has access' : 'an access token'}.`
      : `Repo ${where.repo} is gated: this token has no access to ${where.file}; accept the ` +
          'license on the model page, or use a token that has access.',
  );
}
