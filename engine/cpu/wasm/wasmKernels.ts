/**
 * The float32 products on WebAssembly SIMD (kernels.ts's interface; the kernels are
 * assembly/kernels.ts, their bytes the generated kernelsWasm.ts). Loaded synchronously (a few
 * kilobytes): `new WebAssembly.Module` and `new WebAssembly.Instance`, one instance (and memory)
 * per backend. `createWasmKernels` returns null where WebAssembly or its SIMD is missing or the
 * module fails to compile or instantiate; the backend then uses the TypeScript kernels.
 *
 * Weights (uploads) and caches (zeros) large enough live in the module's memory only (store).
 * Other right operands are copied into it once, keyed by the tensor that owns the storage:
 * writeRows writes through to the copy (a cache append costs one row), disposing the tensor
 * frees it, and a tensor collected without dispose() frees it through a FinalizationRegistry. Left operands (activations) are copied in and the result out per call,
 * unless the left operand already has a copy (the K-cache times W_KV of slim's v-first order).
 * When the memory cannot grow, a call runs on the TypeScript kernels instead.
 */
import { jsKernels } from '../jsKernels';
import type { AttentionDims, HeapStorage, Operand, ProductKernels, Values } from '../kernels';
import type { CpuTensor } from '../tensor';
import {
  FORMAT_BYTES,
  FORMAT_CODE,
  readHalf,
  storagePlan,
  widening,
  writeHalf,
} from '../halfStorage';
import { WasmHeap } from './heap';
import { KERNELS_WASM_BASE64 } from './kernelsWasm';

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemm(...args: number[]): void;
  gemmT(...args: number[]): void;
  headBlock(...args: number[]): void;
  attnProbs(...args: number[]): void;
}

/** A tensor's copy in the module's memory. */
interface Mirror {
  ptr: number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The kernels' bytes, decoded from the generated module. */
export function kernelBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The compiled module, once per page or worker; null where it cannot compile (no SIMD). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(kernelBytes()) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export interface WasmKernelOptions {
  /** Instantiate these bytes instead of the committed kernels (tests: a broken module). */
  bytes?: Uint8Array<ArrayBuffer>;
  /** Cap on the module's memory in bytes (tests: force the TypeScript fallback per call). */
  maxMemoryBytes?: number;
  /**
   * Keep uploads that halves hold exactly as halves (default true; halfStorage.ts). False keeps
   * every upload in float32 (tests compare the two).
   */
  halfWeights?: boolean;
}

/** WebAssembly SIMD kernels for one backend, or null where they cannot run. */
export function createWasmKernels(options: WasmKernelOptions = {}): WasmKernels | null {
  try {
    const module = options.bytes ? new WebAssembly.Module(options.bytes) : kernelModule();
    if (!module) return null;
    const exports = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    return new WasmKernels(exports, options.maxMemoryBytes, options.halfWeights ?? true);
  } catch {
    return null;
  }
}

export class WasmKernels implements ProductKernels {
  readonly name = 'wasm-simd';
  private readonly heap: WasmHeap;
  private readonly mirrors = new WeakMap<CpuTensor, Mirror>();
  private readonly collected: FinalizationRegistry<number> | null;
  /** Per-call space for the left operand and the result, grown as needed. */
  private scratch = 0;
  private scratchBytes = 0;
  /** Calls that ran on the TypeScript kernels because the memory could not grow. */
  fallbacks = 0;

  constructor(
    private readonly ex: KernelExports,
    maxMemoryBytes?: number,
    private readonly halfWeights = true,
  ) {
    this.heap = new WasmHeap(ex.memory, ex.heapBase(), maxMemoryBytes);
    this.collected =
      typeof FinalizationRegistry === 'function'
        ? new FinalizationRegistry((ptr) => this.heap.free(ptr))
        : null;
  }

  linear(
    a: Values,
    b: Operand,
    m: number,
    k: number,
    n: number,
    transposeB: boolean,
    bias: Operand | undefined,
    act: number,
    out: Float32Array,
  ): void {
    const sizes = [a, b, bias].map((v) => (v ? count(v) : 0));
    const bPtr = this.mirror(b.root, true);
    const biasPtr = bias ? this.mirror(bias.root) : 0;
    const io = bPtr !== null && biasPtr !== null && this.inputs(a, m * k, m * n);
    if (!io) {
      this.fallbacks++;
      const [fa, fb, fbias] = [a, b, bias].map((v, i) => v && fresh(v, sizes[i]));
      jsKernels.linear(fa!, fb as Operand, m, k, n, transposeB, fbias as Operand, act, out);
      return;
    }
    const ldb = transposeB ? k : n;
    const [fmt, hscale] = [formatOf(b.root), hscaleOf(b.root)];
    (transposeB ? this.ex.gemmT : this.ex.gemm)(
      io.a,
      k,
      bPtr,
      ldb,
      io.c,
      n,
      m,
      k,
      n,
      biasPtr,
      act,
      fmt,
      hscale,
    );
    this.output(io.c, out, m * n);
  }

  block(
    a: Values,
    b: Operand,
    heads: number,
    bHeads: number,
    m: number,
    k: number,
    width: number,
    out: Float32Array,
  ): void {
    const sizes = [count(a), count(b)];
    const bPtr = this.mirror(b.root, true);
    const io = bPtr !== null && this.inputs(a, heads * m * k, m * heads * width);
    if (!io) {
      this.fallbacks++;
      [a, b] = [fresh(a, sizes[0]), fresh(b, sizes[1]) as Operand];
      jsKernels.block(a, b, heads, bHeads, m, k, width, out);
      return;
    }
    this.ex.headBlock(
      io.a,
      bPtr,
      io.c,
      heads,
      bHeads,
      m,
      k,
      width,
      formatOf(b.root),
      hscaleOf(b.root),
    );
    this.output(io.c, out, m * heads * width);
  }

  attnProbs(
    q: Values,
    k: Operand,
    heads: number,
    kvHeads: number,
    m: number,
    n: number,
    dk: number,
    scale: number,
    causal: number,
    out: Float32Array,
  ): void {
    const sizes = [count(q), count(k)];
    const kPtr = this.mirror(k.root, true);
    const io = kPtr !== null && this.inputs(q, m * heads * dk, heads * m * n);
    if (!io) {
      this.fallbacks++;
      [q, k] = [fresh(q, sizes[0]), fresh(k, sizes[1]) as Operand];
      jsKernels.attnProbs(q, k, heads, kvHeads, m, n, dk, scale, causal, out);
      return;
    }
    this.probs(io.a, kPtr, io.c, k, { heads, kvHeads, m, n, dk, width: 0 }, scale, causal);
    this.output(io.c, out, heads * m * n);
  }

  attention(
    q: Values,
    k: Operand,
    v: Operand,
    shape: AttentionDims,
    scale: number,
    causal: number,
    allValues: boolean,
    checkProbs: (p: Float32Array) => void,
    out: Float32Array,
  ): boolean {
    const { heads, kvHeads, m, n, dk, width } = shape;
    const kPtr = this.mirror(k.root, true);
    const vPtr = kPtr === null ? null : this.mirror(v.root, true);
    if (kPtr === null || vPtr === null) return false;
    // Scratch: [q copy][probabilities][result], each 16-byte aligned.
    const pCount = heads * m * n;
    const outCount = out.length;
    const pBytes = Math.ceil(pCount / 4) * 16;
    const io = this.inputs(q, m * heads * dk, (pBytes >> 2) + outCount);
    if (!io) return false;
    const pPtr = io.c;
    const cPtr = io.c + pBytes;
    this.probs(io.a, kPtr, pPtr, k, shape, scale, causal);
    checkProbs(this.heap.f32().subarray(pPtr >> 2, (pPtr >> 2) + pCount));
    if (allValues) {
      this.ex.gemm(
        pPtr,
        n,
        vPtr,
        width,
        cPtr,
        width,
        heads * m,
        n,
        width,
        0,
        0,
        formatOf(v.root),
        hscaleOf(v.root),
      );
    } else {
      this.ex.headBlock(
        pPtr,
        vPtr,
        cPtr,
        heads,
        kvHeads,
        m,
        n,
        width,
        formatOf(v.root),
        hscaleOf(v.root),
      );
    }
    this.output(cPtr, out, outCount);
    return true;
  }

  /** The attnProbs kernel: q at qPtr against k (stored at kPtr) into pPtr. */
  private probs(
    qPtr: number,
    kPtr: number,
    pPtr: number,
    k: Operand,
    d: AttentionDims,
    scale: number,
    causal: number,
  ): void {
    const [fmt, hscale] = [formatOf(k.root), hscaleOf(k.root)];
    this.ex.attnProbs(
      qPtr,
      kPtr,
      pPtr,
      d.heads,
      d.kvHeads,
      d.m,
      d.n,
      d.dk,
      scale,
      causal,
      fmt,
      hscale,
    );
  }

  written(root: CpuTensor, offset: number, values: Float32Array): void {
    const mirror = this.mirrors.get(root);
    if (mirror) this.heap.f32().set(values, (mirror.ptr >> 2) + offset);
  }

  released(root: CpuTensor): void {
    if (root.heap) {
      this.collected?.unregister(root.heap);
      this.heap.free(root.heap.ptr);
      return;
    }
    const mirror = this.mirrors.get(root);
    if (!mirror) return;
    this.mirrors.delete(root);
    this.collected?.unregister(mirror);
    this.heap.free(mirror.ptr);
  }

  /** Bytes of the module's memory: in copies and scratch, free, and in all. */
  memoryStats() {
    return this.heap.stats();
  }

  store(values: ArrayLike<number> | number): HeapStorage | null {
    const length = typeof values === 'number' ? values : values.length;
    // Zeros are a cache, written later: float32. Uploads every value of which a half holds
    // exactly are kept as halves (halfStorage.ts).
    const { format, shift } =
      typeof values === 'number' || !this.halfWeights
        ? ({ format: 'f32', shift: 0 } as const)
        : storagePlan(values);
    const bytes = length * FORMAT_BYTES[format];
    const ptr = this.heap.alloc(bytes);
    if (ptr === null) return null;
    const memory = this.ex.memory;
    if (format !== 'f32') {
      const half = () => new Uint16Array(memory.buffer, ptr, length);
      writeHalf(values as ArrayLike<number>, format, half(), 0, shift);
      const view = () => {
        const out = new Float32Array(length);
        readHalf(half(), format, 0, out, 0, length, shift);
        return out;
      };
      return { ptr, length, format, shift, view, half };
    }
    // A freed block holds old values: zeros are written, not assumed.
    if (typeof values === 'number') this.heap.f32().fill(0, ptr >> 2, (ptr >> 2) + length);
    else this.heap.f32().set(values, ptr >> 2);
    const view = () => new Float32Array(memory.buffer, ptr, length);
    return { ptr, length, format, shift, view };
  }

  stored(t: CpuTensor): void {
    if (t.heap) this.collected?.register(t, t.heap.ptr, t.heap);
  }

  /**
   * The address of root's values here: its storage, or its copy (made now if it has none); null
   * if there is no room, or if root is stored as halves and the caller reads float32 only (only
   * the right operand of the products widens halves; the TypeScript kernels then run on a
   * widened copy).
   */
  private mirror(root: CpuTensor, halves = false): number | null {
    if (root.heap) return halves || root.heap.format === 'f32' ? root.heap.ptr : null;
    const known = this.mirrors.get(root);
    if (known) return known.ptr;
    const values = root.data as Float32Array;
    const ptr = this.heap.alloc(values.length * 4);
    if (ptr === null) return null;
    this.heap.f32().set(values, ptr >> 2);
    const mirror = { ptr };
    this.mirrors.set(root, mirror);
    this.collected?.register(root, ptr, mirror);
    return ptr;
  }

  /**
   * Addresses of the left operand (its copy if it has one, else copied into the scratch space)
   * and of the result's place in the scratch space; false if the memory cannot grow.
   */
  private inputs(a: Values, aSize: number, cSize: number): { a: number; c: number } | false {
    const stored = a.root?.heap;
    const known = stored
      ? stored.format === 'f32'
        ? stored
        : null
      : a.root && this.mirrors.get(a.root);
    const aBytes = known ? 0 : Math.ceil(aSize / 4) * 16;
    const need = aBytes + cSize * 4;
    if (need > this.scratchBytes) {
      const bytes = Math.max(need, 2 * this.scratchBytes, 4096);
      if (this.scratchBytes > 0) this.heap.free(this.scratch);
      this.scratchBytes = 0;
      const ptr = this.heap.alloc(bytes);
      if (ptr === null) return false;
      this.scratch = ptr;
      this.scratchBytes = bytes;
    }
    if (known) return { a: known.ptr, c: this.scratch };
    this.heap.f32().set(a.data.subarray(0, aSize), this.scratch >> 2);
    return { a: this.scratch, c: this.scratch + aBytes };
  }

  private output(c: number, out: Float32Array, size: number): void {
    const i = c >> 2;
    out.set(this.heap.f32().subarray(i, i + size));
  }
}

/** How many values an operand has, without widening a half-stored one. */
function count(v: Values): number {
  const stored = v.root?.heap;
  return stored && stored.format !== 'f32' && v.root?.base === undefined
    ? stored.length
    : v.data.length;
}

/** The kernels' float16 widening factor for a right operand (halfStorage.ts widening). */
function hscaleOf(root: CpuTensor): number {
  return widening(root.heap?.shift ?? 0);
}

/** The kernels' code of a right operand's storage format (float32 unless stored as halves). */
function formatOf(root: CpuTensor): number {
  return FORMAT_CODE[root.heap?.format ?? 'f32'];
}

/**
 * Values taken again from their tensor where it is stored in the module's memory: a view taken
 * before this call grew the memory is detached (the TypeScript fallback runs after allocations).
 */
function fresh(v: Values, size: number): Values {
  return v.root?.heap ? { root: v.root, data: v.root.data.subarray(0, size) as Float32Array } : v;
}
