import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kernels } from '../../src/engine/backend.js';
import { referenceKernels } from '../../src/engine/reference.js';
import type { BertConfig } from '../../src/model/bert-config.js';
import { BertMaskedLm } from '../../src/model/bert-masked-lm.js';
import type { MaskedPositions } from '../../src/model/masked-lm-head.js';
import { MaskedLmLoss } from '../../src/train/masked-lm-loss.js';
import { Rng } from '../../src/util/rng.js';
import { backends } from '../kernels-under-test.js';
import { checkFiniteDifferences } from './finite-differences.js';

const config: BertConfig = {
  vocabSize: 17, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 12, hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1, maxPositionEmbeddings: 8, typeVocabSize: 2,
  initializerRange: 0.5, layerNormEps: 1e-12,
};
const batch = 3;
const seq = 6;

/** A batch with padding in its last sequence, and 5 masked positions (flat rows b·seq + j) with their gold ids. */
function problem(): { inputs: { batch: number; seq: number; inputIds: Int32Array; segmentIds: Int32Array; inputMask: Float32Array }; positions: MaskedPositions; labels: Int32Array } {
  const rng = new Rng(3);
  const inputIds = Int32Array.from({ length: batch * seq }, () => rng.int(config.vocabSize));
  const segmentIds = new Int32Array(batch * seq);
  const inputMask = Float32Array.from({ length: batch * seq }, (_, i) => (i >= 2 * seq + 4 ? 0 : 1));
  const positions = { count: 5, rows: Int32Array.from([1, 4, 7, 8, 2 * seq + 3]) };
  const labels = Int32Array.from([3, 16, 0, 9, 5]);
  return { inputs: { batch, seq, inputIds, segmentIds, inputMask }, positions, labels };
}

/** Loss, gradients and logits of one training-mode pass (dropout seeded) on the given kernels. */
function run(k: Kernels): { model: BertMaskedLm; evaluate: () => number; grads: Float32Array; logits: Float32Array } {
  const model = new BertMaskedLm(k, config);
  model.initialize(7);
  const { inputs, positions, labels } = problem();
  const loss = new MaskedLmLoss(k, positions.count);
  const logits = k.allocFloat(positions.count * config.vocabSize);
  const scratch = k.allocFloat(positions.count * config.vocabSize);
  const evaluate = (): number => {
    model.forward(inputs, positions, true, 1234, logits);
    return loss.compute(logits, labels, positions.count, config.vocabSize, scratch).loss;
  };
  model.arena.zeroGrads();
  model.forward(inputs, positions, true, 1234, logits);
  const forwardLogits = k.download(logits);
  loss.compute(logits, labels, positions.count, config.vocabSize, logits);
  model.backward(logits);
  return { model, evaluate, grads: k.download(model.arena.grads), logits: forwardLogits };
}

/**
 * The masked-LM model's backward pass (encoder, MLM transform, LayerNorm, tied decoder, output bias, the mean
 * masked-LM loss) against central finite differences, in training mode with dropout on.
 */
test('masked-LM gradients match finite differences for every parameter tensor (training mode, dropout on)', () => {
  const { model, evaluate, grads } = run(referenceKernels);
  const rng = new Rng(11);
  // Nothing trains the pooler without next-sentence prediction.
  const checked = checkFiniteDifferences(model.arena, grads, evaluate, rng, (p) => p.name.startsWith('bert/pooler/'));
  assert.ok(checked >= 3 * (model.arena.parameters.length - 2) - 3, `only ${checked} entries checked`);
});

test('masked-LM logits and gradients: native kernels equal the reference (per tensor, 1e-5 of its largest value)', { skip: backends[1].skip }, () => {
  const ref = run(referenceKernels);
  const nat = run(backends[1].kernels!);
  // Per tensor: the largest difference relative to the tensor's largest magnitude, with a floor of 1e-2 for tensors
  // whose gradient is zero in exact arithmetic (the key biases: softmax ignores a constant shift) and only rounding.
  const relative = (a: Float32Array, b: Float32Array): number => {
    let diff = 0;
    let scale = 0;
    a.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - b[i])); scale = Math.max(scale, Math.abs(v)); });
    return diff / Math.max(scale, 1e-2);
  };
  assert.ok(relative(ref.logits, nat.logits) <= 1e-5, `logits: ${relative(ref.logits, nat.logits)}`);
  for (const p of ref.model.arena.parameters) {
    const r = relative(ref.grads.subarray(p.offset, p.offset + p.size), nat.grads.subarray(p.offset, p.offset + p.size));
    assert.ok(r <= 1e-5, `${p.name}: ${r}`);
  }
});

test('the inference path gives the training path\'s logits without dropout (1e-5)', () => {
  for (const backend of backends.filter((b) => !b.skip)) {
    const k = backend.kernels!;
    const model = new BertMaskedLm(k, config);
    model.initialize(2);
    const { inputs, positions } = problem();
    const aBuffer = k.allocFloat(positions.count * config.vocabSize);
    const bBuffer = k.allocFloat(positions.count * config.vocabSize);
    model.forward(inputs, positions, false, 0, aBuffer);
    model.infer(inputs, positions, bBuffer);
    const a = k.download(aBuffer);
    const b = k.download(bBuffer);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-5, `${backend.name} logit ${i}: ${v} vs ${b[i]}`));
  }
});
