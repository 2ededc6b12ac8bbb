/**
 * A dense row-major float64 matrix on the host. linalg/ works only in float64: W_KV is computed
 * offline in float64 (paper Appendix A), whatever dtype the model runs in afterwards.
 */
export interface Matrix64 {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}
