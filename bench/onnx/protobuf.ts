/**
 * A minimal protocol-buffers writer: just what an ONNX ModelProto needs (varints, int64 with
 * negative values, fixed32 floats, strings, bytes, nested messages). Fields are appended in call
 * order; repeated scalars are written unpacked (one tag per value), which every proto2 and proto3
 * parser accepts. Large byte fields (weights) are kept by reference until `finish()`, which
 * copies everything once into one buffer.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  /** Small scalar bytes collect here before becoming a chunk. */
  private pending: number[] = [];

  /** Bytes written so far. */
  get byteLength(): number {
    return this.length + this.pending.length;
  }

  private flush(): void {
    if (this.pending.length) {
      this.chunks.push(Uint8Array.from(this.pending));
      this.length += this.pending.length;
      this.pending = [];
    }
  }

  private rawVarint(value: bigint): void {
    // Negative values are written as their 64-bit two's complement (10 bytes), as int64 requires.
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.pending.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.pending.push(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(BigInt((field << 3) | wire));
  }

  private rawBytes(bytes: Uint8Array): void {
    this.rawVarint(BigInt(bytes.length));
    this.flush();
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /** int32, int64, enum or bool field (varint). */
  int(field: number, value: number | bigint): this {
    const v = typeof value === 'bigint' ? value : BigInt(value);
    if (typeof value === 'number' && !Number.isSafeInteger(value))
      throw new Error(`protobuf: ${value} is not a safe integer (field ${field})`);
    this.tag(field, WIRE_VARINT);
    this.rawVarint(v);
    return this;
  }

  /** Repeated int64, unpacked. */
  ints(field: number, values: readonly (number | bigint)[]): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  /** float field (fixed32, little-endian). */
  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.tag(field, WIRE_FIXED32);
    this.pending.push(...b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  strings(field: number, values: readonly string[]): this {
    for (const v of values) this.string(field, v);
    return this;
  }

  /** bytes field; the array is referenced, not copied, until finish(). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.rawBytes(value);
    return this;
  }

  /** Embedded message field. */
  message(field: number, value: ProtoWriter): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    value.flush();
    this.rawVarint(BigInt(value.length));
    this.flush();
    for (const c of value.chunks) this.chunks.push(c);
    this.length += value.length;
    return this;
  }

  /** The encoded message, one buffer. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
