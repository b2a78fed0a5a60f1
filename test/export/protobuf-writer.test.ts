import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeVarint, ProtoMessage } from '../../src/export/protobuf-writer.js';

test('varints: the protobuf documentation\'s 150 → 96 01, and int64 −1 in ten bytes', () => {
  assert.deepEqual([...encodeVarint(0)], [0]);
  assert.deepEqual([...encodeVarint(150)], [0x96, 0x01]);
  assert.deepEqual([...encodeVarint(-1)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.deepEqual([...encodeVarint(2n ** 40n)], [0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
});

test('fields: tags, lengths, nested messages, packed int64s and floats in wire order', () => {
  const inner = new ProtoMessage().varint(1, 150);
  const bytes = new ProtoMessage().string(2, 'testing').message(3, inner).packedInt64(4, [3, 270]).float(5, 1).finish();
  assert.deepEqual([...bytes], [
    0x12, 0x07, ...Buffer.from('testing'), // field 2, length-delimited
    0x1a, 0x03, 0x08, 0x96, 0x01, // field 3: { field 1 = 150 }
    0x22, 0x03, 0x03, 0x8e, 0x02, // field 4 packed: 3, 270
    0x2d, 0x00, 0x00, 0x80, 0x3f, // field 5 fixed32: 1.0f
  ]);
  assert.throws(() => new ProtoMessage().varint(1, 0.5), /not an integer/);
});
