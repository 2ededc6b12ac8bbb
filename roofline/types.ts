/**
 * Types of the cost model (paper §1–§4, Tables 1–3, Appendices C, D, G). Everything in roofline/ is plain data and
 * pure functions: no React, no DOM, no engine internals.
 */

/** Number formats a chip may advertise a peak for. */
export type Dtype = 'fp32' | 'tf32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'fp4';

export type ChipKind = 'datacenter-gpu' | 'tpu' | 'consumer-gpu' | 'laptop-soc' | 'phone-soc';

/** The numbers exactly as paper Table 3 (paper Table 3) prints them. */
export interface PaperTable3Row {
  /** Peak int8 tera-operations per second. */
  int8Tops: number;
  /** Theoretical memory bandwidth in GB/s (10^9 bytes per second). */
  bandwidthGBps: number;
  /** The printed ridge point, int8 OPs per byte (rounded to an integer). */
  opsPerByte: number;
}

export interface Chip {
  /** Lowercase slug, e.g. 'nvidia-h200'. */
  id: string;
  name: string;
  vendor: string;
  kind: ChipKind;
  /**
   * Peak *dense* operations per second (no structured sparsity) per number format. For the
   * chips of paper Table 3 the int8 entry is the paper's TOPS; other formats come from the
   * vendor datasheet named in `source`. For the Apple SoCs the low-precision entries are the
   * Neural Engine's.
   */
  peakOpsPerSecond: Partial<Record<Dtype, number>>;
  /** Memory bandwidth in bytes per second (paper Table 3 value where the chip is listed there). */
  memoryBandwidth: number;
  /** Memory capacity in bytes (largest configuration where a product comes in several). */
  memoryCapacity: number;
  /** Present only for the chips of paper Table 3: the printed row, for side-by-side display. */
  paperTable3?: PaperTable3Row;
  /** Citation: "paper Table 3" and/or the vendor datasheet the numbers come from. */
  source: string;
}

export type ArchitectureKind = 'decoder' | 'encoder-decoder';
export type AttentionKind = 'MHA' | 'GQA' | 'MQA';
/** How positions enter attention; decides whether the X-cache (option 2) can work (paper §3). */
export type PositionalKind = 'rope' | 'learned' | 'absolute' | 'relative' | 'alibi';

export interface Model {
  /** Lowercase slug of the paper's name, e.g. 'phi-3-mini-128k'. */
  id: string;
  name: string;
  /** Parameter count (values, not bytes), as the paper's tables print it where listed. */
  params: number;
  /** Model width d. */
  d: number;
  /** Layers (for encoder–decoders: decoder layers, the ones that hold KV-caches). */
  layers: number;
  /** Query heads h. */
  heads: number;
  /** Key/value heads h_kv (= h for MHA, 1 for MQA). */
  kvHeads: number;
  /** Key (and query) head width d_k. */
  headDim: number;
  /** Value head width d_v, only where it differs from d_k. */
  valueHeadDim?: number;
  /**
   * Context length in cached positions per layer, as paper Table 1 lists it (16k = 16384).
   * For encoder–decoders it counts encoder plus decoder positions (Whisper 1500/448 → 1948);
   * undefined where the source gives none.
   */
  contextLength?: number;
  vocab?: number;
  /** FFN hidden width d_ffn where known. */
  ffnDim?: number;
  architecture: ArchitectureKind;
  attention: AttentionKind;
  positional: PositionalKind;
  /** Encoder–decoders: encoder output length p (cross-attention KV rows). */
  encoderLength?: number;
  /** Layers that attend to a sliding window (GPT-Neo's local layers); see AttentionShape. */
  localAttention?: LocalAttention;
  /** Encoder–decoders: maximum decoder tokens (self-attention KV rows). */
  decoderLength?: number;
  /** Citation for the numbers: "paper Table 1" and/or the model card / config.json. */
  source: string;
}

/**
 * Sliding-window layers: `layers` of the model's layers let a query see only the last
 * `window` positions, so their caches hold at most `window` rows (GPT-Neo's "local" layers).
 */
export interface LocalAttention {
  window: number;
  layers: number;
}

/** Shape of attention that the formulas need; a Model satisfies it. */
export interface AttentionShape {
  /** Sliding-window layers, if any: their cache rows stop at the window. */
  localAttention?: LocalAttention;
  d: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  valueHeadDim?: number;
}

/** OPs, values read and their ratio (paper §2, Table 2: intensity = OPs per value read). */
export interface Cost {
  ops: number;
  reads: number;
  intensity: number;
}

/** Standard vs slim pair used by the memory report. */
export interface StandardSlim {
  standard: number;
  slim: number;
}
