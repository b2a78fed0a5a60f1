import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBundleEntry, decodeBundleHeader } from '../../src/checkpoint/tf/protobuf.js';
import { readVarint } from '../../src/checkpoint/tf/varint.js';

/** Hand-encoded messages; each byte group is commented with the field it encodes. */

test('readVarint: one and several bytes, 2^53 - 1, and the failures', () => {
  assert.deepEqual(readVarint(Uint8Array.of(0x05), 0), [5, 1]);
  assert.deepEqual(readVarint(Uint8Array.of(0xff, 0xac, 0x02), 1), [300, 3]);
  assert.deepEqual(readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f), 0), [2 ** 53 - 1, 8]);
  assert.equal(readVarint(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10), 0), null, '2^53');
  assert.equal(readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 0), null, '-1 as int64');
  assert.equal(readVarint(Uint8Array.of(0x80), 0), null, 'runs past the end');
});

test('BundleEntryProto: every field, a named dim, repeated slices, unknown fields of each wire type skipped', () => {
  const bytes = Uint8Array.of(
    0x78, 0x96, 0x01, // field 15, varint 150 (unknown)
    0x08, 0x0e, // dtype = 14 (bfloat16)
    0x12, 0x0b, // shape, 11 bytes:
    0x12, 0x02, 0x08, 0x03, //   dim { size: 3 }
    0x12, 0x05, 0x08, 0x05, 0x12, 0x01, 0x78, //   dim { size: 5, name: "x" }
    0x81, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, // field 16, fixed64 (unknown)
    0x18, 0x02, // shard_id = 2
    0x20, 0xac, 0x02, // offset = 300
    0x28, 0x3c, // size = 60
    0x8a, 0x01, 0x02, 0x68, 0x69, // field 17, length-delimited "hi" (unknown)
    0x35, 0x78, 0x56, 0x34, 0x12, // crc32c = 0x12345678 (fixed32)
    0x95, 0x01, 9, 9, 9, 9, // field 18, fixed32 (unknown)
    0x3a, 0x00, 0x3a, 0x00, // slices: two empty TensorSliceProtos
  );
  assert.deepEqual(decodeBundleEntry(bytes, 'x.index: entry w'), {
    dtype: 14,
    shape: [3, 5],
    shardId: 2,
    offset: 300,
    size: 60,
    maskedCrc32c: 0x12345678,
    sliceCount: 2,
  });
  assert.deepEqual(decodeBundleEntry(new Uint8Array(0), 'e'), { dtype: 0, shape: [], shardId: 0, offset: 0, size: 0, maskedCrc32c: 0, sliceCount: 0 });
});

test('BundleHeaderProto: shards, endianness, VersionDef with packed and unpacked bad_consumers', () => {
  const bytes = Uint8Array.of(
    0x08, 0x02, // num_shards = 2
    0x10, 0x01, // endianness = BIG
    0x1a, 0x0a, // version, 10 bytes:
    0x08, 0x01, //   producer = 1
    0x10, 0x00, //   min_consumer = 0
    0x1a, 0x02, 0x03, 0x04, //   bad_consumers, packed: [3, 4]
    0x18, 0x05, //   bad_consumers = 5
  );
  assert.deepEqual(decodeBundleHeader(bytes, 'h'), { numShards: 2, endianness: 'big', minConsumer: 0, badConsumers: [3, 4, 5] });
});

test('malformed messages give one-line errors naming the entry', () => {
  const where = 'x.index: entry w';
  const fix = 're-download or re-save the checkpoint';
  const cases: [number[], string][] = [
    [[0x0a, 0x00], 'field dtype has wire type 2, expected 0'],
    [[0x28], 'varint runs past the end, or is negative or beyond 2^53'],
    [[0x4b], 'unsupported wire type 3'], // field 9 as a (deprecated) group
    [[0x12, 0x05, 0x12], 'length-delimited field runs past the end'],
    [[0x35, 0x01, 0x02], 'fixed32 runs past the end'],
    [[0x12, 0x02, 0x18, 0x01], 'a saved tensor has a shape of unknown rank'],
  ];
  for (const [bytes, detail] of cases) {
    assert.throws(() => decodeBundleEntry(Uint8Array.from(bytes), where), { name: 'BamError', message: `${where}: corrupt protobuf (${detail}); ${fix}` });
  }
});
