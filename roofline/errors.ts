/**
 * Thrown for any invalid input to the cost model: a negative or non-finite size, an unknown
 * catalog id, a model missing a field a formula needs. Functions throw instead of returning
 * NaN (errors are part of the lesson: never NaN).
 */
export class RooflineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RooflineInputError';
  }
}

/** A count such as d, h, layers, context length or batch: a finite integer ≥ 1. */
export function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RooflineInputError(`${what} must be a positive integer, got ${String(value)}`);
  }
}

/** A count that may be zero (e.g. decoder tokens before generation starts). */
export function assertNonNegativeInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RooflineInputError(`${what} must be a non-negative integer, got ${String(value)}`);
  }
}

/** A finite real > 0 (bytes per value may be fractional: 0.5 for 4-bit, 1.58/8 for BitNet). */
export function assertPositiveNumber(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RooflineInputError(`${what} must be a positive finite number, got ${String(value)}`);
  }
}
