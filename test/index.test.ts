import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as bam from '../src/index.js';
import { fixtureVocab } from './fixture-vocab.js';

test('the library entry point is enough to tokenize, build a model, train a step and predict', async () => {
  const kernels = bam.referenceKernels;
  const tokenizer = bam.FullTokenizer.fromVocabFile(fixtureVocab.uncased, true);
  const config = bam.parseBertConfig({
    vocab_size: tokenizer.vocab.idToToken.length, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 16,
  }, 'inline config');
  const model = new bam.BertModel(kernels, config, [{ task: 'rte', numOutputs: 2 }]);
  model.initialize(1);
  const examples: bam.Example[] = [
    { eid: 0, task: 'rte', split: 'train', textA: 'A cat sat.', textB: 'A cat is sitting.', label: 'entailment' },
    { eid: 1, task: 'rte', split: 'train', textA: 'A dog ran.', textB: 'Nobody moved.', label: 'not_entailment' },
  ];
  const data = bam.featurize(examples, ['rte'], tokenizer, 16);
  assert.deepEqual([...data.labelIds], [0, 1]);
  const before = bam.predictDataset(model, data, 2);
  const loss = new bam.MultitaskLoss(kernels, [{ numOutputs: 2, regression: false, weight: 1 }], 2, 2);
  const optimizer = new bam.AdamWeightDecay(kernels, model.arena, {
    learningRate: 1e-2, numTrainSteps: 2, warmupProportion: 0, lrDecay: 0, weightDecayRate: 0, numLayers: 1,
  });
  const stream = new bam.BatchStream(data, null, 1, 2, 2, 1);
  const buffers = { outputs: kernels.allocFloat(4), dOutputs: kernels.allocFloat(4) };
  const first = await bam.trainingStep(model, stream.batchAt(0), loss, optimizer, 0, 1, 1, buffers);
  assert.ok(first > 0 && Number.isFinite(first));
  const after = bam.predictDataset(model, data, 2);
  assert.notDeepEqual(after, before, 'a training step changes the predictions');
  assert.equal(bam.getTask('rte').labelList[1], 'not_entailment');
});
