/** The loader's error: a checkpoint that cannot be loaded, naming the file at fault. */

/** A checkpoint that cannot be loaded: `file` is the file at fault, `problem` the sentence. */
export class ModelLoadError extends Error {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ModelLoadError';
    this.file = file;
    this.problem = problem;
  }
}
