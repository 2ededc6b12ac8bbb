/**
 * How a logical [rows, cols] float32 tensor sits in an RGBA32F texture.
 *
 * Each texel packs 4 consecutive columns of one row (columns are the reduction dimension of
 * x·W, q·kᵀ and p·V in this engine), so a row of `cols` values is `texW = ceil(cols / 4)`
 * texels. Lanes past `cols` in the last texel are always 0: kernels rely on that when they
 * sum whole texels.
 *
 * Simple layout: texel (row, t) is at pixel (t, row). When a tensor is too wide or too tall for
 * MAX_TEXTURE_SIZE (e.g. GPT-2's 50257-row embedding or its logits row) it is *folded*: texel
 * index i = row·texW + t sits at pixel (i mod width, i div width). Shaders get a cheaper fetch
 * for the simple layout (a compile-time switch), so the common case pays nothing for folding.
 */
import { EngineInputError, shapeString, type Shape } from '../tensor';

export interface TextureLayout {
  rows: number;
  cols: number;
  /** Texels per logical row. */
  texW: number;
  /** Texture width and height in pixels. */
  width: number;
  height: number;
  /** True when texel (row, t) is at pixel (t, row). */
  simple: boolean;
}

export class TextureLimitError extends EngineInputError {
  constructor(message: string) {
    super(message);
    this.name = 'TextureLimitError';
  }
}

export function layoutFor(shape: Shape, maxTextureSize: number, what = 'tensor'): TextureLayout {
  if (shape.length < 1 || shape.length > 2 || shape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new EngineInputError(
      `${what}: shape ${shapeString(shape)} is not a valid rank-1 or rank-2 shape`,
    );
  }
  const rows = shape.length === 1 ? 1 : shape[0];
  const cols = shape[shape.length - 1];
  const texW = Math.ceil(cols / 4);
  if (texW <= maxTextureSize && rows <= maxTextureSize) {
    return { rows, cols, texW, width: texW, height: rows, simple: true };
  }
  const texels = rows * texW;
  const width = maxTextureSize;
  const height = Math.ceil(texels / width);
  if (height > maxTextureSize) {
    throw new TextureLimitError(
      `${what} ${shapeString(shape)} needs ${texels} RGBA texels, more than this GPU's ` +
        `${maxTextureSize}×${maxTextureSize} texture limit (MAX_TEXTURE_SIZE)`,
    );
  }
  return { rows, cols, texW, width, height, simple: false };
}

/** Pixel rows [y0, y1) that hold logical rows [r0, r1). */
export function pixelRowsOf(layout: TextureLayout, r0: number, r1: number): [number, number] {
  if (layout.simple) return [r0, r1];
  const y0 = Math.floor((r0 * layout.texW) / layout.width);
  const y1 = Math.ceil((r1 * layout.texW) / layout.width);
  return [y0, y1];
}

/** Host row-major [rows, cols] → padded texel data for the whole texture. */
export function packRows(data: ArrayLike<number>, layout: TextureLayout): Float32Array {
  const out = new Float32Array(layout.width * layout.height * 4);
  const { rows, cols, texW } = layout;
  for (let r = 0; r < rows; r++) {
    const base = r * texW * 4; // texel index r·texW, 4 floats each
    for (let c = 0; c < cols; c++) out[base + c] = data[r * cols + c];
  }
  return out;
}

/** Texel data (starting at texel index of row 0) → host row-major [rowCount, cols]. */
export function unpackRows(
  texels: Float32Array,
  layout: TextureLayout,
  rowCount: number,
  firstTexel = 0,
): Float32Array {
  const { cols, texW } = layout;
  const out = new Float32Array(rowCount * cols);
  for (let r = 0; r < rowCount; r++) {
    const base = (r * texW - firstTexel) * 4;
    out.set(texels.subarray(base, base + cols), r * cols);
  }
  return out;
}
