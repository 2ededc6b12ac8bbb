/**
 * Exit codes of the `slim` command: 0 success, 1 an unexpected failure, 2 bad usage or bad
 * input (unknown option or id, a number that is missing, negative or not a number).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad usage or bad input: printed to stderr, exit code 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
