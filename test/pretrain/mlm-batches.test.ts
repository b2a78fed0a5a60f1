import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlmBatchStream, sequentialBatches, type MlmBatch } from '../../src/pretrain/mlm-batches.js';
import { PretrainingData, type MaskedInstances } from '../../src/pretrain/pretraining-data.js';
import { parseTextDocuments } from '../../src/pretrain/text-documents.js';
import { syntheticText, syntheticWords, tinyTokenizer } from './pretrain-fixtures.js';

const WORDS = 300;
const L = 24;
const P = 5;
const tokenizer = tinyTokenizer(syntheticWords(WORDS));
const documents = parseTextDocuments(syntheticText(5, 60, WORDS), tokenizer, 'synthetic.txt');
const data = new PretrainingData(documents, tokenizer, { maxSeqLength: L, maxPredictionsPerSeq: P, shortSeqProb: 0.3, heldoutFraction: 0.1, seed: 3 });
const BATCH = 8;

/** A batch row as text: its real tokens and its prediction slots, enough to tell the rows of an epoch apart. */
function rowKey(tokens: Int32Array, length: number, positions: Int32Array, ids: Int32Array, weights: Float32Array): string {
  return JSON.stringify([[...tokens.subarray(0, length)], [...positions], [...ids], [...weights]]);
}

function epochKeys(epoch: MaskedInstances): string[] {
  return Array.from({ length: epoch.n }, (_, i) =>
    rowKey(
      epoch.inputIds.subarray(i * L, i * L + L),
      epoch.lengths[i],
      epoch.maskedPositions.subarray(i * P, i * P + P),
      epoch.maskedIds.subarray(i * P, i * P + P),
      epoch.maskedWeights.subarray(i * P, i * P + P),
    ),
  );
}

/** The rows of a batch as keys, null for a padding row; checks the batch's shape on the way. */
function batchKeys(batch: MlmBatch): (string | null)[] {
  const { seq, batch: rows } = batch.inputs;
  const keys: (string | null)[] = [];
  let longest = 0;
  for (let slot = 0; slot < rows; slot++) {
    const mask = batch.inputs.inputMask.subarray(slot * seq, slot * seq + seq);
    const length = mask.reduce((sum, m) => sum + m, 0);
    assert.deepEqual([...mask], [...mask].map((_, j) => (j < length ? 1 : 0)));
    assert.ok(batch.inputs.inputIds.subarray(slot * seq + length, slot * seq + seq).every((id) => id === 0));
    assert.ok(batch.inputs.segmentIds.subarray(slot * seq, slot * seq + seq).every((id) => id === 0));
    const positions = batch.maskedPositions.subarray(slot * P, slot * P + P);
    const weights = batch.maskedWeights.subarray(slot * P, slot * P + P);
    assert.ok(positions.every((p, k) => weights[k] === 0 || p < length));
    longest = Math.max(longest, length);
    if (length === 0) {
      assert.ok(weights.every((w) => w === 0), 'a padding row has predictions');
      keys.push(null);
      continue;
    }
    keys.push(rowKey(batch.inputs.inputIds.subarray(slot * seq), length, positions, batch.maskedIds.subarray(slot * P, slot * P + P), weights));
  }
  assert.equal(seq, longest, 'the batch is not cut to its longest row');
  return keys;
}

test('each epoch visits every instance once, with that epoch\'s masks, in its own order; padding rows fill the last batch', () => {
  const stream = new MlmBatchStream(data, BATCH);
  const n = data.train.n;
  assert.equal(stream.stepsPerEpoch, Math.ceil(n / BATCH));
  assert.ok(n % BATCH !== 0, 'the test needs a padded last batch');
  const orders: string[][] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    const expected = epochKeys(data.maskEpoch(epoch));
    assert.equal(new Set(expected).size, n, 'rows of the test epoch are not distinct');
    const seen: string[] = [];
    let padding = 0;
    for (let s = 0; s < stream.stepsPerEpoch; s++) {
      const batch = stream.batchAt(epoch * stream.stepsPerEpoch + s);
      assert.equal(batch.inputs.batch, BATCH);
      for (const key of batchKeys(batch)) {
        if (key === null) padding++;
        else seen.push(key);
      }
    }
    assert.equal(padding, stream.paddedSize - n);
    assert.deepEqual([...seen].sort(), [...expected].sort());
    orders.push(seen.map((key) => String(expected.indexOf(key))));
  }
  assert.notDeepEqual(orders[0], orders[1]);
  // Cutting to the longest row really cuts: with short targets everywhere, some batches of 2 are much shorter than L.
  const short = new PretrainingData(documents, tokenizer, { ...data.options, shortSeqProb: 1 });
  const pairs = new MlmBatchStream(short, 2);
  const seqs = Array.from({ length: pairs.stepsPerEpoch }, (_, s) => {
    const batch = pairs.batchAt(s);
    batchKeys(batch);
    return batch.inputs.seq;
  });
  assert.ok(Math.min(...seqs) < L / 2, `batch lengths ${seqs}`);
});

test('the batch of a step is a function of the step alone: a fresh stream jumping to it sees the same batch', () => {
  const walked = new MlmBatchStream(data, BATCH);
  const steps = 3 * walked.stepsPerEpoch;
  const sequence = Array.from({ length: steps }, (_, s) => batchKeys(walked.batchAt(s)));
  const jumping = new MlmBatchStream(data, BATCH);
  for (const s of [steps - 1, 5, walked.stepsPerEpoch, 0, 2 * walked.stepsPerEpoch + 3]) {
    assert.deepEqual(batchKeys(jumping.batchAt(s)), sequence[s], `step ${s}`);
  }
  const rebuilt = new PretrainingData(documents, tokenizer, data.options);
  assert.deepEqual(batchKeys(new MlmBatchStream(rebuilt, BATCH).batchAt(steps - 2)), sequence[steps - 2]);
});

test('sequentialBatches gives the held-out rows in order, the last batch holding the rest', () => {
  const heldout = data.heldout;
  assert.ok(heldout.n > BATCH && heldout.n % BATCH !== 0, `held-out rows ${heldout.n}`);
  const keys: (string | null)[] = [];
  const sizes: number[] = [];
  for (const batch of sequentialBatches(heldout, BATCH)) {
    sizes.push(batch.inputs.batch);
    keys.push(...batchKeys(batch));
  }
  assert.deepEqual(keys, epochKeys(heldout));
  assert.equal(sizes.length, Math.ceil(heldout.n / BATCH));
  assert.equal(sizes[sizes.length - 1], heldout.n % BATCH);
});
