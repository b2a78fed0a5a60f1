import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Example } from '../../src/data/example.js';
import { getTask } from '../../src/data/tasks.js';
import { majorityBaseline } from '../../src/run/majority-baseline.js';

const example = (task: string, eid: number, label: string | number): Example => ({ eid, task, split: 'train', textA: 'a', textB: 'b', label });

test('classification: the most frequent train label predicted for every dev example, scored by the task', () => {
  const rte = getTask('rte');
  const train = ['entailment', 'not_entailment', 'not_entailment'].map((l, i) => example('rte', i, l));
  const dev = ['entailment', 'not_entailment', 'not_entailment', 'not_entailment'].map((l, i) => example('rte', i, l));
  assert.deepEqual(majorityBaseline(rte, train, dev), [['accuracy', 75]]);
  // MRPC's F1 is that of always answering the majority label "1"; CoLA's MCC of a constant is 0.
  const mrpc = getTask('mrpc');
  const mTrain = ['1', '1', '0'].map((l, i) => example('mrpc', i, l));
  const mDev = ['1', '0', '1', '1'].map((l, i) => example('mrpc', i, l));
  assert.deepEqual(majorityBaseline(mrpc, mTrain, mDev), [['accuracy', 75], ['f1', (100 * 2 * 0.75) / 1.75]]);
  const cola = getTask('cola');
  assert.deepEqual(majorityBaseline(cola, ['1', '1', '0'].map((l, i) => example('cola', i, l)), ['1', '0'].map((l, i) => example('cola', i, l))), [['mcc', 0]]);
});

test('regression: the mean train score; a constant has no correlation (0)', () => {
  const sts = getTask('sts');
  const train = [1, 2, 3].map((s, i) => example('sts', i, s));
  const dev = [0, 4].map((s, i) => example('sts', i, s));
  const scores = Object.fromEntries(majorityBaseline(sts, train, dev));
  assert.equal(scores.pearson, 0);
  assert.equal(scores.spearman, 0);
  assert.ok(!('loss' in scores));
});
