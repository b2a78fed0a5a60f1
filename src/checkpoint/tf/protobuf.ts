import { BamError } from '../../errors.js';
import { VarintCursor } from './varint.js';

/**
 * Hand decoding of the two protobuf messages a TensorBundle index holds (tensorflow/core/protobuf/tensor_bundle.proto).
 * Only the fields the reader needs are decoded; unknown fields are skipped, as protobuf readers must.
 */

/** BundleHeaderProto: stored under the empty key. */
export interface BundleHeader {
  numShards: number;
  endianness: 'little' | 'big';
  /** VersionDef.min_consumer: the oldest reader version that may read the bundle. */
  minConsumer: number;
  /** VersionDef.bad_consumers: reader versions that must not read it. */
  badConsumers: number[];
}

/** BundleEntryProto: one per tensor key. */
export interface BundleEntry {
  /** tensorflow.DataType enum number. */
  dtype: number;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** The masked CRC32C of the tensor's bytes, as stored. */
  maskedCrc32c: number;
  /** Number of TensorSliceProto entries: non-zero for a partitioned variable, whose data lives under slice keys. */
  sliceCount: number;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

function corruptProtobuf(where: string, detail: string): never {
  throw new BamError(`${where}: corrupt protobuf (${detail}); re-download or re-save the checkpoint`);
}

/** Sequential reader over protobuf wire format; `where` names the message in the one-line error for bad bytes. */
export class ProtoReader extends VarintCursor {
  constructor(
    bytes: Uint8Array,
    private readonly where: string,
  ) {
    super(bytes, 0, (detail) => corruptProtobuf(where, detail));
  }

  fail(detail: string): never {
    return corruptProtobuf(this.where, detail);
  }

  /** The next field's number and wire type, or null at the end of the message. */
  nextField(): { field: number; wireType: number } | null {
    if (this.atEnd()) return null;
    const key = this.varint();
    return { field: Math.floor(key / 8), wireType: key % 8 };
  }

  fixed32(): number {
    if (this.pos + 4 > this.bytes.length) this.fail('fixed32 runs past the end');
    const b = this.bytes;
    const value = (b[this.pos] | (b[this.pos + 1] << 8) | (b[this.pos + 2] << 16) | (b[this.pos + 3] << 24)) >>> 0;
    this.pos += 4;
    return value;
  }

  atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** A length-delimited field read as a nested message. */
  message(): ProtoReader {
    return new ProtoReader(this.lengthDelimited(), this.where);
  }

  lengthDelimited(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.bytes.length) this.fail('length-delimited field runs past the end');
    const value = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return value;
  }

  skip(wireType: number): void {
    if (wireType === WIRE_VARINT) this.varint();
    else if (wireType === WIRE_LENGTH_DELIMITED) this.lengthDelimited();
    else if (wireType === WIRE_FIXED64 || wireType === WIRE_FIXED32) {
      const width = wireType === WIRE_FIXED64 ? 8 : 4;
      if (this.pos + width > this.bytes.length) this.fail('fixed-width field runs past the end');
      this.pos += width;
    } else this.fail(`unsupported wire type ${wireType}`);
  }

  /** Fails unless the field just read has the wire type its schema requires. */
  expect(wireType: number, expected: number, field: string): void {
    if (wireType !== expected) this.fail(`field ${field} has wire type ${wireType}, expected ${expected}`);
  }
}

/** BundleHeaderProto { int32 num_shards = 1; Endianness endianness = 2 (LITTLE=0, BIG=1); VersionDef version = 3 }. */
export function decodeBundleHeader(bytes: Uint8Array, where: string): BundleHeader {
  const reader = new ProtoReader(bytes, where);
  const header: BundleHeader = { numShards: 0, endianness: 'little', minConsumer: 0, badConsumers: [] };
  for (let f = reader.nextField(); f; f = reader.nextField()) {
    if (f.field === 1) {
      reader.expect(f.wireType, WIRE_VARINT, 'num_shards');
      header.numShards = reader.varint();
    } else if (f.field === 2) {
      reader.expect(f.wireType, WIRE_VARINT, 'endianness');
      header.endianness = reader.varint() === 1 ? 'big' : 'little';
    } else if (f.field === 3) {
      reader.expect(f.wireType, WIRE_LENGTH_DELIMITED, 'version');
      decodeVersionDef(reader.message(), header);
    } else reader.skip(f.wireType);
  }
  return header;
}

/** VersionDef { int32 producer = 1; int32 min_consumer = 2; repeated int32 bad_consumers = 3 (packed or not) }. */
function decodeVersionDef(reader: ProtoReader, header: BundleHeader): void {
  for (let f = reader.nextField(); f; f = reader.nextField()) {
    if (f.field === 2) {
      reader.expect(f.wireType, WIRE_VARINT, 'min_consumer');
      header.minConsumer = reader.varint();
    } else if (f.field === 3 && f.wireType === WIRE_VARINT) {
      header.badConsumers.push(reader.varint());
    } else if (f.field === 3 && f.wireType === WIRE_LENGTH_DELIMITED) {
      const packed = reader.message();
      while (!packed.atEnd()) header.badConsumers.push(packed.varint());
    } else reader.skip(f.wireType);
  }
}

/**
 * BundleEntryProto { DataType dtype = 1; TensorShapeProto shape = 2; int32 shard_id = 3; int64 offset = 4;
 * int64 size = 5; fixed32 crc32c = 6; repeated TensorSliceProto slices = 7 }.
 */
export function decodeBundleEntry(bytes: Uint8Array, where: string): BundleEntry {
  const reader = new ProtoReader(bytes, where);
  const entry: BundleEntry = { dtype: 0, shape: [], shardId: 0, offset: 0, size: 0, maskedCrc32c: 0, sliceCount: 0 };
  for (let f = reader.nextField(); f; f = reader.nextField()) {
    switch (f.field) {
      case 1:
        reader.expect(f.wireType, WIRE_VARINT, 'dtype');
        entry.dtype = reader.varint();
        break;
      case 2:
        reader.expect(f.wireType, WIRE_LENGTH_DELIMITED, 'shape');
        entry.shape = decodeTensorShape(reader.message());
        break;
      case 3:
        reader.expect(f.wireType, WIRE_VARINT, 'shard_id');
        entry.shardId = reader.varint();
        break;
      case 4:
        reader.expect(f.wireType, WIRE_VARINT, 'offset');
        entry.offset = reader.varint();
        break;
      case 5:
        reader.expect(f.wireType, WIRE_VARINT, 'size');
        entry.size = reader.varint();
        break;
      case 6:
        reader.expect(f.wireType, WIRE_FIXED32, 'crc32c');
        entry.maskedCrc32c = reader.fixed32();
        break;
      case 7:
        reader.expect(f.wireType, WIRE_LENGTH_DELIMITED, 'slices');
        reader.lengthDelimited();
        entry.sliceCount++;
        break;
      default:
        reader.skip(f.wireType);
    }
  }
  return entry;
}

/** TensorShapeProto { repeated Dim dim = 2 { int64 size = 1; string name = 2 }; bool unknown_rank = 3 }. */
function decodeTensorShape(reader: ProtoReader): number[] {
  const shape: number[] = [];
  for (let f = reader.nextField(); f; f = reader.nextField()) {
    if (f.field === 2) {
      reader.expect(f.wireType, WIRE_LENGTH_DELIMITED, 'shape.dim');
      const dim = reader.message();
      let size = 0;
      for (let d = dim.nextField(); d; d = dim.nextField()) {
        if (d.field === 1) {
          dim.expect(d.wireType, WIRE_VARINT, 'shape.dim.size');
          size = dim.varint();
        } else dim.skip(d.wireType);
      }
      shape.push(size);
    } else if (f.field === 3) {
      reader.expect(f.wireType, WIRE_VARINT, 'shape.unknown_rank');
      if (reader.varint() !== 0) reader.fail('a saved tensor has a shape of unknown rank');
    } else reader.skip(f.wireType);
  }
  return shape;
}
