/**
 * The unsigned varint (protobuf / LevelDB encoding: 7 bits a byte, least significant first) at `pos` of `bytes`, as
 * [value, position after it]; null when it runs past the end or exceeds 2^53 (negative int64s take 10 bytes and do).
 */
export function readVarint(bytes: Uint8Array, pos: number): [number, number] | null {
  let value = 0;
  for (let shift = 0, at = pos; shift < 70 && at < bytes.length; shift += 7) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value <= Number.MAX_SAFE_INTEGER ? [value, at] : null;
  }
  return null;
}

/** Reads varints one after another from `pos` on; `corrupt` makes the caller's one-line error for a bad one. */
export class VarintCursor {
  constructor(
    protected readonly bytes: Uint8Array,
    public pos: number,
    private readonly corrupt: (detail: string) => never,
  ) {}

  varint(): number {
    const varint = readVarint(this.bytes, this.pos);
    if (!varint) return this.corrupt('varint runs past the end, or is negative or beyond 2^53');
    [, this.pos] = varint;
    return varint[0];
  }
}
