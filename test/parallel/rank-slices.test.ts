import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dropoutBits, mix32 } from '../../src/engine/kernels.js';
import { parseBertConfig } from '../../src/model/bert-config.js';
import { BertModel } from '../../src/model/bert-model.js';
import { dropoutSeedAt, unmix32 } from '../../src/model/dropout-sites.js';
import { rankBatch } from '../../src/parallel/batch-slice.js';
import type { Collective } from '../../src/parallel/collective.js';
import { singleProcess } from '../../src/parallel/collective.js';
import { rankSlice } from '../../src/parallel/slices.js';
import type { Batch } from '../../src/train/batches.js';
import { MultitaskLoss } from '../../src/train/multitask-loss.js';
import { backends } from '../kernels-under-test.js';

/** A rank of `size` in one process: the slice logic needs only rank and size. */
const asRank = (rank: number, size: number): Collective => ({ ...singleProcess, rank, size });

describe('rank slices', () => {
  test('rankSlice covers 0..count in order, slices differing by at most one', () => {
    for (const [count, size] of [[8, 2], [7, 3], [5, 5], [32, 3]]) {
      const slices = Array.from({ length: size }, (_, r) => rankSlice(count, r, size));
      assert.equal(slices[0].start, 0);
      assert.equal(slices[size - 1].end, count);
      slices.slice(1).forEach((s, i) => assert.equal(s.start, slices[i].end));
      const lengths = slices.map((s) => s.end - s.start);
      assert.ok(Math.max(...lengths) - Math.min(...lengths) <= 1, `${count} over ${size}: ${lengths}`);
    }
  });

  test('unmix32 inverts mix32, and dropoutSeedAt(seed, o) draws the counters o, o+1, … of seed', () => {
    for (const x of [0, 1, 0x12345678, 0xffffffff, 0x9e3779b9]) assert.equal(unmix32(mix32(x)), x);
    for (const [seed, offset] of [[7, 1], [0xdeadbeef, 123456], [42, 2 ** 31 + 5]]) {
      const shifted = dropoutSeedAt(seed, offset);
      for (const i of [0, 1, 2, 1000]) assert.equal(dropoutBits(shifted, i), dropoutBits(seed, offset + i));
    }
  });
});

const CONFIG = parseBertConfig({
  vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 16,
  hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1,
}, 'inline config');
const B = 6;
const SEQ = 9;
const TASKS = [{ task: 'a', numOutputs: 3 }, { task: 'b', numOutputs: 1 }];

/** A global batch with padding, two tasks (classification and regression) and a padding example. */
function globalBatch(): Batch {
  const inputIds = new Int32Array(B * SEQ);
  const inputMask = new Float32Array(B * SEQ);
  for (let b = 0; b < B; b++) {
    const len = 3 + ((b * 5) % (SEQ - 2));
    for (let t = 0; t < len; t++) {
      inputIds[b * SEQ + t] = 1 + ((b * 13 + t * 7) % 49);
      inputMask[b * SEQ + t] = 1;
    }
  }
  return {
    inputs: { batch: B, seq: SEQ, inputIds, segmentIds: new Int32Array(B * SEQ), inputMask },
    targets: {
      taskIds: Int32Array.from([0, 1, 0, 2, 1, 0]),
      labelIds: Int32Array.from([2, 0, 1, 0, 0, 0]),
      regressionTargets: Float32Array.from([0, 0.4, 0, 0, 0.9, 0]),
    },
  };
}

/** Gradient arena of one training forward/backward (dropout on) of `batch`, and its head outputs. */
function gradients(model: BertModel, loss: MultitaskLoss, batch: Batch): { grads: Float32Array; outputs: Float32Array } {
  const k = model.arena.kernels;
  const M = model.heads.maxOutputs;
  const outputs = k.allocFloat(batch.inputs.batch * M);
  const dOutputs = k.allocFloat(batch.inputs.batch * M);
  model.arena.zeroGrads();
  model.forward(batch.inputs, batch.targets.taskIds, true, 0x5eed, outputs);
  loss.compute(outputs, batch.targets, batch.inputs.batch, 1, dOutputs);
  model.backward(dOutputs);
  return { grads: k.download(model.arena.grads), outputs: k.download(outputs) };
}

describe('a rank computes its slice of the global batch exactly as one process does', () => {
  for (const backend of backends) {
    for (const size of [2, 3]) {
      test(`${backend.name} kernels, ${size} ranks: same outputs (dropout masks included), gradients summing to the batch's`, { skip: backend.skip }, () => {
        const k = backend.kernels!;
        const model = new BertModel(k, CONFIG, TASKS);
        model.initialize(3);
        const loss = new MultitaskLoss(k, [{ numOutputs: 3, regression: false, weight: 1 }, { numOutputs: 1, regression: true, weight: 0.5 }], model.heads.maxOutputs, B);
        const batch = globalBatch();
        const whole = gradients(model, loss, batch);
        const summed = new Float32Array(whole.grads.length);
        const M = model.heads.maxOutputs;
        for (let r = 0; r < size; r++) {
          const slice = rankBatch(batch, asRank(r, size));
          const part = gradients(model, loss, slice);
          const { start } = rankSlice(B, r, size);
          // Same rows, same masks: the forward is the same arithmetic row by row.
          assert.deepEqual(part.outputs, whole.outputs.subarray(start * M, start * M + part.outputs.length), `rank ${r} outputs`);
          for (let i = 0; i < summed.length; i++) summed[i] += part.grads[i];
        }
        // The sum differs from the whole batch's only in summation order: |Δ| ≤ 1e-6 + 1e-5·|g|.
        let worst = 0;
        for (let i = 0; i < summed.length; i++) worst = Math.max(worst, Math.abs(summed[i] - whole.grads[i]) - 1e-5 * Math.abs(whole.grads[i]));
        assert.ok(worst <= 1e-6, `gradient excess over tolerance ${worst}`);
        // Dropout matters here: without the slice's counters the masks, and so the gradients, would differ.
        const unshifted = gradients(model, loss, { ...rankBatch(batch, asRank(1, size)), inputs: { ...rankBatch(batch, asRank(1, size)).inputs, firstRow: 0 } });
        const { start } = rankSlice(B, 1, size);
        assert.notDeepEqual(unshifted.outputs, whole.outputs.subarray(start * M, start * M + unshifted.outputs.length));
      });
    }
  }
});
