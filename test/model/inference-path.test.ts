import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BertConfig } from '../../src/model/bert-config.js';
import type { EncoderInputs } from '../../src/model/bert-encoder.js';
import { BertModel } from '../../src/model/bert-model.js';
import { Rng } from '../../src/util/rng.js';
import { backends } from '../kernels-under-test.js';

// Dropout rates are set so that a forward pass that wrongly applied them would differ.
const config: BertConfig = {
  vocabSize: 60, hiddenSize: 32, numHiddenLayers: 3, numAttentionHeads: 4, intermediateSize: 48, hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1, maxPositionEmbeddings: 64, typeVocabSize: 2,
  initializerRange: 0.2, layerNormEps: 1e-12,
};

/** `batch` sequences of `seq` positions; sequence b has its last b mod seq positions padded. */
function inputs(batch: number, seq: number, seed: number): EncoderInputs {
  const rng = new Rng(seed);
  const rows = batch * seq;
  return {
    batch,
    seq,
    inputIds: Int32Array.from({ length: rows }, () => rng.int(config.vocabSize)),
    segmentIds: Int32Array.from({ length: rows }, (_, i) => (i % seq >= seq / 2 ? 1 : 0)),
    inputMask: Float32Array.from({ length: rows }, (_, i) => (i % seq < seq - (Math.floor(i / seq) % seq) ? 1 : 0)),
  };
}

// Outputs are O(1) (after LayerNorm and tanh); the two paths differ only by float32 rounding (OpenBLAS blocks a
// chunk's sgemm differently from a whole batch's), as in the Hugging Face parity test's bound.
const TOLERANCE = 1e-5;

function maxDifference(a: Float32Array, b: Float32Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('the fused inference path equals the training path without dropout', () => {
  for (const backend of backends) {
    test(`${backend.name} kernels: pooled and sequence outputs (and pooled from [CLS] rows only) within ${TOLERANCE}, as buffers grow and shrink`, { skip: backend.skip }, () => {
      const k = backend.kernels!;
      const model = new BertModel(k, config, [{ task: 'a', numOutputs: 3 }]);
      model.initialize(5);
      const H = config.hiddenSize;
      for (const [batch, seq] of [[2, 9], [5, 40], [1, 3], [7, 16]]) {
        const x = inputs(batch, seq, batch * 100 + seq);
        const taskIds = new Int32Array(batch);
        const logits = k.allocFloat(batch * 3);
        model.forward(x, taskIds, false, 0, logits);
        const expectedLogits = k.download(logits);
        const pooled = k.download(model.heads.pooled());
        const sequence = k.download(model.encoder.sequenceOutput(), 0, batch * seq * H);
        model.infer(x, taskIds, logits, true);
        assert.ok(maxDifference(k.download(model.heads.pooled()), pooled, batch * H) <= TOLERANCE, `pooled ${batch}×${seq}`);
        assert.ok(maxDifference(k.download(logits), expectedLogits, batch * 3) <= TOLERANCE, `logits ${batch}×${seq}`);
        assert.ok(maxDifference(k.download(model.encoder.sequenceOutput(), 0, batch * seq * H), sequence, batch * seq * H) <= TOLERANCE, `sequence ${batch}×${seq}`);
        // Pooled heads read only [CLS] rows, so by default the last layer computes only those: the same outputs.
        model.infer(x, taskIds, logits);
        assert.ok(maxDifference(k.download(model.heads.pooled()), pooled, batch * H) <= TOLERANCE, `pooled, [CLS] only, ${batch}×${seq}`);
        assert.ok(maxDifference(k.download(logits), expectedLogits, batch * 3) <= TOLERANCE, `logits, [CLS] only, ${batch}×${seq}`);
        assert.throws(() => model.encoder.sequenceOutput(), /computes only \[CLS\] rows/);
        // The outputs are not trivially equal: the training path with dropout differs.
        model.forward(x, taskIds, true, 7, logits);
        assert.ok(maxDifference(k.download(model.heads.pooled()), pooled, batch * H) > 1e-3);
      }
    });
  }

  test('backward after infer is refused: infer keeps nothing for it', () => {
    const model = new BertModel(backends[0].kernels ?? backends[1].kernels!, config, []);
    model.initialize(5);
    model.encoder.forward(inputs(2, 4, 1), true, 0);
    model.encoder.infer(inputs(2, 4, 1));
    assert.throws(() => model.encoder.outputGradient(), /backward needs a forward pass \(infer keeps nothing for it\)/);
    assert.throws(() => model.encoder.backward(), /backward needs a forward pass \(infer keeps nothing for it\)/);
  });
});
