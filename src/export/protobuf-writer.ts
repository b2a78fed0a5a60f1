/**
 * A protobuf wire-format encoder for the few field kinds ONNX needs: varints (int32, int64, enums), length-delimited
 * bytes, strings and nested messages, and packed int64s. A message is a list of encoded fields; its bytes are
 * concatenated once at the end, so large tensors are copied only once.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** The varint bytes of a non-negative integer or of a negative int64 (ten bytes, two's complement, as protobuf). */
export function encodeVarint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Uint8Array.from(bytes);
}

function tag(field: number, wire: number): Uint8Array {
  return encodeVarint((field << 3) | wire);
}

export class ProtoMessage {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(...bytes: Uint8Array[]): this {
    for (const b of bytes) {
      this.parts.push(b);
      this.size += b.length;
    }
    return this;
  }

  /** An int32, int64 or enum field (negative int64s take ten bytes). */
  varint(field: number, value: number | bigint): this {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`protobuf varint: ${value} is not an integer`);
    return this.push(tag(field, WIRE_VARINT), encodeVarint(value));
  }

  bytes(field: number, value: Uint8Array): this {
    return this.push(tag(field, WIRE_LENGTH_DELIMITED), encodeVarint(value.length), value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A float field (wire type 5, little-endian IEEE 754 single). */
  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.push(tag(field, 5), bytes);
  }

  message(field: number, value: ProtoMessage): this {
    return this.push(tag(field, WIRE_LENGTH_DELIMITED), encodeVarint(value.size), ...value.parts);
  }

  /** A repeated int64 field, packed (one length-delimited run of varints). */
  packedInt64(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoMessage();
    for (const v of values) inner.push(encodeVarint(v));
    return this.push(tag(field, WIRE_LENGTH_DELIMITED), encodeVarint(inner.size), ...inner.parts);
  }

  get byteLength(): number {
    return this.size;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
