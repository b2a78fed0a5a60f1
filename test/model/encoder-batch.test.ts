import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encoderInputBuffers, packBatch, tokenRowAt } from '../../src/model/encoder-batch.js';

test('encoderInputBuffers: zeroed room for batch × seq tokens', () => {
  const inputs = encoderInputBuffers(3, 5);
  assert.equal(inputs.batch, 3);
  assert.equal(inputs.seq, 5);
  for (const a of [inputs.inputIds, inputs.segmentIds, inputs.inputMask]) assert.deepEqual([...a], new Array(15).fill(0));
});

test('packBatch: cut to the longest row; padding rows and missing segment ids are zeros; stale values overwritten', () => {
  // Rows laid out [3, 6]: lengths 2, 4 and 3.
  const flat = {
    inputIds: Int32Array.of(101, 102, 0, 0, 0, 0, 101, 7, 8, 102, 0, 0, 101, 9, 102, 0, 0, 0),
    segmentIds: Int32Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0),
    inputMask: Float32Array.of(1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0),
  };
  const lengths = [2, 4, 3];
  const inputs = encoderInputBuffers(4, 6);
  for (const a of [inputs.inputIds, inputs.segmentIds, inputs.inputMask]) a.fill(9);

  const oneSegment = { inputIds: Int32Array.of(101, 5, 102, 0, 0, 0), inputMask: Int32Array.of(1, 1, 1, 0, 0, 0), length: 3 };
  const packed = packBatch([tokenRowAt(flat, 6, 2, lengths[2]), null, tokenRowAt(flat, 6, 1, lengths[1]), oneSegment], inputs);
  assert.equal(packed, inputs);
  assert.equal(inputs.batch, 4);
  assert.equal(inputs.seq, 4);
  assert.deepEqual([...inputs.inputIds.subarray(0, 16)], [101, 9, 102, 0, 0, 0, 0, 0, 101, 7, 8, 102, 101, 5, 102, 0]);
  assert.deepEqual([...inputs.segmentIds.subarray(0, 16)], [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual([...inputs.inputMask.subarray(0, 16)], [1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0]);
});

test('packBatch: a batch of padding rows alone has one position', () => {
  const inputs = encoderInputBuffers(2, 8);
  packBatch([null, null], inputs);
  assert.equal(inputs.seq, 1);
  assert.deepEqual([...inputs.inputMask.subarray(0, 2)], [0, 0]);
});
