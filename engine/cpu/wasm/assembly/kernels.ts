/**
 * The float32 CPU kernels in WebAssembly SIMD (f32x4), written in AssemblyScript and built by
 * `npm run build:wasm` (scripts/build-wasm.ts: asc --enable simd -O3 --runtime stub) into
 * engine/cpu/wasm/kernelsWasm.ts. Not part of the app's TypeScript program: it has its own
 * tsconfig (AssemblyScript's types: v128, usize, load/store).
 *
 * Memory is managed by the JS side (engine/cpu/wasm/memory.ts): every argument is a byte
 * address into linear memory, every matrix row-major with a leading dimension (its row stride,
 * in floats). Products accumulate in f32x4 registers (register-blocked tiles: each loaded value
 * of b is used by every row of the tile, each of a by every column), then apply the epilogue
 * (bias, then activation) once per output element.
 *
 * The right operand b of gemm, gemmT and headBlock may be stored in half precision (`fmt`:
 * FMT_F16 or FMT_BF16, 2 bytes a value): a weight whose every value a half holds exactly is
 * kept so (engine/cpu/halfStorage.ts). Its values are widened to f32 as they are loaded (exact),
 * and the products are the same f32 operations in the same order as on an f32 copy: bit for bit
 * the same results with half the memory and half the bytes read. `hscale` is float16's
 * widening factor, 2^(112 − shift) for halves stored as w·2^shift (halfStorage.ts StoragePlan).
 */

/** Activation codes of the epilogue (engine/cpu/kernels.ts ACTIVATION). */
const ACT_GELU: i32 = 1;
const ACT_SILU: i32 = 2;

/** Storage formats of a right operand (engine/cpu/halfStorage.ts FORMAT_CODE). */
const FMT_F16: i32 = 1;
const FMT_BF16: i32 = 2;

/** Where the JS allocator may start: the first byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * c[i, j] = act(Σ_p a[i, p] · b[p, j] + bias[j]) for i < m, j < n (bias 0: none; act 0: none).
 * a is [m, k] with row stride lda, b [k, n] with row stride ldb, c [m, n] with row stride ldc.
 */
export function gemm(
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  m: i32,
  k: i32,
  n: i32,
  bias: usize,
  act: i32,
  fmt: i32,
  hscale: f32,
): void {
  const scale = f32x4.splat(hscale);
  if (fmt == FMT_F16) gemmOf<u16>(a, lda, b, ldb, c, ldc, m, k, n, scale);
  else if (fmt == FMT_BF16) gemmOf<i16>(a, lda, b, ldb, c, ldc, m, k, n, scale);
  else gemmOf<f32>(a, lda, b, ldb, c, ldc, m, k, n, scale);
  epilogue(c, ldc, m, n, bias, act);
}

/** gemm's products for b stored as B (f32; u16: float16 bits; i16: bfloat16 bits). */
function gemmOf<B>(
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  m: i32,
  k: i32,
  n: i32,
  scale: v128,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    rows4<B>(a + <usize>(i * lda) * 4, lda, b, ldb, c + <usize>(i * ldc) * 4, ldc, k, n, scale);
  }
  for (; i < m; i++)
    row1<B>(a + <usize>(i * lda) * 4, b, ldb, c + <usize>(i * ldc) * 4, k, n, scale);
}

/**
 * c[i, j] = act(Σ_p a[i, p] · b[j, p] + bias[j]): a times bᵀ, b [n, k] with row stride ldb
 * (the tied LM head, logits = x · wteᵀ). Dot products of rows, four rows of b at a time.
 */
export function gemmT(
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  m: i32,
  k: i32,
  n: i32,
  bias: usize,
  act: i32,
  fmt: i32,
  hscale: f32,
): void {
  const scale = f32x4.splat(hscale);
  if (fmt == FMT_F16) gemmTOf<u16>(a, lda, b, ldb, c, ldc, m, k, n, scale);
  else if (fmt == FMT_BF16) gemmTOf<i16>(a, lda, b, ldb, c, ldc, m, k, n, scale);
  else gemmTOf<f32>(a, lda, b, ldb, c, ldc, m, k, n, scale);
  epilogue(c, ldc, m, n, bias, act);
}

/** gemmT's products for b stored as B (see gemmOf). */
function gemmTOf<B>(
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  m: i32,
  k: i32,
  n: i32,
  scale: v128,
): void {
  const rb = <usize>ldb * sizeof<B>();
  for (let i = 0; i < m; i++) {
    const ar = a + <usize>(i * lda) * 4;
    const cr = c + <usize>(i * ldc) * 4;
    let j = 0;
    for (; j + 4 <= n; j += 4) dot4<B>(ar, b + <usize>j * rb, rb, cr + <usize>j * 4, k, scale);
    for (; j < n; j++) store<f32>(cr + <usize>j * 4, dot1<B>(ar, b + <usize>j * rb, k, scale));
  }
}

/**
 * The block-diagonal product of headBlockMatmul and attnWeightedSum: a is [heads·m, k] (head h's
 * rows at [h·m, (h+1)·m)), b [k, bHeads·width]; c [m, heads·width] gets a_h · b_⌊h/g⌋ in column
 * block h, g = heads / bHeads (1 but for grouped-query values: g heads share one value head,
 * read in place). With g = 1 every element of b is read by one head only.
 */
export function headBlock(
  a: usize,
  b: usize,
  c: usize,
  heads: i32,
  bHeads: i32,
  m: i32,
  k: i32,
  width: i32,
  fmt: i32,
  hscale: f32,
): void {
  const cols = heads * width;
  const g = heads / bHeads;
  const bytes: usize = fmt == FMT_F16 || fmt == FMT_BF16 ? 2 : 4;
  for (let h = 0; h < heads; h++) {
    const bOff = <usize>((h / g) * width) * bytes;
    const cOff = <usize>(h * width) * 4;
    gemm(
      a + <usize>(h * m * k) * 4,
      k,
      b + bOff,
      bHeads * width,
      c + cOff,
      cols,
      m,
      k,
      width,
      0,
      0,
      fmt,
      hscale,
    );
  }
}

/**
 * Attention scores of every head, unscaled: q [m, heads·dk], k [n, kvHeads·dk] (a K-cache);
 * c [heads·m, n] gets q_h · k_⌊h/g⌋ᵀ in rows [h·m, (h+1)·m), g = heads / kvHeads.
 */
function headScores(
  q: usize,
  k: usize,
  c: usize,
  heads: i32,
  kvHeads: i32,
  m: i32,
  n: i32,
  dk: i32,
  fmt: i32,
  hscale: f32,
): void {
  const cols = heads * dk;
  const g = heads / kvHeads;
  const bytes: usize = fmt == FMT_F16 || fmt == FMT_BF16 ? 2 : 4;
  for (let h = 0; h < heads; h++) {
    const qOff = <usize>(h * dk) * 4;
    const kOff = <usize>((h / g) * dk) * bytes;
    gemmT(
      q + qOff,
      cols,
      k + kOff,
      kvHeads * dk,
      c + <usize>(h * m * n) * 4,
      n,
      m,
      dk,
      n,
      0,
      0,
      fmt,
      hscale,
    );
  }
}

/**
 * attnProbs: softmax(q_h · k_⌊h/g⌋ᵀ · scale) per head with the causal mask (causal < 0: none;
 * else row i of a head sees columns j ≤ i + causal), into c [heads·m, n]; masked entries are 0.
 */
export function attnProbs(
  q: usize,
  k: usize,
  c: usize,
  heads: i32,
  kvHeads: i32,
  m: i32,
  n: i32,
  dk: i32,
  scale: f32,
  causal: i32,
  fmt: i32,
  hscale: f32,
): void {
  headScores(q, k, c, heads, kvHeads, m, n, dk, fmt, hscale);
  const rows = heads * m;
  for (let r = 0; r < rows; r++) {
    const visible = causal < 0 ? n : min(n, (r % m) + causal + 1);
    softmaxRow(c + <usize>(r * n) * 4, visible, n, scale);
  }
}

/**
 * p[0, n) ← softmax(p[0, visible) · scale), 0 past visible: the exponentials in float32 (expx4),
 * their sum in float64, each divided by it once.
 */
function softmaxRow(p: usize, visible: i32, n: i32, scale: f32): void {
  const sc = f32x4.splat(scale);
  let mx4 = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= visible; j += 4) mx4 = f32x4.max(mx4, f32x4.mul(v128.load(p + <usize>j * 4), sc));
  let mx = max(
    max(f32x4.extract_lane(mx4, 0), f32x4.extract_lane(mx4, 1)),
    max(f32x4.extract_lane(mx4, 2), f32x4.extract_lane(mx4, 3)),
  );
  for (; j < visible; j++) mx = max(mx, load<f32>(p + <usize>j * 4) * scale);
  const mxv = f32x4.splat(mx);
  let s0 = f64x2.splat(0);
  let s1 = s0;
  j = 0;
  for (; j + 4 <= visible; j += 4) {
    const o = <usize>j * 4;
    const e = expx4(f32x4.sub(f32x4.mul(v128.load(p + o), sc), mxv));
    v128.store(p + o, e);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1)));
  }
  let sum = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
  sum += f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  for (; j < visible; j++) {
    const o = <usize>j * 4;
    const e = f32x4.extract_lane(expx4(f32x4.splat(load<f32>(p + o) * scale - mx)), 0);
    store<f32>(p + o, e);
    sum += <f64>e;
  }
  const total = f32x4.splat(<f32>sum);
  j = 0;
  for (; j + 4 <= visible; j += 4) {
    const o = <usize>j * 4;
    v128.store(p + o, f32x4.div(v128.load(p + o), total));
  }
  const t = <f32>sum;
  for (; j < visible; j++) store<f32>(p + <usize>j * 4, load<f32>(p + <usize>j * 4) / t);
  for (; j < n; j++) store<f32>(p + <usize>j * 4, 0);
}

// ---------------------------------------------------------------- tiles

/**
 * One row of a against b: c = Σ_p a[p]·b[p, ·], eight rows of b at a time, each streamed from
 * start to end (the hardware prefetcher follows sequential streams; a wide matrix read in
 * column tiles would jump a whole row, often a page, at every step), adding into c, which stays
 * in L1 (n ≤ a few thousand).
 */
function row1<B>(a: usize, b: usize, ldb: i32, c: usize, k: i32, n: i32, scale: v128): void {
  const e: usize = sizeof<B>();
  const rb = <usize>ldb * e;
  const n4 = n & ~3;
  let p = 0;
  for (; p + 8 <= k; p += 8) {
    const ap = a + <usize>p * 4;
    const x0 = v128.load32_splat(ap, 0);
    const x1 = v128.load32_splat(ap, 4);
    const x2 = v128.load32_splat(ap, 8);
    const x3 = v128.load32_splat(ap, 12);
    const x4 = v128.load32_splat(ap, 16);
    const x5 = v128.load32_splat(ap, 20);
    const x6 = v128.load32_splat(ap, 24);
    const x7 = v128.load32_splat(ap, 28);
    const b0 = b + <usize>p * rb;
    const first = p == 0;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = b0 + <usize>j * e;
      let s = f32x4.add(
        f32x4.add(
          f32x4.add(f32x4.mul(x0, loadB<B>(o, scale)), f32x4.mul(x1, loadB<B>(o + rb, scale))),
          f32x4.add(
            f32x4.mul(x2, loadB<B>(o + 2 * rb, scale)),
            f32x4.mul(x3, loadB<B>(o + 3 * rb, scale)),
          ),
        ),
        f32x4.add(
          f32x4.add(
            f32x4.mul(x4, loadB<B>(o + 4 * rb, scale)),
            f32x4.mul(x5, loadB<B>(o + 5 * rb, scale)),
          ),
          f32x4.add(
            f32x4.mul(x6, loadB<B>(o + 6 * rb, scale)),
            f32x4.mul(x7, loadB<B>(o + 7 * rb, scale)),
          ),
        ),
      );
      const co = c + <usize>j * 4;
      if (!first) s = f32x4.add(v128.load(co), s);
      v128.store(co, s);
    }
    for (; j < n; j++) {
      const o = b0 + <usize>j * e;
      let s: f32 = 0;
      s += f32x4.extract_lane(x0, 0) * loadB1<B>(o, scale);
      s += f32x4.extract_lane(x1, 0) * loadB1<B>(o + rb, scale);
      s += f32x4.extract_lane(x2, 0) * loadB1<B>(o + 2 * rb, scale);
      s += f32x4.extract_lane(x3, 0) * loadB1<B>(o + 3 * rb, scale);
      s += f32x4.extract_lane(x4, 0) * loadB1<B>(o + 4 * rb, scale);
      s += f32x4.extract_lane(x5, 0) * loadB1<B>(o + 5 * rb, scale);
      s += f32x4.extract_lane(x6, 0) * loadB1<B>(o + 6 * rb, scale);
      s += f32x4.extract_lane(x7, 0) * loadB1<B>(o + 7 * rb, scale);
      const co = c + <usize>j * 4;
      if (!first) s += load<f32>(co);
      store<f32>(co, s);
    }
  }
  for (; p < k; p++) {
    const x = v128.load32_splat(a + <usize>p * 4);
    const b0 = b + <usize>p * rb;
    const first = p == 0;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j * 4;
      let s = f32x4.mul(x, loadB<B>(b0 + <usize>j * e, scale));
      if (!first) s = f32x4.add(v128.load(c + o), s);
      v128.store(c + o, s);
    }
    for (; j < n; j++) {
      const o = <usize>j * 4;
      let s = f32x4.extract_lane(x, 0) * loadB1<B>(b0 + <usize>j * e, scale);
      if (!first) s += load<f32>(c + o);
      store<f32>(c + o, s);
    }
  }
}

/** Four rows of a against b: 8 columns per tile (8 accumulators), then 4, then single columns. */
function rows4<B>(
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  k: i32,
  n: i32,
  scale: v128,
): void {
  const e: usize = sizeof<B>();
  const rb = <usize>ldb * e;
  const ra = <usize>lda * 4;
  const rc = <usize>ldc * 4;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    let s00 = f32x4.splat(0);
    let s01 = s00;
    let s10 = s00;
    let s11 = s00;
    let s20 = s00;
    let s21 = s00;
    let s30 = s00;
    let s31 = s00;
    let bp = b + <usize>j * e;
    let ap = a;
    for (let p = 0; p < k; p++) {
      const b0 = loadB<B>(bp, scale);
      const b1 = loadB<B>(bp + 4 * e, scale);
      const x0 = v128.load32_splat(ap);
      const x1 = v128.load32_splat(ap + ra);
      const x2 = v128.load32_splat(ap + 2 * ra);
      const x3 = v128.load32_splat(ap + 3 * ra);
      s00 = f32x4.add(s00, f32x4.mul(x0, b0));
      s01 = f32x4.add(s01, f32x4.mul(x0, b1));
      s10 = f32x4.add(s10, f32x4.mul(x1, b0));
      s11 = f32x4.add(s11, f32x4.mul(x1, b1));
      s20 = f32x4.add(s20, f32x4.mul(x2, b0));
      s21 = f32x4.add(s21, f32x4.mul(x2, b1));
      s30 = f32x4.add(s30, f32x4.mul(x3, b0));
      s31 = f32x4.add(s31, f32x4.mul(x3, b1));
      bp += rb;
      ap += 4;
    }
    const cp = c + <usize>j * 4;
    v128.store(cp, s00, 0);
    v128.store(cp, s01, 16);
    v128.store(cp + rc, s10, 0);
    v128.store(cp + rc, s11, 16);
    v128.store(cp + 2 * rc, s20, 0);
    v128.store(cp + 2 * rc, s21, 16);
    v128.store(cp + 3 * rc, s30, 0);
    v128.store(cp + 3 * rc, s31, 16);
  }
  for (; j + 4 <= n; j += 4) {
    let s0 = f32x4.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    let bp = b + <usize>j * e;
    let ap = a;
    for (let p = 0; p < k; p++) {
      const b0 = loadB<B>(bp, scale);
      s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), b0));
      s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(ap + ra), b0));
      s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(ap + 2 * ra), b0));
      s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(ap + 3 * ra), b0));
      bp += rb;
      ap += 4;
    }
    const cp = c + <usize>j * 4;
    v128.store(cp, s0);
    v128.store(cp + rc, s1);
    v128.store(cp + 2 * rc, s2);
    v128.store(cp + 3 * rc, s3);
  }
  for (let r = 0; r < 4; r++) {
    const ar = a + <usize>r * ra;
    const cr = c + <usize>r * rc;
    for (let jj = j; jj < n; jj++) {
      let s: f32 = 0;
      let bp = b + <usize>jj * e;
      for (let p = 0; p < k; p++) {
        s += load<f32>(ar + <usize>p * 4) * loadB1<B>(bp, scale);
        bp += rb;
      }
      store<f32>(cr + <usize>jj * 4, s);
    }
  }
}

/** c[0..4) = the dot products of row a with four rows of b (row stride rb bytes), length k. */
function dot4<B>(a: usize, b: usize, rb: usize, c: usize, k: i32, scale: v128): void {
  const e: usize = sizeof<B>();
  const b1 = b + rb;
  const b2 = b + 2 * rb;
  const b3 = b + 3 * rb;
  let s0 = f32x4.splat(0);
  let s1 = s0;
  let s2 = s0;
  let s3 = s0;
  let t0 = s0;
  let t1 = s0;
  let t2 = s0;
  let t3 = s0;
  let p = 0;
  for (; p + 8 <= k; p += 8) {
    const o = <usize>p * 4;
    const q = <usize>p * e;
    const r = q + 4 * e;
    const x = v128.load(a + o);
    const y = v128.load(a + o, 16);
    s0 = f32x4.add(s0, f32x4.mul(x, loadB<B>(b + q, scale)));
    s1 = f32x4.add(s1, f32x4.mul(x, loadB<B>(b1 + q, scale)));
    s2 = f32x4.add(s2, f32x4.mul(x, loadB<B>(b2 + q, scale)));
    s3 = f32x4.add(s3, f32x4.mul(x, loadB<B>(b3 + q, scale)));
    t0 = f32x4.add(t0, f32x4.mul(y, loadB<B>(b + r, scale)));
    t1 = f32x4.add(t1, f32x4.mul(y, loadB<B>(b1 + r, scale)));
    t2 = f32x4.add(t2, f32x4.mul(y, loadB<B>(b2 + r, scale)));
    t3 = f32x4.add(t3, f32x4.mul(y, loadB<B>(b3 + r, scale)));
  }
  for (; p + 4 <= k; p += 4) {
    const o = <usize>p * 4;
    const q = <usize>p * e;
    const x = v128.load(a + o);
    s0 = f32x4.add(s0, f32x4.mul(x, loadB<B>(b + q, scale)));
    s1 = f32x4.add(s1, f32x4.mul(x, loadB<B>(b1 + q, scale)));
    s2 = f32x4.add(s2, f32x4.mul(x, loadB<B>(b2 + q, scale)));
    s3 = f32x4.add(s3, f32x4.mul(x, loadB<B>(b3 + q, scale)));
  }
  let r0 = hsum(f32x4.add(s0, t0));
  let r1 = hsum(f32x4.add(s1, t1));
  let r2 = hsum(f32x4.add(s2, t2));
  let r3 = hsum(f32x4.add(s3, t3));
  for (; p < k; p++) {
    const q = <usize>p * e;
    const x = load<f32>(a + <usize>p * 4);
    r0 += x * loadB1<B>(b + q, scale);
    r1 += x * loadB1<B>(b1 + q, scale);
    r2 += x * loadB1<B>(b2 + q, scale);
    r3 += x * loadB1<B>(b3 + q, scale);
  }
  store<f32>(c, r0, 0);
  store<f32>(c, r1, 4);
  store<f32>(c, r2, 8);
  store<f32>(c, r3, 12);
}

/** The dot product of rows a and b, length k. */
function dot1<B>(a: usize, b: usize, k: i32, scale: v128): f32 {
  const e: usize = sizeof<B>();
  let s0 = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + <usize>p * 4), loadB<B>(b + <usize>p * e, scale)));
  }
  let r = hsum(s0);
  for (; p < k; p++) r += load<f32>(a + <usize>p * 4) * loadB1<B>(b + <usize>p * e, scale);
  return r;
}

/**
 * Four values of b as f32x4: f32 as stored; bfloat16 bits shifted into the top half; float16
 * bits sign-extended and shifted 13 places up (the sign lands in bit 31, the exponent and
 * mantissa in bits 27..13; the mask clears the sign's copies between), which is the stored
 * value times 2^-112, then times `scale` = 2^(112 − shift) (exact; subnormal halves too, but
 * those go through a float32 subnormal, slow on x86, which is why halfStorage.ts stores a
 * tensor holding them shifted). Infinities and NaNs never reach here (halfStorage.ts keeps
 * only finite halves).
 */
function loadB<B>(p: usize, scale: v128): v128 {
  if (isFloat<B>()) return v128.load(p);
  if (isSigned<B>()) return i32x4.shl(v128.load16x4_u(p), 16);
  return f32x4.mul(v128.and(i32x4.shl(v128.load16x4_s(p), 13), F16_MASK), scale);
}

/** One value of b as f32 (loadB's conversion). */
function loadB1<B>(p: usize, scale: v128): f32 {
  if (isFloat<B>()) return load<f32>(p);
  if (isSigned<B>()) return reinterpret<f32>((<u32>load<u16>(p)) << 16);
  const widened = reinterpret<f32>(((<i32>load<i16>(p)) << 13) & F16_MASK_I);
  return widened * f32x4.extract_lane(scale, 0);
}

/** Bits 31 and 27..13: the sign, exponent and mantissa of a float16 shifted 13 places up. */
const F16_MASK_I: i32 = <i32>0x8fffe000;
const F16_MASK: v128 = i32x4.splat(F16_MASK_I);

function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

// ---------------------------------------------------------------- epilogue

/**
 * c = act(c + bias) over [m, n] (row stride ldc), four values at a time: the bias in float32, as
 * the product, then GELU (tanh form = GPT-2's gelu_new) or SiLU, both as v·sigmoid(z):
 * 0.5·(1 + tanh y) = sigmoid(2y), so GELU is v·sigmoid(2·√(2/π)·(v + 0.044715·v³)) and SiLU
 * v·sigmoid(v), with one expx4 each and no cancellation for negative v.
 */
function epilogue(c: usize, ldc: i32, m: i32, n: i32, bias: usize, act: i32): void {
  if (bias == 0 && act == 0) return;
  const one = f32x4.splat(1);
  const geluC = f32x4.splat(-2 * 0.7978845608028654);
  const geluC3 = f32x4.splat(-2 * 0.7978845608028654 * 0.044715);
  for (let i = 0; i < m; i++) {
    const cr = c + <usize>(i * ldc) * 4;
    for (let j = 0; j < n; j += 4) {
      // The last group of a row with n % 4 ≠ 0 is loaded and stored lane by lane.
      const full = j + 4 <= n;
      const o = <usize>j * 4;
      let v = full ? v128.load(cr + o) : loadPartial(cr + o, n - j);
      if (bias != 0) v = f32x4.add(v, full ? v128.load(bias + o) : loadPartial(bias + o, n - j));
      if (act == ACT_GELU) {
        const minus2y = f32x4.mul(v, f32x4.add(geluC, f32x4.mul(geluC3, f32x4.mul(v, v))));
        v = f32x4.div(v, f32x4.add(one, expx4(minus2y)));
      } else if (act == ACT_SILU) {
        v = f32x4.div(v, f32x4.add(one, expx4(f32x4.neg(v))));
      }
      if (full) v128.store(cr + o, v);
      else storePartial(cr + o, v, n - j);
    }
  }
}

/**
 * e^x of four floats, Cephes' expf: x = n·ln 2 + r with |r| ≤ ln(2)/2 (ln 2 split in two parts
 * for an exact reduction), a degree-7 polynomial for e^r, and 2^n built in the exponent bits.
 * Inputs are clamped to ±88.376 (e^x stays finite; below, the result is 0); about 1 unit in
 * the last place of float32 (tests/unit/cpu-kernels.test.ts bounds the activations' error).
 */
function expx4(a: v128): v128 {
  let x = f32x4.max(f32x4.min(a, f32x4.splat(88.3762626647949)), f32x4.splat(-88.3762626647949));
  const fx = f32x4.floor(
    f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)),
  );
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.1219444e-4)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(1.98756915e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), f32x4.splat(1));
  // 2^n: n + 127 in the exponent field (n ≥ −127 after the clamp; n = −127 gives 0).
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

/** count < 4 floats from p, the other lanes 0. */
function loadPartial(p: usize, count: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** The first count < 4 lanes of v to p. */
function storePartial(p: usize, v: v128, count: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
