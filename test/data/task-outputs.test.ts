import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Example } from '../../src/data/example.js';
import type { FeaturizedDataset } from '../../src/data/featurize.js';
import { getTask, TASK_NAMES } from '../../src/data/tasks.js';

const rte = getTask('rte');
const mnli = getTask('mnli');
const sts = getTask('sts');

function example(task: string, label: string | number): Example {
  return { eid: 4, task, split: 'train', textA: 'a', textB: 'b', label };
}

/** A featurized set of one example with these targets (only the target fields are read by the tasks). */
function targetsOnly(labelId: number, regressionTarget: number): FeaturizedDataset {
  return { labelIds: Int32Array.of(labelId), regressionTargets: Float32Array.of(regressionTarget) } as unknown as FeaturizedDataset;
}

test('head widths and loss heads: one logit per label, one output for regression', () => {
  assert.deepEqual([rte.numOutputs, mnli.numOutputs, sts.numOutputs], [2, 3, 1]);
  assert.deepEqual([rte.lossKind, mnli.lossKind, sts.lossKind], ['cross-entropy', 'cross-entropy', 'squared-error']);
  assert.deepEqual(mnli.lossHead(0.25), { numOutputs: 3, regression: false, weight: 0.25 });
  assert.deepEqual(sts.lossHead(1.5), { numOutputs: 1, regression: true, weight: 1.5 });
});

test('feature targets: the label index, or the score over 5', () => {
  assert.deepEqual(rte.featureTargets(example('rte', 'not_entailment')), { labelId: 1, regressionTarget: 0 });
  assert.deepEqual(mnli.featureTargets(example('mnli', 'contradiction')), { labelId: 0, regressionTarget: 0 });
  assert.deepEqual(sts.featureTargets(example('sts', 3.8)), { labelId: -1, regressionTarget: 3.8 / 5 });
  assert.deepEqual(sts.featureTargets(example('sts', 5)), { labelId: -1, regressionTarget: 1 });
  assert.throws(() => rte.featureTargets(example('rte', 'neutral')), /rte example 4 has label neutral, not in its label list/);
});

test('prediction, gold and gold loss: argmax (first of ties) and cross-entropy; the value and squared error', () => {
  // Row 1 of [2, 3] outputs: logits 0 and ln 3, so softmax = [1/4, 3/4].
  const outputs = Float32Array.of(9, 9, 9, 0, Math.log(3), 7);
  assert.equal(rte.prediction(outputs, 3), 1);
  assert.equal(mnli.prediction(Float32Array.of(1, 3, 3), 0), 1);
  assert.equal(mnli.prediction(Float32Array.of(-1, -2, -3), 0), 0);
  assert.equal(rte.gold(targetsOnly(1, 0), 0), 1);
  assert.ok(Math.abs(rte.goldLoss(outputs, 3, targetsOnly(1, 0), 0) - Math.log(4 / 3)) < 1e-7);
  assert.ok(Math.abs(rte.goldLoss(outputs, 3, targetsOnly(0, 0), 0) - Math.log(4)) < 1e-7);
  const scores = Float32Array.of(0.25, 0.75);
  assert.equal(sts.prediction(scores, 1), 0.75);
  assert.equal(sts.gold(targetsOnly(-1, 0.5), 0), 0.5);
  assert.equal(sts.goldLoss(scores, 1, targetsOnly(-1, 0.5), 0), 0.0625);
});

test('prediction-file entries: logits or the value; their shape is checked; teacher entries become targets', () => {
  const outputs = Float32Array.of(0.5, -1.25, 2, 0.375, 0, 0);
  assert.deepEqual(rte.predictionEntry(outputs, 0), [0.5, -1.25]);
  assert.deepEqual(mnli.predictionEntry(outputs, 0), [0.5, -1.25, 2]);
  assert.equal(sts.predictionEntry(outputs, 3), 0.375);
  assert.deepEqual([rte.predictionEntryShape, mnli.predictionEntryShape, sts.predictionEntryShape], ['2 logits', '3 logits', 'a number']);
  assert.deepEqual([[1, 2], [1], [1, NaN], [1, '2'], 1, null].map((v) => rte.isPredictionEntry(v)), [true, false, false, false, false, false]);
  assert.deepEqual([0.5, -3, NaN, Infinity, [0.5], '0.5'].map((v) => sts.isPredictionEntry(v)), [true, true, false, false, false, false]);

  const targets = { logits: new Float32Array(2 * 3), predictions: new Float32Array(2) };
  rte.setTeacherTarget([1.5, -2], targets, 1, 3);
  sts.setTeacherTarget(0.25, targets, 0, 3);
  assert.deepEqual(Array.from(targets.logits), [0, 0, 0, 1.5, -2, 0]);
  assert.deepEqual(Array.from(targets.predictions), [0.25, 0]);
});

test('submission values: the argmax label; the score ×5 clipped to [0, 5] with three decimals', () => {
  assert.equal(rte.submissionValue(Float32Array.of(0.2, 0.1), 0), 'entailment');
  assert.equal(mnli.submissionValue(Float32Array.of(0, 0, 1, 5, 0), 2), 'entailment');
  const scores = Float32Array.of(0.5, 1.2, -0.1, 0.1234, 0.9);
  assert.deepEqual([0, 1, 2, 3, 4].map((o) => sts.submissionValue(scores, o)), ['2.500', '5.000', '0.000', '0.617', '4.500']);
});

test('splits, result keys, submission files, download folders and fixed train sizes of the GLUE tasks', () => {
  const expected: Record<string, [string, Record<string, string>, number | null]> = {
    cola: ['CoLA', { test: 'CoLA.tsv' }, 8551],
    mnli: ['MNLI', { test_matched: 'MNLI-m.tsv', test_mismatched: 'MNLI-mm.tsv', diagnostic: 'AX.tsv' }, 392702],
    mrpc: ['MRPC', { test: 'MRPC.tsv' }, 7336],
    qnli: ['QNLI', { test: 'QNLI.tsv' }, 108436],
    qqp: ['QQP', { test: 'QQP.tsv' }, 363869],
    rte: ['RTE', { test: 'RTE.tsv' }, 2490],
    sst: ['SST-2', { test: 'SST-2.tsv' }, 67349],
    sts: ['STS-B', { test: 'STS-B.tsv' }, 11498],
    wnli: ['WNLI', { test: 'WNLI.tsv' }, null],
  };
  for (const [name, [folder, submissions, size]] of Object.entries(expected)) {
    const task = getTask(name);
    assert.equal(task.downloadFolder, folder, name);
    assert.deepEqual(Object.fromEntries(task.testSplits.map((split) => [split, task.submissionFile(split)])), submissions, name);
    assert.equal(task.submissionFile('dev'), null, name);
    assert.equal(task.fixedTrainSize, size, name);
    if (name !== 'mnli') assert.deepEqual(task.devSplits.map((split) => task.resultKey(split)), [name], name);
  }
  assert.deepEqual(mnli.devSplits.map((split) => mnli.resultKey(split)), ['mnli', 'mnli-mm']);
  assert.ok(TASK_NAMES.every((name) => getTask(name).name === name));
});
