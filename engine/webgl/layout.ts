/**
 * How a logical [rows, cols] float32 tensor sits in an RGBA32F texture.
 *
 * Each texel packs 4 consecutive columns of one row (columns are the reduction dimension of
 * x·W, q·kᵀ and p·V in this engine), so a row of `cols` values is `texW = ceil(cols / 4)`
 * texels. Lanes past `cols` in the last texel are always 0: kernels rely on that when they
 * sum whole texels.
 *
 * Three layouts, chosen by shape (a compile-time switch of each shader's fetch, so the common
 * case pays nothing for the others):
 *   'none'  texel (row, t) at pixel (t, row): the tensor fits MAX_TEXTURE_SIZE as it is.
 *   'rows'  too tall (GPT-2's 50257-row embedding, the tied head): 2^s whole rows side by side
 *           per pixel row, so a row never straddles two pixel rows. Texel (row, t) is at pixel
 *           ((row & (2^s − 1))·texW + t, row >> s): a mask, a shift and a multiply-add.
 *   'wide'  too wide (a logits row of 50257 values): each row takes `lines` whole pixel rows of
 *           width 2^s. Texel (row, t) is at pixel (t & (2^s − 1), row·lines + (t >> s)).
 *   'linear' the fallback when neither fits (rounding to powers of two wastes up to half the
 *           texture): texel index i = row·texW + t at pixel (i mod width, i div width). It costs
 *           an integer division and a modulo per fetch by a width known only at run time; as the
 *           only fold, it made SwiftShader spend ~40% of a GPT-2-small decode step on them in
 *           the tied head's product.
 *
 * In all three, a row starts `rowStride` texels after the previous one in pixel-row-major
 * order, which is what upload, readback and the row ranges of a draw need.
 */
import { EngineInputError, shapeString, type Shape } from '../tensor';

export type FoldKind = 'none' | 'rows' | 'wide' | 'linear';

export interface TextureLayout {
  rows: number;
  cols: number;
  /** Texels per logical row. */
  texW: number;
  /** Texture width and height in pixels. */
  width: number;
  height: number;
  fold: FoldKind;
  /**
   * 'rows': log2 of the rows per pixel row; 'wide': log2 of the texture width; 'none': 0.
   */
  shift: number;
  /** 'wide': pixel rows per logical row; otherwise 1. */
  lines: number;
  /** Texels from the start of one row to the next, counting pixels in row-major order. */
  rowStride: number;
  /**
   * A column view (Backend.colsView): its first column is texel colOffset of the storage's row,
   * whose own texels per row are rowStride ('rows' and 'linear' folds step rows by it). texW and
   * cols are the view's; the other fields its storage's. Undefined for a whole tensor.
   */
  colOffset?: number;
}

export class TextureLimitError extends EngineInputError {
  constructor(message: string) {
    super(message);
    this.name = 'TextureLimitError';
  }
}

/** log2 of the largest power of two ≤ v (v ≥ 1). */
const floorLog2 = (v: number): number => Math.floor(Math.log2(v));

/**
 * Which folds a backend may use: 'aligned' (the default) picks 'rows' or 'wide' and falls back
 * to 'linear'; 'linear' folds everything linearly, as before the aligned folds existed (kept so
 * the bench can time both in one page).
 */
export type FoldPolicy = 'aligned' | 'linear';

/**
 * Spread rows: a computed result of at most SPREAD_MAX_ROWS rows (a decode row) that is wider
 * than SPREAD_TEXELS texels gets the 'wide' fold with lines of SPREAD_TEXELS texels, so that a
 * one-row product covers many pixel rows. Rasterizers that share out pixel rows among their
 * threads (SwiftShader) then run it on all of them, as split-K's partial rows once did; a GPU
 * does not mind (one shift and mask per fetch).
 */
export const SPREAD_TEXELS = 16;
export const SPREAD_MAX_ROWS = 4;

export function layoutFor(
  shape: Shape,
  maxTextureSize: number,
  what = 'tensor',
  policy: FoldPolicy = 'aligned',
  spread = false,
): TextureLayout {
  if (shape.length < 1 || shape.length > 2 || shape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new EngineInputError(
      `${what}: shape ${shapeString(shape)} is not a valid rank-1 or rank-2 shape`,
    );
  }
  const rows = shape.length === 1 ? 1 : shape[0];
  const cols = shape[shape.length - 1];
  const texW = Math.ceil(cols / 4);
  const max = maxTextureSize;
  const spreadLines = Math.ceil(texW / SPREAD_TEXELS);
  if (
    spread &&
    policy === 'aligned' &&
    rows <= SPREAD_MAX_ROWS &&
    spreadLines > 1 &&
    rows * spreadLines <= max
  ) {
    const width = SPREAD_TEXELS;
    const shift = floorLog2(width);
    const lines = spreadLines;
    return {
      rows,
      cols,
      texW,
      width,
      height: rows * lines,
      fold: 'wide',
      shift,
      lines,
      rowStride: lines * width,
    };
  }
  if (texW <= max && rows <= max) {
    return { ...base(rows, cols, texW), width: texW, height: rows, fold: 'none' };
  }
  if (policy === 'linear') {
    // Straight to the linear fold below.
  } else if (texW <= max) {
    const shift = floorLog2(max / texW);
    const height = Math.ceil(rows / 2 ** shift);
    if (height <= max) {
      return { ...base(rows, cols, texW), width: 2 ** shift * texW, height, fold: 'rows', shift };
    }
  } else {
    const shift = floorLog2(max);
    const lines = Math.ceil(texW / 2 ** shift);
    if (rows * lines <= max) {
      const width = 2 ** shift;
      const height = rows * lines;
      return {
        rows,
        cols,
        texW,
        width,
        height,
        fold: 'wide',
        shift,
        lines,
        rowStride: lines * width,
      };
    }
  }
  const texels = rows * texW;
  const height = Math.ceil(texels / max);
  if (height > max) {
    throw new TextureLimitError(
      `${what} ${shapeString(shape)} needs ${texels} RGBA texels, more than this GPU's ` +
        `${max}×${max} texture limit (MAX_TEXTURE_SIZE)`,
    );
  }
  return { ...base(rows, cols, texW), width: max, height, fold: 'linear' };
}

const base = (rows: number, cols: number, texW: number) => ({
  rows,
  cols,
  texW,
  shift: 0,
  lines: 1,
  rowStride: texW,
});

/** Pixel rows [y0, y1) that hold logical rows [r0, r1). */
export function pixelRowsOf(layout: TextureLayout, r0: number, r1: number): [number, number] {
  switch (layout.fold) {
    case 'none':
      return [r0, r1];
    case 'rows':
      return [r0 >> layout.shift, Math.ceil(r1 / 2 ** layout.shift)];
    case 'wide':
      return [r0 * layout.lines, r1 * layout.lines];
    case 'linear':
      return [
        Math.floor((r0 * layout.rowStride) / layout.width),
        Math.ceil((r1 * layout.rowStride) / layout.width),
      ];
  }
}

/** Host row-major [rows, cols] → padded texel data for the whole texture. */
export function packRows(data: ArrayLike<number>, layout: TextureLayout): Float32Array {
  const out = new Float32Array(layout.width * layout.height * 4);
  const { rows, cols, rowStride } = layout;
  for (let r = 0; r < rows; r++) {
    const base = r * rowStride * 4; // 4 floats per texel
    for (let c = 0; c < cols; c++) out[base + c] = data[r * cols + c];
  }
  return out;
}

/** Texel data (starting at texel index `firstTexel`) → host row-major [rowCount, cols]. */
export function unpackRows(
  texels: Float32Array,
  layout: TextureLayout,
  rowCount: number,
  firstTexel = 0,
): Float32Array {
  const { cols, rowStride, colOffset = 0 } = layout;
  const out = new Float32Array(rowCount * cols);
  for (let r = 0; r < rowCount; r++) {
    const base = (r * rowStride + colOffset - firstTexel) * 4;
    out.set(texels.subarray(base, base + cols), r * cols);
  }
  return out;
}
