import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceKernels } from '../../src/engine/reference.js';
import type { BertConfig } from '../../src/model/bert-config.js';
import { BertModel } from '../../src/model/bert-model.js';
import { MultitaskLoss, type LossTargets } from '../../src/train/multitask-loss.js';
import { Rng } from '../../src/util/rng.js';
import { checkFiniteDifferences } from './finite-differences.js';

const config: BertConfig = {
  vocabSize: 13, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 12, hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1, maxPositionEmbeddings: 8, typeVocabSize: 2,
  initializerRange: 0.5, layerNormEps: 1e-12,
};
const batch = 4;
const seq = 5;

/**
 * The whole model's backward pass (encoder, pooler, heads, multi-task loss with a teacher) against central finite
 * differences of the loss, in training mode: dropout masks are a function of the seed, so the loss is a
 * deterministic function of the parameters. Large initial weights keep the gradients well above float32 noise.
 */
test('model gradients match finite differences for every parameter tensor (training mode, dropout on)', () => {
  const k = referenceKernels;
  const model = new BertModel(k, config, [{ task: 'a', numOutputs: 3 }, { task: 'b', numOutputs: 1 }]);
  model.initialize(7);
  const rng = new Rng(3);
  const inputIds = Int32Array.from({ length: batch * seq }, () => rng.int(config.vocabSize));
  const segmentIds = Int32Array.from({ length: batch * seq }, (_, i) => (i % seq >= 3 ? 1 : 0));
  const inputMask = Float32Array.from({ length: batch * seq }, (_, i) => (i % seq < seq - (i / seq | 0) % 2 ? 1 : 0));
  const inputs = { batch, seq, inputIds, segmentIds, inputMask };
  const M = model.heads.maxOutputs;
  const targets: LossTargets = {
    taskIds: Int32Array.from([0, 1, 0, 2]), // the last example is padding
    labelIds: Int32Array.from([2, 0, 1, 0]),
    regressionTargets: Float32Array.from([0, 0.6, 0, 0]),
    teacherLogits: Float32Array.from({ length: batch * M }, () => rng.normal()),
    teacherPredictions: Float32Array.from([0, 0.3, 0, 0]),
  };
  const loss = new MultitaskLoss(k, [
    { numOutputs: 3, regression: false, weight: 0.8 },
    { numOutputs: 1, regression: true, weight: 1.3 },
  ], M, batch);
  const outputs = k.allocFloat(batch * M);
  const dOutputs = k.allocFloat(batch * M);
  const seed = 1234;
  const evaluate = (): number => {
    model.forward(inputs, targets.taskIds, true, seed, outputs);
    return loss.compute(outputs, targets, batch, 0.3, dOutputs);
  };

  model.arena.zeroGrads();
  evaluate();
  model.backward(dOutputs);
  const analytic = k.download(model.arena.grads);

  const checked = checkFiniteDifferences(model.arena, analytic, evaluate, rng, () => false);
  assert.ok(checked >= 3 * (model.arena.parameters.length - 2), `only ${checked} entries checked`);
});
