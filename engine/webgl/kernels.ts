/**
 * GLSL ES 3.0 kernels of the WebGL2 backend. Each kernel is a fragment shader body that defines
 * `vec4 compute(int row, int t)`: the 4 output values of texel t (columns 4t … 4t+3) of output
 * row `row`. The generator (program.ts) adds the texel fetch helpers for each input X:
 *   X_tex(row, t)  → vec4 of columns 4t … 4t+3 (lanes past the row's end are 0)
 *   X_val(row, c)  → one value
 * and the uniform `ivec4 X_l` = (texW, width, cols, rows). Uniforms listed in `uniforms` are
 * declared as `u_<name>`. Shaders are written to be read: one loop per reduction, no tricks.
 *
 * A kernel with `outputs: 4` or `8` instead defines
 *   void computeBlock(int row, int t, out mat4 lo, out mat4 hi)
 * and draws into that many render targets at once: target i gets column i of lo (i < 4) or
 * column i − 4 of hi. The register-tiled matmul uses it to produce a block of 4 or 8 rows × 4
 * columns of the product per fragment.
 */

export type UniformType = 'int' | 'float';

export interface KernelSpec {
  name: string;
  inputs: readonly string[];
  uniforms: Readonly<Record<string, UniformType>>;
  /** Compile-time switches (e.g. an activation); part of the program cache key. */
  defines?: Readonly<Record<string, number>>;
  /** Shared helper functions placed before the body (kept out of it so the body reads alone). */
  prelude?: string;
  /** Render targets written per fragment: 1 (`compute`), 4 or 8 (`computeBlock`). */
  outputs?: 1 | 4 | 8;
  body: string;
}

/** Compile-time ACT codes of the fused activation (kernels with an `activate` epilogue). */
export const ACTIVATION_CODE = { none: 0, gelu: 1, silu: 2 } as const;

/** Compile-time OP codes of the `elementwise` kernel. */
export const ELEMENTWISE_OP = { add: 0, mul: 1, scale: 2 } as const;

/** Compile-time PAIRING codes of the `rope` kernel (Appendix E). */
export const ROPE_PAIRING_CODE = { half: 0, interleaved: 1 } as const;

const GELU_GLSL = /* glsl */ `
// GPT-2 "gelu_new": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). The tanh argument is
// clamped: tanh is ±1 to float precision past |15|, and some drivers return NaN for huge inputs.
vec4 gelu4(vec4 x) {
  vec4 inner = clamp(0.7978845608028654 * (x + 0.044715 * x * x * x), -15.0, 15.0);
  return 0.5 * x * (1.0 + tanh(inner));
}
vec4 silu4(vec4 x) { return x / (1.0 + exp(-x)); }
vec4 activate(vec4 x) {
#if ACT == ${ACTIVATION_CODE.gelu}
  return gelu4(x);
#elif ACT == ${ACTIVATION_CODE.silu}
  return silu4(x);
#else
  return x;
#endif
}`;

/** Compile-time NORM codes of a product's prologue (linear's RowNorm). */
export const NORM_CODE = { none: 0, layerNorm: 1, rmsNorm: 2 } as const;

/**
 * GLSL shared by normStats and the products' norm prologue: the mean (when `subtractMean`, a
 * preprocessor condition, holds; else 0, RMSNorm) and the variance v of row r of texture `tex`,
 * in two passes (mean first) so the variance stays accurate.
 */
function rowMeanVariance(tex: string, subtractMean: string): string {
  return `  int n = ${tex}_l.z, texW = ${tex}_l.x;
  float mean = 0.0;
#if ${subtractMean}
  vec4 s = vec4(0.0);
  for (int i = 0; i < texW; i++) s += ${tex}_tex(r, i);
  mean = (s.x + s.y + s.z + s.w) / float(n);
#endif
  vec4 q = vec4(0.0);
  int full = n / 4;
  for (int i = 0; i < texW; i++) {
    vec4 d = ${tex}_tex(r, i) - mean;
    // Padding lanes of the last texel are 0, not mean: mask them out of the sum.
    if (i >= full) d *= vec4(lessThan(ivec4(i * 4) + ivec4(0, 1, 2, 3), ivec4(n)));
    q += d * d;
  }
  float v = (q.x + q.y + q.z + q.w) / float(n);
`;
}

/**
 * A product's prologue norm (NORM, NORM_CODE) on A's rows, γ in G and β in Bt. The row
 * statistics come from St (texel 0 of row r: normStats's (mean, rstd)) when NORM_STATS, else the
 * fragment computes them from A's row itself, with normStats's two passes: for a decode row of
 * a few thousand values, cheaper than a draw of its own.
 */
const NORM_GLSL = /* glsl */ `
vec2 rowStats(int r) {
#if NORM_STATS
  return St_tex(r, 0).xy;
#else
${rowMeanVariance('A', `NORM == ${NORM_CODE.layerNorm}`)}  return vec2(mean, inversesqrt(v + u_eps));
#endif
}
// Texel a of a row with statistics st, normalised; g and bt are γ and β at the same texel. The
// padding lanes stay 0: γ and β are 0 there.
vec4 normed(vec4 a, vec2 st, vec4 g, vec4 bt) {
#if NORM == ${NORM_CODE.layerNorm}
  return (a - st.x) * st.y * g + bt;
#elif NORM == ${NORM_CODE.rmsNorm}
  return a * st.y * g;
#else
  return a;
#endif
}`;

/** dst rows [off, off + n) ← src rows [0, n). The generic main skips rows outside the range. */
export const copyRows: KernelSpec = {
  name: 'copyRows',
  inputs: ['S'],
  uniforms: { off: 'int' },
  body: `vec4 compute(int row, int t) { return S_tex(row - u_off, t); }`,
};

export const sliceRows: KernelSpec = {
  name: 'sliceRows',
  inputs: ['X'],
  uniforms: { start: 'int' },
  body: `vec4 compute(int row, int t) { return X_tex(row + u_start, t); }`,
};

/** Columns [start, …) of X; one value per lane because `start` need not be a multiple of 4. */
export const sliceCols: KernelSpec = {
  name: 'sliceCols',
  inputs: ['X'],
  uniforms: { start: 'int', cols: 'int' },
  body: `vec4 compute(int row, int t) {
  vec4 r = vec4(0.0);
  for (int l = 0; l < 4; l++) {
    int c = t * 4 + l;
    if (c < u_cols) r[l] = X_val(row, u_start + c);
  }
  return r;
}`,
};

/** [A | B] side by side: columns < A's width come from A, the rest from B. */
export const concat2: KernelSpec = {
  name: 'concat2',
  inputs: ['A', 'B'],
  uniforms: {},
  body: `vec4 compute(int row, int t) {
  vec4 r = vec4(0.0);
  int ca = A_l.z, cb = B_l.z;
  for (int l = 0; l < 4; l++) {
    int c = t * 4 + l;
    if (c < ca) r[l] = A_val(row, c);
    else if (c < ca + cb) r[l] = B_val(row, c - ca);
  }
  return r;
}`,
};

/**
 * GLSL shared by the one-row products (matmulNN, matmulNT): the epilogue of texel t in output
 * row `row`: + bias, the activation, × the gating product acc2 (+ its bias), + the residual.
 */
function productEpilogue(row: string): string {
  return `#if BIAS
  acc += Bias_tex(0, t);
#endif
  acc = activate(acc);
#if TIMES
#if TIMES_BIAS
  acc2 += Bias2_tex(0, t);
#endif
  acc *= acc2;
#endif
#if RESIDUAL
  acc += Res_tex(${row}, t);
#endif
  return acc;
`;
}

/**
 * Packed matrix product, one output texel (4 columns) per fragment, optionally one K-chunk of a
 * split-K product (then output row s·m + r holds chunk s's partial sum for row r).
 *
 *   out[r, 4t:4t+4] = act(Σ_k norm(A)[r', k] · B[k, 4t:4t+4] + bias) + residual[r, 4t:4t+4]
 *
 * A texel of A carries 4 consecutive k; the 4 matching B texels form a mat4, so each loop step
 * is 5 fetches for 16 multiply-adds. With HEAD_ROWS, A holds one block of m rows per head and
 * the head of output column c is c / u_headCols (paper §2 option 2: u_i · W_KV,i for all
 * heads in one product; also Σ_j p_ij v_j). The prologue NORM normalises A's row (linear's
 * RowNorm); BIAS, ACT and RESIDUAL fuse the epilogue when not split, and TIMES multiplies the
 * activated result by a second product A·B2 (+ Bias2) of the same rows (linear's `times`).
 */
export const matmulNN: KernelSpec = {
  name: 'matmulNN',
  inputs: ['A', 'B', 'Bias', 'Res', 'G', 'Bt', 'St', 'B2', 'Bias2'],
  uniforms: { m: 'int', kChunk: 'int', headCols: 'int', eps: 'float' },
  defines: {
    HEAD_ROWS: 0,
    BIAS: 0,
    ACT: 0,
    RESIDUAL: 0,
    NORM: 0,
    NORM_STATS: 0,
    K_ALIGNED: 0,
    TIMES: 0,
    TIMES_BIAS: 0,
  },
  prelude: GELU_GLSL + NORM_GLSL,
  body: `vec4 compute(int orow, int t) {
  int s = orow / u_m;
  int out_r = orow - s * u_m;
  int r = out_r;
#if HEAD_ROWS
  r += ((t * 4) / u_headCols) * u_m;
#endif
  int kTex = A_l.x;
  int k = B_l.w;
  int k0 = s * u_kChunk;
  int k1 = min(k0 + u_kChunk, kTex);
#if NORM
  vec2 st = rowStats(r);
#endif
  vec4 acc = vec4(0.0);
  vec4 acc2 = vec4(0.0);
  for (int kt = k0; kt < k1; kt++) {
#if NORM
    vec4 a = normed(A_tex(r, kt), st, G_tex(0, kt), Bt_tex(0, kt));
#else
    vec4 a = A_tex(r, kt);
#endif
    int kk = kt * 4;
#if K_ALIGNED
    ivec4 rows = ivec4(kk) + ivec4(0, 1, 2, 3);
#else
    // Rows past k are clamped; their A lanes are 0, so they add nothing.
    ivec4 rows = min(ivec4(kk) + ivec4(0, 1, 2, 3), ivec4(k - 1));
#endif
    mat4 b = mat4(B_tex(rows.x, t), B_tex(rows.y, t), B_tex(rows.z, t), B_tex(rows.w, t));
    acc += b * a;
#if TIMES
    mat4 b2 = mat4(B2_tex(rows.x, t), B2_tex(rows.y, t), B2_tex(rows.z, t), B2_tex(rows.w, t));
    acc2 += b2 * a;
#endif
  }
${productEpilogue('out_r')}}`,
};

/**
 * Per-lane fallback of matmulNN with HEAD_ROWS for head widths that are not a multiple of 4
 * (a texel then straddles two heads). Correct for any shape; used only for awkward sizes.
 */
export const headMatmulLanes: KernelSpec = {
  name: 'headMatmulLanes',
  inputs: ['A', 'B'],
  uniforms: { m: 'int', kChunk: 'int', headCols: 'int' },
  body: `vec4 compute(int orow, int t) {
  int s = orow / u_m;
  int r0 = orow - s * u_m;
  int kTex = A_l.x;
  int k0 = s * u_kChunk;
  int k1 = min(k0 + u_kChunk, kTex);
  int k = B_l.w, n = B_l.z;
  vec4 acc = vec4(0.0);
  for (int l = 0; l < 4; l++) {
    int c = min(t * 4 + l, n - 1);
    int r = r0 + (c / u_headCols) * u_m;
    float sum = 0.0;
    for (int kt = k0; kt < k1; kt++) {
      int kk = kt * 4;
      vec4 b = vec4(B_val(kk, c), B_val(min(kk + 1, k - 1), c),
                    B_val(min(kk + 2, k - 1), c), B_val(min(kk + 3, k - 1), c));
      sum += dot(A_tex(r, kt), b);
    }
    acc[l] = sum;
  }
  return acc;
}`,
};

/**
 * a · bᵀ with b stored [n, k]: both operands are packed along k, so output column j is a
 * plain dot product of two texel rows (the tied GPT-2 head: x · wteᵀ). Prologue and epilogue
 * as matmulNN.
 */
export const matmulNT: KernelSpec = {
  name: 'matmulNT',
  inputs: ['A', 'B', 'Bias', 'Res', 'G', 'Bt', 'St', 'B2', 'Bias2'],
  uniforms: { m: 'int', kChunk: 'int', eps: 'float' },
  defines: { BIAS: 0, ACT: 0, RESIDUAL: 0, NORM: 0, NORM_STATS: 0, TIMES: 0, TIMES_BIAS: 0 },
  prelude: GELU_GLSL + NORM_GLSL,
  body: `vec4 compute(int orow, int t) {
  int s = orow / u_m;
  int r = orow - s * u_m;
  int kTex = A_l.x;
  int n = B_l.w;
  int k0 = s * u_kChunk;
  int k1 = min(k0 + u_kChunk, kTex);
  int j = t * 4;
  int j1 = min(j + 1, n - 1), j2 = min(j + 2, n - 1), j3 = min(j + 3, n - 1);
#if NORM
  vec2 st = rowStats(r);
#endif
  vec4 acc = vec4(0.0);
  vec4 acc2 = vec4(0.0);
  for (int kt = k0; kt < k1; kt++) {
#if NORM
    vec4 a = normed(A_tex(r, kt), st, G_tex(0, kt), Bt_tex(0, kt));
#else
    vec4 a = A_tex(r, kt);
#endif
    acc += vec4(dot(a, B_tex(j, kt)), dot(a, B_tex(j1, kt)),
                dot(a, B_tex(j2, kt)), dot(a, B_tex(j3, kt)));
#if TIMES
    acc2 += vec4(dot(a, B2_tex(j, kt)), dot(a, B2_tex(j1, kt)),
                 dot(a, B2_tex(j2, kt)), dot(a, B2_tex(j3, kt)));
#endif
  }
${productEpilogue('r')}}`,
};

/**
 * Register-tiled packed product for m > 1: each fragment computes a block of BLOCK_ROWS (8, or 4
 * where the GPU has fewer than 8 render targets) output rows × 4 columns, and writes row i of
 * the block to render target i; unblockRows puts the rows back in order, adding split-K
 * partials and the fused epilogue.
 *
 *   out[r, 4t:4t+4] = Σ_k A[r, k] · B[k, 4t:4t+4]      (TRANS_B: B[4t:4t+4, k], B stored [n, k])
 *
 * Per step of 4 k: 4 B texels (a mat4) and one A texel per row feed 16 multiply-adds per row:
 * 12 fetches for 128 with 8 rows, where the one-row kernel needs 5 for 16. Each B texel serves
 * all rows of the block and each A texel 4 columns, so the fetches per output value, SwiftShader's
 * bottleneck, drop 3.3×. Block row s·u_blockRows + rb holds K-chunk s's partial sums (split-K).
 * HEAD_ROWS as in matmulNN: A holds one block of m rows per head (option 2's u · W_KV). NORM
 * normalises A's rows on the fly (linear's RowNorm), with their statistics from St.
 */
export function matmulTiledSpec(blockRows: 4 | 8): KernelSpec {
  return {
    name: 'matmulTiled',
    inputs: ['A', 'B', 'G', 'Bt', 'St'],
    outputs: blockRows,
    uniforms: { m: 'int', blockRows: 'int', kChunk: 'int', headCols: 'int', eps: 'float' },
    // The prologue norm reads each row's statistics from St (a normStats draw before).
    defines: {
      BLOCK_ROWS: blockRows,
      TRANS_B: 0,
      HEAD_ROWS: 0,
      K_ALIGNED: 0,
      NORM: 0,
      NORM_STATS: 1,
    },
    prelude: NORM_GLSL,
    body: `void computeBlock(int orow, int t, out mat4 lo, out mat4 hi) {
  int s = orow / u_blockRows;
  int rb = orow - s * u_blockRows;
  int first = 0;
#if HEAD_ROWS
  first = ((t * 4) / u_headCols) * u_m;
#endif
  // Rows past m in the last block repeat row m-1; unblockRows never reads them back.
  ivec4 r = first + min(ivec4(rb * BLOCK_ROWS) + ivec4(0, 1, 2, 3), ivec4(u_m - 1));
  ivec4 r2 = first + min(ivec4(rb * BLOCK_ROWS) + ivec4(4, 5, 6, 7), ivec4(u_m - 1));
  int k0 = s * u_kChunk;
  int k1 = min(k0 + u_kChunk, A_l.x);
#if TRANS_B
  ivec4 j = min(ivec4(t * 4) + ivec4(0, 1, 2, 3), ivec4(B_l.w - 1));
#else
  int kLast = B_l.w - 1;
#endif
  lo = mat4(0.0);
  hi = mat4(0.0);
#if NORM
  vec2 s0 = rowStats(r.x), s1 = rowStats(r.y), s2 = rowStats(r.z), s3 = rowStats(r.w);
  vec2 s4 = rowStats(r2.x), s5 = rowStats(r2.y), s6 = rowStats(r2.z), s7 = rowStats(r2.w);
#define A_ROW(row, st) normed(A_tex(row, kt), st, g, bt)
#else
#define A_ROW(row, st) A_tex(row, kt)
#endif
  for (int kt = k0; kt < k1; kt++) {
#if NORM
    vec4 g = G_tex(0, kt), bt = Bt_tex(0, kt);
#endif
#if TRANS_B
    // Column l of b: B[j_l, 4kt:4kt+4]; a · b = (dot(a, b[0]), …, dot(a, b[3])).
    mat4 b = mat4(B_tex(j.x, kt), B_tex(j.y, kt), B_tex(j.z, kt), B_tex(j.w, kt));
#define MAC(a) ((a) * b)
#elif K_ALIGNED
    // Column i of b: row 4kt+i of B; b · a = Σ_i a[i] · B[4kt+i, 4t:4t+4].
    int kk = kt * 4;
    mat4 b = mat4(B_tex(kk, t), B_tex(kk + 1, t), B_tex(kk + 2, t), B_tex(kk + 3, t));
#define MAC(a) (b * (a))
#else
    // Rows past k are clamped; their A lanes are 0, so they add nothing.
    int kk = kt * 4;
    mat4 b = mat4(B_tex(kk, t), B_tex(min(kk + 1, kLast), t),
                  B_tex(min(kk + 2, kLast), t), B_tex(min(kk + 3, kLast), t));
#define MAC(a) (b * (a))
#endif
    // Written out, not looped: a dynamically indexed mat4 can spill out of registers.
    lo[0] += MAC(A_ROW(r.x, s0));
    lo[1] += MAC(A_ROW(r.y, s1));
    lo[2] += MAC(A_ROW(r.z, s2));
    lo[3] += MAC(A_ROW(r.w, s3));
#if BLOCK_ROWS == 8
    hi[0] += MAC(A_ROW(r2.x, s4));
    hi[1] += MAC(A_ROW(r2.y, s5));
    hi[2] += MAC(A_ROW(r2.z, s6));
    hi[3] += MAC(A_ROW(r2.w, s7));
#endif
  }
}`,
  };
}

/** The tiled product's kernel as the app shows it (8-row blocks). */
export const matmulTiled: KernelSpec = matmulTiledSpec(8);

/**
 * Back to row order after matmulTiled: output row r is row r mod BLOCK_ROWS of block
 * r / BLOCK_ROWS, i.e. target R{r mod BLOCK_ROWS}; split-K partials (block rows
 * s·u_blockRows + r / BLOCK_ROWS) are summed here, then the fused bias, activation and residual.
 */
export const unblockRows: KernelSpec = {
  name: 'unblockRows',
  inputs: ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'Bias', 'Res'],
  uniforms: { blockRows: 'int', splits: 'int' },
  defines: { BLOCK_ROWS: 8, BIAS: 0, ACT: 0, RESIDUAL: 0 },
  prelude: GELU_GLSL,
  body: `vec4 target(int i, int row, int t) {
  switch (i) {
    case 0: return R0_tex(row, t);
    case 1: return R1_tex(row, t);
    case 2: return R2_tex(row, t);
    case 3: return R3_tex(row, t);
    case 4: return R4_tex(row, t);
    case 5: return R5_tex(row, t);
    case 6: return R6_tex(row, t);
    default: return R7_tex(row, t);
  }
}
vec4 compute(int r, int t) {
  int rb = r / BLOCK_ROWS;
  int i = r - rb * BLOCK_ROWS;
  vec4 acc = vec4(0.0);
  for (int s = 0; s < u_splits; s++) acc += target(i, s * u_blockRows + rb, t);
#if BIAS
  acc += Bias_tex(0, t);
#endif
  acc = activate(acc);
#if RESIDUAL
  acc += Res_tex(r, t);
#endif
  return acc;
}`,
};

/** Sums the split-K partials (rows s·m + r) and applies the fused bias, activation and residual. */
export const reduceSplits: KernelSpec = {
  name: 'reduceSplits',
  inputs: ['P', 'Bias', 'Res'],
  uniforms: { m: 'int', splits: 'int' },
  defines: { BIAS: 0, ACT: 0, RESIDUAL: 0 },
  prelude: GELU_GLSL,
  body: `vec4 compute(int r, int t) {
  vec4 acc = vec4(0.0);
  for (int s = 0; s < u_splits; s++) acc += P_tex(s * u_m + r, t);
#if BIAS
  acc += Bias_tex(0, t);
#endif
  acc = activate(acc);
#if RESIDUAL
  acc += Res_tex(r, t);
#endif
  return acc;
}`,
};

/** Elementwise kernels (ELEMENTWISE_OP): a+b, a·b, a·u_f. */
export const elementwise: KernelSpec = {
  name: 'elementwise',
  inputs: ['A', 'B'],
  uniforms: { f: 'float' },
  defines: { OP: 0 },
  body: `vec4 compute(int row, int t) {
  vec4 a = A_tex(row, t);
#if OP == ${ELEMENTWISE_OP.add}
  return a + B_tex(row, t);
#elif OP == ${ELEMENTWISE_OP.mul}
  return a * B_tex(row, t);
#else
  return a * u_f;
#endif
}`,
};

/**
 * Row statistics for layerNorm / rmsNorm: texel 0 of row r = (mean, 1/sqrt(var + eps)) or
 * (0, 1/sqrt(mean(x²) + eps)). Two passes over the row (mean first) keep the variance accurate.
 */
export const normStats: KernelSpec = {
  name: 'normStats',
  inputs: ['X'],
  uniforms: { eps: 'float' },
  defines: { RMS: 0 },
  body: `vec4 compute(int r, int t) {
${rowMeanVariance('X', '!RMS')}  return vec4(mean, inversesqrt(v + u_eps), 0.0, 0.0);
}`,
};

/** (x − mean) · rstd · γ (+ β): the second pass of layerNorm / rmsNorm. */
export const normApply: KernelSpec = {
  name: 'normApply',
  inputs: ['X', 'S', 'G', 'Bt'],
  uniforms: {},
  defines: { RMS: 0 },
  body: `vec4 compute(int r, int t) {
  vec4 st = S_tex(r, 0);
  vec4 y = (X_tex(r, t) - st.x) * st.y * G_tex(0, t);
#if !RMS
  y += Bt_tex(0, t);
#endif
  return y;
}`,
};

/**
 * GLSL shared by attnScores and attnDecode: the four scaled scores q_r·k_j (j = j.x … j.w) of
 * one head, returned from the enclosing function. Needs `head`, `r` and `ivec4 j`.
 */
const SCALED_SCORES4 = `  vec4 acc = vec4(0.0);
  // Query head i reads key head i / u_group (grouped-query attention: u_group query
  // heads share one key/value head, read in place; 1 for MHA).
  int kvHead = head / u_group;
#if PACKED_HEADS
  // d_k is a multiple of 4: head i is texels [i·d_k/4, (i+1)·d_k/4) of each row.
  int h0 = head * (u_headDim / 4);
  int kShift = kvHead * (u_headDim / 4) - h0;
  for (int x = h0; x < h0 + u_headDim / 4; x++) {
    vec4 q = Q_tex(r, x);
    int kx = x + kShift;
    acc += vec4(dot(q, K_tex(j.x, kx)), dot(q, K_tex(j.y, kx)),
                dot(q, K_tex(j.z, kx)), dot(q, K_tex(j.w, kx)));
  }
#else
  int c0 = head * u_headDim;
  int kShift = kvHead * u_headDim - c0;
  for (int c = c0; c < c0 + u_headDim; c++) {
    float q = Q_val(r, c);
    int kc = c + kShift;
    acc += q * vec4(K_val(j.x, kc), K_val(j.y, kc), K_val(j.z, kc), K_val(j.w, kc));
  }
#endif
  return acc * u_scale;
`;

/**
 * Attention scores for all heads: row i·m + r, column j = scale · q_i[r] · k_i[j]
 * (paper §1, the softmax argument; 2·n·d_k OPs per head). q [m, h·d_k], k [n, h·d_k]. The
 * causal mask is applied by the softmax passes, which know the row's position.
 */
export const attnScores: KernelSpec = {
  name: 'attnScores',
  inputs: ['Q', 'K'],
  uniforms: { m: 'int', headDim: 'int', scale: 'float', group: 'int' },
  defines: { PACKED_HEADS: 1 },
  body: `vec4 compute(int orow, int t) {
  int head = orow / u_m;
  int r = orow - head * u_m;
  int n = K_l.w;
  ivec4 j = min(ivec4(t * 4) + ivec4(0, 1, 2, 3), ivec4(n - 1));
${SCALED_SCORES4}}`,
};

/**
 * softmax(q_i k_iᵀ · scale + mask) · v per head in one pass over the keys (attention for decode
 * rows): output texel t of query row r runs the online softmax (running max M and sum L,
 * rescaled when M grows) over the keys its row may see, 4 at a time, and accumulates the
 * weighted value texels; one division at the end.
 *
 *   per-head (ALL_COLS 0): out[r, 4t:4t+4]     = Σ_j p_ij v[j, 4t':4t'+4], i = 4t / u_dv
 *   all      (ALL_COLS 1): out[i·m + r, 4t:4t+4] = Σ_j p_ij v[j, 4t:4t+4] (slim option 2's s_i·K)
 *
 * where t' = t for MHA; with grouped-query attention (u_group query heads per key/value head)
 * head i reads key and value head i / u_group in place, t' = t + (i/u_group − i)·u_dv/4.
 *
 * SCORES 0: the scores are computed in the loop from Q and K (PACKED_HEADS as attnScores), so
 * each fragment repeats its head's q·k: one draw for the whole attention. SCORES 1: they come
 * scaled from S [heads·m, n] (an attnScores draw before), for long contexts where repeating
 * them would cost more than the draw.
 */
export const attnDecode: KernelSpec = {
  name: 'attnDecode',
  inputs: ['Q', 'K', 'V', 'S'],
  uniforms: {
    m: 'int',
    headDim: 'int',
    dv: 'int',
    scale: 'float',
    causal: 'int',
    group: 'int',
  },
  defines: { SCORES: 0, ALL_COLS: 0, PACKED_HEADS: 1 },
  body: `vec4 scores4(int head, int r, int j0, int n) {
  ivec4 j = min(ivec4(j0) + ivec4(0, 1, 2, 3), ivec4(n - 1));
#if SCORES
  return S_tex(head * u_m + r, j0 / 4);
#else
${SCALED_SCORES4}#endif
}
vec4 compute(int orow, int t) {
#if ALL_COLS
  int head = orow / u_m;
  int r = orow - head * u_m;
  int tv = t;
#else
  int r = orow;
  int head = (t * 4) / u_dv;
  int tv = t + (head / u_group - head) * (u_dv / 4);
#endif
  int n = V_l.w;
  int visible = u_causal < 0 ? n : min(n, r + u_causal + 1);
  float mx = -3.0e38;
  float sum = 0.0;
  vec4 acc = vec4(0.0);
  for (int j0 = 0; j0 < visible; j0 += 4) {
    // Keys past the visible ones get weight exp(-3e38 - M) = 0.
    bvec4 seen = lessThan(ivec4(j0) + ivec4(0, 1, 2, 3), ivec4(visible));
    vec4 s = mix(vec4(-3.0e38), scores4(head, r, j0, n), seen);
    float m2 = max(max(mx, max(s.x, s.y)), max(s.z, s.w));
    float c = exp(mx - m2);
    vec4 w = exp(s - m2);
    ivec4 j = min(ivec4(j0) + ivec4(0, 1, 2, 3), ivec4(n - 1));
    acc = acc * c + w.x * V_tex(j.x, tv) + w.y * V_tex(j.y, tv) + w.z * V_tex(j.z, tv)
        + w.w * V_tex(j.w, tv);
    sum = sum * c + (w.x + w.y + w.z + w.w);
    mx = m2;
  }
  return acc / sum;
}`,
};

const SOFTMAX_MASK_GLSL = /* glsl */ `
// Row r of the scores may see columns j <= (r mod u_maskRows) + u_causal (paper §2: decode of
// the token at position n-1 sees all n keys). u_causal < 0 means no mask.
int visibleCols(int r) {
  int n = X_l.z;
  if (u_causal < 0) return n;
  return min(n, r - (r / u_maskRows) * u_maskRows + u_causal + 1);
}`;

/**
 * Flash-decoding style softmax statistics, stage 1: texel c of row r = (max, Σ exp(x − max)) over
 * chunk c (u_chunk texels) of the visible columns. Long rows are split across many fragments,
 * so one decode step at n = 4096 keys still spreads over the GPU.
 */
export const softmaxChunkStats: KernelSpec = {
  name: 'softmaxChunkStats',
  inputs: ['X'],
  uniforms: { chunk: 'int', causal: 'int', maskRows: 'int' },
  body: `${SOFTMAX_MASK_GLSL}
vec4 compute(int r, int c) {
  int visible = visibleCols(r);
  int t0 = c * u_chunk;
  int t1 = min(t0 + u_chunk, (visible + 3) / 4);
  float mx = -3.0e38;
  for (int t = t0; t < t1; t++) {
    vec4 x = X_tex(r, t);
    for (int l = 0; l < 4; l++) if (t * 4 + l < visible) mx = max(mx, x[l]);
  }
  float sum = 0.0;
  for (int t = t0; t < t1; t++) {
    vec4 x = X_tex(r, t);
    for (int l = 0; l < 4; l++) if (t * 4 + l < visible) sum += exp(x[l] - mx);
  }
  return vec4(mx, sum, 0.0, 0.0);
}`,
};

/**
 * Stage 2: combine chunk statistics with the running max/sum rule
 *   M = max(M, m_c),  S = S·exp(M_old − M) + s_c·exp(m_c − M).
 */
export const softmaxCombine: KernelSpec = {
  name: 'softmaxCombine',
  inputs: ['C'],
  uniforms: {},
  body: `vec4 compute(int r, int t) {
  float mx = -3.0e38;
  float sum = 0.0;
  for (int c = 0; c < C_l.x; c++) {
    vec4 st = C_tex(r, c);
    if (st.y == 0.0) continue; // an empty (fully masked) chunk
    float m2 = max(mx, st.x);
    sum = sum * exp(mx - m2) + st.y * exp(st.x - m2);
    mx = m2;
  }
  return vec4(mx, sum, 0.0, 0.0);
}`,
};

/** Stage 3: p = exp(x − max) / sum on visible columns, 0 on masked ones. */
export const softmaxApply: KernelSpec = {
  name: 'softmaxApply',
  inputs: ['X', 'S'],
  uniforms: { causal: 'int', maskRows: 'int' },
  body: `${SOFTMAX_MASK_GLSL}
vec4 compute(int r, int t) {
  vec4 st = S_tex(r, 0);
  int visible = visibleCols(r);
  vec4 p = exp(X_tex(r, t) - st.x) / st.y;
  return p * vec4(lessThan(ivec4(t * 4) + ivec4(0, 1, 2, 3), ivec4(visible)));
}`,
};

/**
 * RoPE (paper Appendix E) with a host-computed table T (float64 cos/sin rounded once): row r holds
 * cos(m θ_p) in columns [0, rd/2) and sin(m θ_p) in [rd/2, rd), m = position of row r.
 * Rotation by +mθ as Hugging Face (paper Appendix E writes the same with −θ); u_sign = −1 inverts.
 * PAIRING (ROPE_PAIRING_CODE): half (j, j + rd/2) or interleaved (2j, 2j + 1).
 */
export const rope: KernelSpec = {
  name: 'rope',
  inputs: ['X', 'T'],
  uniforms: { headDim: 'int', rotaryDim: 'int', sign: 'float' },
  defines: { PAIRING: 0 },
  body: `vec4 compute(int r, int t) {
  vec4 y = X_tex(r, t);
  int n = X_l.z;
  int half_ = u_rotaryDim / 2;
  for (int l = 0; l < 4; l++) {
    int c = t * 4 + l;
    if (c >= n) break;
    int j = c - (c / u_headDim) * u_headDim;
    if (j >= u_rotaryDim) continue;
#if PAIRING == ${ROPE_PAIRING_CODE.half}
    bool first = j < half_;
    int p = first ? j : j - half_;
    int partner = first ? c + half_ : c - half_;
#else
    bool first = (j & 1) == 0;
    int p = j / 2;
    int partner = first ? c + 1 : c - 1;
#endif
    float cs = T_val(r, p);
    float sn = T_val(r, half_ + p) * u_sign;
    float x = X_val(r, c);
    float xp = X_val(r, partner);
    // Pair (x1, x2) → (x1 cos − x2 sin, x1 sin + x2 cos), the CPU backend's convention.
    y[l] = first ? x * cs - xp * sn : xp * sn + x * cs;
  }
  return y;
}`,
};

/** Rows of a table picked by ids (stored as exact small floats in I). */
export const gather: KernelSpec = {
  name: 'gather',
  inputs: ['T', 'I'],
  uniforms: {},
  body: `vec4 compute(int r, int t) { return T_tex(int(I_val(r, 0) + 0.5), t); }`,
};

/**
 * argmax stage 1: texel c of row r = (max, index of its first occurrence, non-finite flag, the
 * first non-finite value) over chunk c. An op upstream may have overflowed float32 (WebGL ops
 * do not stop at ±∞ or NaN as the CPU backend's do); such values are never a maximum, they are
 * passed on so that stage 2 can hand them to read(), which refuses them.
 */
export const argmaxChunk: KernelSpec = {
  name: 'argmaxChunk',
  inputs: ['X'],
  uniforms: { chunk: 'int' },
  body: `vec4 compute(int r, int c) {
  int n = X_l.z;
  int t0 = c * u_chunk;
  int t1 = min(t0 + u_chunk, X_l.x);
  float best = -3.4e38;
  int at = t0 * 4;
  float bad = 0.0;
  float badValue = 0.0;
  for (int t = t0; t < t1; t++) {
    vec4 x = X_tex(r, t);
    for (int l = 0; l < 4; l++) {
      int j = t * 4 + l;
      if (j >= n) continue;
      // All exponent bits set: ±∞ or NaN (bit test, since NaN comparisons may be optimised away).
      if ((floatBitsToUint(x[l]) & 0x7f800000u) == 0x7f800000u) {
        if (bad == 0.0) { bad = 1.0; badValue = x[l]; }
      } else if (x[l] > best) { best = x[l]; at = j; }
    }
  }
  return vec4(best, float(at), bad, badValue);
}`,
};

/**
 * argmax stage 2: the first chunk holding the row's maximum wins (ties → lowest index). A row
 * with a non-finite value gets that value instead of an index, so read() reports the overflow
 * rather than returning an index chosen among the values that survived it.
 */
export const argmaxCombine: KernelSpec = {
  name: 'argmaxCombine',
  inputs: ['C'],
  uniforms: {},
  body: `vec4 compute(int r, int t) {
  vec4 best = C_tex(r, 0);
  vec4 bad = best;
  for (int c = 1; c < C_l.x; c++) {
    vec4 x = C_tex(r, c);
    if (bad.z < 0.5 && x.z > 0.5) bad = x;
    if (x.x > best.x) best = x;
  }
  return vec4(bad.z > 0.5 ? bad.w : best.y, 0.0, 0.0, 0.0);
}`,
};
