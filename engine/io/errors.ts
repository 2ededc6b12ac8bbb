/**
 * Typed errors of engine/io. Every message is a plain sentence that names the file (and the
 * tensor, shard, repo or revision) it is about, so the UI and the CLI can show it as is.
 */

/** A checkpoint file that is not a valid safetensors file or shard index. */
export class CheckpointFormatError extends Error {
  /** The file at fault, as the caller named it (e.g. "model.safetensors"). */
  readonly file: string;
  /** The problem on its own, without the file name. */
  readonly problem: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'CheckpointFormatError';
    this.file = file;
    this.problem = problem;
  }
}

/** A tensor or shard the caller asked for (or the index promised) is not there. */
export class CheckpointMissingError extends Error {
  readonly kind: 'tensor' | 'shard' | 'weights';
  /** The missing tensor name, shard file name, or (for 'weights') the checkpoint's name. */
  readonly missing: string;
  /** The file that names or should hold it (the index, the shard, or the checkpoint). */
  readonly file: string;
  constructor(
    kind: 'tensor' | 'shard' | 'weights',
    missing: string,
    file: string,
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointMissingError';
    this.kind = kind;
    this.missing = missing;
    this.file = file;
  }
}

export type HubErrorKind =
  | 'invalid-request'
  | 'not-found'
  | 'unauthorized'
  | 'http'
  | 'network'
  | 'truncated'
  | 'aborted'
  /** The server answered with a redirect that cannot be followed (a loop, file:, javascript:, …). */
  | 'redirect'
  /** The file arrived but is not what its name says (an HTML page as config.json, a cut-off safetensors). */
  | 'malformed'
  /** A file or the model is over its size limit (engine/io/limits.ts). */
  | 'too-large'
  /** config.json describes a model this engine cannot run. */
  | 'unsupported';

/** A Hugging Face Hub download that failed; `kind` says how. */
export class HubError extends Error {
  readonly kind: HubErrorKind;
  readonly repo: string;
  readonly revision: string;
  readonly file: string;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  constructor(
    kind: HubErrorKind,
    where: { repo: string; revision: string; file: string; status?: number },
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HubError';
    this.kind = kind;
    this.repo = where.repo;
    this.revision = where.revision;
    this.file = where.file;
    this.status = where.status;
  }
}
