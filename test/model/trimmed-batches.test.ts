import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceKernels } from '../../src/engine/reference.js';
import type { BertConfig } from '../../src/model/bert-config.js';
import type { EncoderInputs } from '../../src/model/bert-encoder.js';
import { BertModel } from '../../src/model/bert-model.js';
import { Rng } from '../../src/util/rng.js';

const config: BertConfig = {
  vocabSize: 50, hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 32, hiddenAct: 'gelu',
  hiddenDropoutProb: 0, attentionProbsDropoutProb: 0, maxPositionEmbeddings: 32, typeVocabSize: 2,
  initializerRange: 0.5, layerNormEps: 1e-12,
};

/** Three sequences of 5, 3 and 6 real tokens, zero-padded to `seq`. */
function batch(seq: number): EncoderInputs {
  const lengths = [5, 3, 6];
  const rng = new Rng(9);
  const inputs: EncoderInputs = {
    batch: 3, seq, inputIds: new Int32Array(3 * seq), segmentIds: new Int32Array(3 * seq), inputMask: new Float32Array(3 * seq),
  };
  lengths.forEach((len, b) => {
    for (let j = 0; j < len; j++) {
      inputs.inputIds[b * seq + j] = 1 + rng.int(config.vocabSize - 1);
      inputs.segmentIds[b * seq + j] = j >= 3 ? 1 : 0;
      inputs.inputMask[b * seq + j] = 1;
    }
  });
  return inputs;
}

/**
 * Batches are cut to their longest sequence (6 here) instead of max_seq_length: padding gets no attention and no
 * gradient, so pooled outputs and every parameter gradient must equal those of the full-length batch.
 */
test('a batch cut to its longest sequence gives the outputs and gradients of the max_seq_length batch', () => {
  const k = referenceKernels;
  const model = new BertModel(k, config, [{ task: 'a', numOutputs: 4 }]);
  model.initialize(3);
  const dOutputs = k.allocFloat(3 * 4);
  k.upload(dOutputs, Float32Array.from({ length: 3 * 4 }, (_, i) => Math.sin(i)));
  const run = (seq: number): { pooled: Float32Array; grads: Float32Array } => {
    model.arena.zeroGrads();
    model.forward(batch(seq), new Int32Array(3), true, 1, k.allocFloat(3 * 4));
    const pooled = k.download(model.heads.pooled());
    model.backward(dOutputs);
    return { pooled, grads: k.download(model.arena.grads) };
  };
  const full = run(32);
  const trimmed = run(6);
  let worst = 0;
  full.pooled.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - trimmed.pooled[i])); });
  full.grads.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - trimmed.grads[i])); });
  assert.ok(worst <= 1e-6, `max difference ${worst}`);
  // Position embeddings beyond the longest sequence get no gradient either way.
  const positions = model.arena.get('bert/embeddings/position_embeddings');
  assert.ok(full.grads.subarray(positions.offset + 6 * config.hiddenSize, positions.offset + positions.size).every((g) => g === 0));
});
