/**
 * GPT-2 as an ONNX model (ModelProto, IR 8, opset 17, standard ops only), written from a config
 * and host weights: the model ONNX Runtime Web runs in the bench (bench/pages/model-decode.ts)
 * and that `npx tsx bench/export-onnx.ts` writes to a file. Same arithmetic as
 * engine/models/gpt2.ts with a standard KV-cache: token + position embeddings, pre-LN blocks
 * (LayerNormalization, fused c_attn as Gemm, per-head attention with an additive bias, Softmax,
 * c_proj), the gelu_new MLP written out as its tanh formula
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the final LayerNorm, and the head tied to the token
 * embedding (Gemm with transB on wte, so wte is stored once).
 *
 * Inputs (m new tokens after `past` cached ones, total = past + m):
 *   input_ids int64 [m], position_ids int64 [m],
 *   attn_bias float [m, total] (0 where row i may see key j, a large negative number elsewhere),
 *   past_key.{i}, past_value.{i} float [heads, past, headDim] (past may be 0).
 * Outputs: logits float [1, vocab] (the last new token's), present_key.{i}, present_value.{i}
 * float [heads, total, headDim] (past and the new rows concatenated: the caller feeds them back
 * as the next step's past; shapes are dynamic and ONNX Runtime needs no recompilation for that).
 */
import type { Gpt2Config, HostWeights } from '../../engine';
import { ProtoWriter } from './protobuf';

/** ONNX TensorProto.DataType codes used here. */
const FLOAT = 1;
const INT64 = 7;
/** ONNX AttributeProto.AttributeType codes used here. */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

export const ONNX_OPSET = 17;
/** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;

/** Input and output names of the exported graph, for layer i. */
export const gpt2OnnxNames = {
  inputIds: 'input_ids',
  positionIds: 'position_ids',
  attnBias: 'attn_bias',
  logits: 'logits',
  pastKey: (i: number) => `past_key.${i}`,
  pastValue: (i: number) => `past_value.${i}`,
  presentKey: (i: number) => `present_key.${i}`,
  presentValue: (i: number) => `present_value.${i}`,
} as const;

/** The bias for masked keys in attn_bias: far below any score, exp() of it is exactly 0. */
export const MASKED = -1e9;

type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] };
const int = (value: number): Attr => ({ kind: 'int', value });
const float = (value: number): Attr => ({ kind: 'float', value });
const ints = (value: readonly number[]): Attr => ({ kind: 'ints', value });

/** One dimension of a graph input or output: a size or a symbolic name. */
type Dim = number | string;

function tensorProto(name: string, dims: readonly number[], data: Float32Array | BigInt64Array) {
  const t = new ProtoWriter().ints(1, dims).int(2, data instanceof Float32Array ? FLOAT : INT64);
  t.string(8, name);
  // raw_data: little-endian values (every platform a browser runs on is little-endian).
  t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return t;
}

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

/** Collects nodes, initializers, inputs and outputs of one graph. */
class GraphBuilder {
  private readonly nodes: ProtoWriter[] = [];
  private readonly initializers: ProtoWriter[] = [];
  private readonly inputs: ProtoWriter[] = [];
  private readonly outputs: ProtoWriter[] = [];
  private readonly names = new Set<string>();
  private count = 0;

  private fresh(hint: string): string {
    let name: string;
    do name = `${hint}_${this.count++}`;
    while (this.names.has(name));
    this.names.add(name);
    return name;
  }

  input(name: string, elemType: number, dims: readonly Dim[]): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** A constant (initializer); float32 values are referenced, not copied. */
  constant(hint: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size)
      throw new Error(`ONNX: ${hint} has ${data.length} values, shape [${dims}] needs ${size}`);
    const name = this.names.has(hint) ? this.fresh(hint) : (this.names.add(hint), hint);
    this.initializers.push(tensorProto(name, dims, data));
    return name;
  }

  scalar(value: number): string {
    return this.constant(`const_${value}`, [], Float32Array.of(value));
  }

  int64s(values: readonly number[]): string {
    return this.constant(
      `i64_${values.join('_').replace(/-/g, 'm')}`,
      [values.length],
      BigInt64Array.from(values.map(BigInt)),
    );
  }

  /** Appends a node; returns its output names (given ones, or fresh ones). */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, Attr> = {},
    outputs: number | readonly string[] = 1,
  ): string[] {
    const outs =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()))
        : outputs.map((o) => (this.names.add(o), o));
    const n = new ProtoWriter().strings(1, inputs).strings(2, outs);
    n.string(3, this.fresh(`n_${op}`)).string(4, op);
    for (const [name, a] of Object.entries(attrs)) {
      const w = new ProtoWriter().string(1, name);
      if (a.kind === 'int') w.int(3, a.value).int(20, ATTR_INT);
      else if (a.kind === 'float') w.float(2, a.value).int(20, ATTR_FLOAT);
      else w.ints(8, a.value).int(20, ATTR_INTS);
      n.message(5, w);
    }
    this.nodes.push(n);
    return outs;
  }

  /** One-output node. */
  op(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}): string {
    return this.node(op, inputs, attrs)[0];
  }

  finish(name: string): ProtoWriter {
    const g = new ProtoWriter();
    for (const n of this.nodes) g.message(1, n);
    g.string(2, name);
    for (const t of this.initializers) g.message(5, t);
    for (const i of this.inputs) g.message(11, i);
    for (const o of this.outputs) g.message(12, o);
    return g;
  }
}

function float32(weights: HostWeights, name: string, shape: readonly number[]): Float32Array {
  const t = weights.get(name);
  if (!t) throw new Error(`ONNX GPT-2: the weights have no ${name}`);
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i]))
    throw new Error(`ONNX GPT-2: ${name} has shape [${t.shape}], expected [${shape}]`);
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
}

/**
 * The ONNX model (ModelProto bytes) of a GPT-2 with these weights (Hugging Face names without
 * the "transformer." prefix, Conv1D layout y = x·W + b; float64 weights are rounded to float32).
 */
export function gpt2Onnx(config: Gpt2Config, weights: HostWeights): Uint8Array {
  const { d, heads, layers, vocabSize, nPositions, lnEps } = config;
  if (d % heads !== 0) throw new Error(`ONNX GPT-2: d ${d} is not divisible by ${heads} heads`);
  const dk = d / heads;
  const N = gpt2OnnxNames;
  const g = new GraphBuilder();
  const w = (name: string, shape: number[]) =>
    g.constant(name, shape, float32(weights, name, shape));

  const ids = g.input(N.inputIds, INT64, ['m']);
  const positions = g.input(N.positionIds, INT64, ['m']);
  const bias = g.input(N.attnBias, FLOAT, ['m', 'total']);
  const wte = w('wte.weight', [vocabSize, d]);
  let x = g.op('Add', [
    g.op('Gather', [wte, ids], { axis: int(0) }),
    g.op('Gather', [w('wpe.weight', [nPositions, d]), positions], { axis: int(0) }),
  ]);
  const layerNorm = (t: string, gain: string, beta: string) =>
    g.op('LayerNormalization', [t, gain, beta], { axis: int(-1), epsilon: float(lnEps) });
  const toHeadsShape = g.int64s([-1, heads, dk]);
  const mergedShape = g.int64s([-1, d]);
  const splitSizes = g.int64s([d, d, d]);
  const scale = g.scalar(1 / Math.sqrt(dk));
  const toHeads = (t: string) =>
    g.op('Transpose', [g.op('Reshape', [t, toHeadsShape])], { perm: ints([1, 0, 2]) });
  const [c0044715, cSqrt2OverPi, cHalf, cOne] = [0.044715, Math.sqrt(2 / Math.PI), 0.5, 1].map(
    (v) => g.scalar(v),
  );
  const geluNew = (t: string) => {
    const cube = g.op('Mul', [g.op('Mul', [t, t]), t]);
    const inner = g.op('Mul', [g.op('Add', [t, g.op('Mul', [cube, c0044715])]), cSqrt2OverPi]);
    return g.op('Mul', [g.op('Mul', [t, cHalf]), g.op('Add', [g.op('Tanh', [inner]), cOne])]);
  };

  for (let i = 0; i < layers; i++) {
    const h = `h.${i}`;
    const pastK = g.input(N.pastKey(i), FLOAT, [heads, 'past', dk]);
    const pastV = g.input(N.pastValue(i), FLOAT, [heads, 'past', dk]);
    const a = layerNorm(x, w(`${h}.ln_1.weight`, [d]), w(`${h}.ln_1.bias`, [d]));
    const qkv = g.op('Gemm', [
      a,
      w(`${h}.attn.c_attn.weight`, [d, 3 * d]),
      w(`${h}.attn.c_attn.bias`, [3 * d]),
    ]);
    const [q, k, v] = g.node('Split', [qkv, splitSizes], { axis: int(1) }, 3);
    const [kAll] = g.node('Concat', [pastK, toHeads(k)], { axis: int(1) }, [N.presentKey(i)]);
    const [vAll] = g.node('Concat', [pastV, toHeads(v)], { axis: int(1) }, [N.presentValue(i)]);
    g.output(kAll, FLOAT, [heads, 'total', dk]);
    g.output(vAll, FLOAT, [heads, 'total', dk]);
    const kT = g.op('Transpose', [kAll], { perm: ints([0, 2, 1]) });
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [toHeads(q), kT]), scale]), bias]);
    const probs = g.op('Softmax', [scores], { axis: int(-1) });
    const y = g.op('MatMul', [probs, vAll]); // [heads, m, dk]
    const merged = g.op('Reshape', [
      g.op('Transpose', [y], { perm: ints([1, 0, 2]) }),
      mergedShape,
    ]);
    x = g.op('Add', [
      x,
      g.op('Gemm', [merged, w(`${h}.attn.c_proj.weight`, [d, d]), w(`${h}.attn.c_proj.bias`, [d])]),
    ]);
    const hidden = geluNew(
      g.op('Gemm', [
        layerNorm(x, w(`${h}.ln_2.weight`, [d]), w(`${h}.ln_2.bias`, [d])),
        w(`${h}.mlp.c_fc.weight`, [d, 4 * d]),
        w(`${h}.mlp.c_fc.bias`, [4 * d]),
      ]),
    );
    x = g.op('Add', [
      x,
      g.op('Gemm', [
        hidden,
        w(`${h}.mlp.c_proj.weight`, [4 * d, d]),
        w(`${h}.mlp.c_proj.bias`, [d]),
      ]),
    ]);
  }
  const last = g.op('Gather', [x, g.int64s([-1])], { axis: int(0) }); // [1, d]
  const normed = layerNorm(last, w('ln_f.weight', [d]), w('ln_f.bias', [d]));
  g.node('Gemm', [normed, wte], { transB: int(1) }, [N.logits]);
  g.output(N.logits, FLOAT, [1, vocabSize]);

  const opset = new ProtoWriter().string(1, '').int(2, ONNX_OPSET);
  const model = new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, 'slim-attention-lab bench')
    .string(3, '1')
    .message(7, g.finish('gpt2'))
    .message(8, opset);
  return model.finish();
}

/**
 * attn_bias for m new tokens after `past` cached ones: row i sees keys j ≤ past + i (0), the
 * rest are MASKED. Row-major [m, past + m].
 */
export function causalBias(past: number, m: number): Float32Array {
  const total = past + m;
  const out = new Float32Array(m * total);
  for (let i = 0; i < m; i++)
    for (let j = past + i + 1; j < total; j++) out[i * total + j] = MASKED;
  return out;
}
