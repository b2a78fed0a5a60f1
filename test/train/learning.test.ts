import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featurize } from '../../src/data/featurize.js';
import { getTask } from '../../src/data/tasks.js';
import { getKernels } from '../../src/engine/index.js';
import { parseBertConfig } from '../../src/model/bert-config.js';
import { BertModel } from '../../src/model/bert-model.js';
import { BatchStream } from '../../src/train/batches.js';
import { MultitaskLoss } from '../../src/train/multitask-loss.js';
import { AdamWeightDecay } from '../../src/train/optimizer.js';
import { train } from '../../src/train/trainer.js';
import { FullTokenizer } from '../../src/tokenization/index.js';
import { TINY_BERT_CONFIG } from '../run/fixture-bam-dir.js';
import { sharedData } from '../shared-data.js';

const sst = sharedData('glue', 'SST-2');
const vocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');

const STEPS = 300;
const BATCH = 16;
const WINDOW = 30;
/** The stated threshold: the mean loss of the last 30 steps is below 60% of the first 30 steps'. */
const MAX_RATIO = 0.6;

test(`training a small random-init BERT on 1000 SST-2 sentences for ${STEPS} steps lowers the loss below ${MAX_RATIO} of its start`, { skip: sst.skip || vocab.skip }, async () => {
  const task = getTask('sst');
  const examples = task.getExamples(sst.path, 'train', { maxLines: 1001, multiple: 1, doubleUnordered: true });
  const data = featurize(examples, ['sst'], FullTokenizer.fromVocabFile(vocab.path, true), 32);
  const kernels = getKernels();
  const model = new BertModel(kernels, parseBertConfig(TINY_BERT_CONFIG, 'tiny config'), [{ task: 'sst', numOutputs: 2 }]);
  model.initialize(5);
  const stream = new BatchStream(data, null, 1, model.heads.maxOutputs, BATCH, 5);
  const loss = new MultitaskLoss(kernels, [{ numOutputs: 2, regression: false, weight: 1 }], model.heads.maxOutputs, BATCH);
  const optimizer = new AdamWeightDecay(kernels, model.arena, {
    learningRate: 1e-3, numTrainSteps: STEPS, warmupProportion: 0.1, lrDecay: 0.9, weightDecayRate: 0.01, numLayers: 2,
  });
  const losses: number[] = [];
  await train(model, stream, loss, optimizer, {
    numTrainSteps: STEPS, seed: 5, distillation: { kind: 'none' }, taskNames: ['sst'], checkpointDir: null, saveEverySteps: STEPS, saveFinal: false,
    logEverySteps: STEPS, run: { fingerprint: '', numTrainSteps: STEPS }, log: () => {},
    afterStep: (_step, l) => losses.push(l),
  });
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(losses.slice(0, WINDOW));
  const last = mean(losses.slice(-WINDOW));
  assert.ok(first > 0.6, `the first steps should be near chance (ln 2 = 0.69), got ${first}`);
  assert.ok(last < MAX_RATIO * first, `mean loss fell only from ${first.toFixed(4)} to ${last.toFixed(4)}`);
});
