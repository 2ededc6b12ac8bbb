import { EngineInputError, assertFinite } from '../tensor';
import type { Matrix64 } from './types';

/**
 * Largest 2-norm condition number σmax/σmin we still invert. A float64 solve loses about
 * log10(cond) of its ~16 digits (relative error ≲ cond·eps64, eps64 ≈ 2.2e-16), so at 1e12
 * W_KV keeps only ~4 correct digits even in float64, and in float32 (eps32 ≈ 1.2e-7) the
 * reconstruction V = K·W_KV is pure noise long before that (paper Appendix A). Past this point we
 * call the matrix numerically singular: "has no usable inverse".
 */
export const MAX_CONDITION = 1e12;

export interface LinalgOptions {
  /** Where the matrix comes from, e.g. "layer 3, head 0"; named in error messages. */
  label?: string;
  /** Override the numerical-singularity threshold (default MAX_CONDITION). */
  maxCondition?: number;
}

function formatCondition(c: number): string {
  return Number.isFinite(c) ? c.toExponential(2) : '∞';
}

/**
 * W_K (or W_V, for the V-cache direction) has no inverse, or none that float64 can use.
 * conditionNumber is the 2-norm σmax/σmin: Infinity when a pivot (or singular value) is
 * exactly zero, a finite number above the threshold when the matrix is numerically singular.
 */
export class SingularMatrixError extends Error {
  readonly label?: string;
  readonly conditionNumber: number;
  readonly threshold: number;

  /**
   * consequence: the closing sentence; defaults to the K-cache case (W_K not invertible). The
   * V-cache direction (paper Appendices C, D, G) passes its own.
   */
  constructor(
    conditionNumber: number,
    options: LinalgOptions = {},
    consequence = 'W_K has no usable inverse here, so V cannot be recomputed from K ' +
      '(slim attention needs an invertible, well-conditioned W_K; paper Appendix A).',
    /** 'right inverse' for a wide matrix (rightInverse): it is rank-deficient, not singular. */
    inverse: 'inverse' | 'right inverse' = 'inverse',
  ) {
    const threshold = options.maxCondition ?? MAX_CONDITION;
    const where = options.label ? ` (${options.label})` : '';
    const state = inverse === 'inverse' ? 'singular' : 'rank-deficient';
    const why = Number.isFinite(conditionNumber)
      ? `is numerically ${state}: condition number ${formatCondition(conditionNumber)} exceeds ` +
        `${formatCondition(threshold)}, so even a float64 ${inverse} would carry errors of about ` +
        `cond·2.2e-16 ≈ ${formatCondition(conditionNumber * 2.220446049250313e-16)} relative`
      : `is ${state} (condition number ∞): its rows are linearly dependent, exactly or to ` +
        'within float64 rounding';
    super(`Matrix${where} ${why}. ${consequence}`);
    this.name = 'SingularMatrixError';
    if (options.label !== undefined) this.label = options.label;
    this.conditionNumber = conditionNumber;
    this.threshold = threshold;
  }
}

/**
 * A result (or a step towards it) lies outside float64's range: its entries would exceed the
 * largest finite float64 (≈ 1.8e308; float32's 3.4e38 for the float32 reconstruction check).
 * Underflow is not an error: it rounds towards 0 as float64 does. linalg scales its inputs by exact powers of two, so this
 * is thrown only when the true answer itself does not fit, e.g. the inverse of diag(1e-310,
 * 1e-310), whose entries are 1e310. log10Magnitude is the rounded base-10 exponent of the
 * offending value (Infinity when an intermediate overflowed and the size is unknown).
 */
export class MatrixRangeError extends EngineInputError {
  readonly label?: string;
  readonly log10Magnitude: number;

  constructor(
    what: string,
    log10Magnitude: number,
    options: LinalgOptions = {},
    advice = 'Rescale the input so that its entries, and this result, fit float64.',
    format: 'float64' | 'float32' = 'float64',
  ) {
    const largest = format === 'float64' ? '1.8e+308' : '3.4e+38';
    const size = Number.isFinite(log10Magnitude)
      ? `would hold values of about 1e+${log10Magnitude}, beyond ${format}'s largest finite ` +
        `value (about ${largest})`
      : `overflows ${format} (largest finite value about ${largest}) on the way`;
    super(`${what} ${size}, so it cannot be computed in ${format}. ${advice}`);
    this.name = 'MatrixRangeError';
    if (options.label !== undefined) this.label = options.label;
    this.log10Magnitude = log10Magnitude;
  }
}

/** Validates a Matrix64: integer non-zero dimensions, matching data length, finite values. */
export function assertMatrix(m: Matrix64, what: string): void {
  if (
    m === null ||
    typeof m !== 'object' ||
    !(m.data instanceof Float64Array) ||
    !Number.isInteger(m.rows) ||
    !Number.isInteger(m.cols)
  ) {
    throw new EngineInputError(`${what}: expected a Matrix64 {rows, cols, data: Float64Array}`);
  }
  if (m.rows <= 0 || m.cols <= 0) {
    throw new EngineInputError(`${what}: matrix is empty (${m.rows}×${m.cols})`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new EngineInputError(
      `${what}: ${m.rows}×${m.cols} needs ${m.rows * m.cols} values, data holds ${m.data.length}`,
    );
  }
  assertFinite(m.data, what, [m.rows, m.cols]);
}

export function assertSquare(m: Matrix64, what: string): void {
  assertMatrix(m, what);
  if (m.rows !== m.cols) {
    throw new EngineInputError(`${what}: needs a square matrix, got ${m.rows}×${m.cols}`);
  }
}

export function maxConditionOf(options: LinalgOptions | undefined): number {
  const t = options?.maxCondition ?? MAX_CONDITION;
  if (!(t >= 1)) {
    throw new EngineInputError(`maxCondition must be a number ≥ 1, got ${t}`);
  }
  return t;
}

/** Prefixes "what" with the label so input errors also say which layer they are about. */
export function labelled(what: string, options: LinalgOptions | undefined): string {
  return options?.label ? `${what} (${options.label})` : what;
}
