/**
 * Float64 linear algebra for the offline slim conversion (paper §1, §3, Appendix A): LU with
 * partial pivoting, inverse, solve, right inverse, SVD-based condition numbers.
 */
export {
  type Matrix64,
  matrix64,
  fromRows,
  toRows,
  identity64,
  transpose64,
  matmul64,
  vecMat,
  maxAbsDiff,
  maxAbs,
} from './matrix';
export {
  MAX_CONDITION,
  MatrixRangeError,
  SingularMatrixError,
  type LinalgOptions,
  assertMatrix,
  assertSquare,
} from './errors';
export {
  type LuFactors,
  condition1Estimate,
  luDecompose,
  luSolve,
  det,
  solve,
  inverse,
  norm1,
} from './lu';
export { rightInverse, leftDivide } from './rightInverse';
export { singularValues, conditionNumber } from './svd';
