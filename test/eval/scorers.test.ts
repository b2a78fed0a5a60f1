import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getTask } from '../../src/data/tasks.js';
import { createScorer, type Scorer } from '../../src/eval/scorers.js';

function feed(scorer: Scorer, rows: [number, number, number][]): Scorer {
  for (const [prediction, gold, loss] of rows) scorer.update(prediction, gold, loss);
  return scorer;
}

function assertResults(actual: [string, number][], expected: [string, number][]): void {
  assert.deepEqual(actual.map(([name]) => name), expected.map(([name]) => name));
  actual.forEach(([name, value], i) => {
    assert.ok(Math.abs(value - expected[i][1]) <= 1e-10, `${name}: ${value} is not ${expected[i][1]}`);
  });
}

test('rte, mnli, qnli, sst, wnli: accuracy then mean loss', () => {
  for (const name of ['rte', 'mnli', 'qnli', 'sst', 'wnli']) {
    const scorer = feed(createScorer(getTask(name)), [
      [1, 1, 0.5],
      [0, 1, 1.0],
      [0, 0, 0.3],
      [1, 1, 0.2],
    ]);
    assertResults(scorer.results(), [['accuracy', 75], ['loss', 0.5]]);
  }
});

test('mrpc and qqp: accuracy, F1 of label "1", loss', () => {
  for (const name of ['mrpc', 'qqp']) {
    // pred [1,1,1,0], gold [1,0,0,1]: accuracy 25; TP 1, FP 2, FN 1 -> F1 40.
    const scorer = feed(createScorer(getTask(name)), [
      [1, 1, 0.1],
      [1, 0, 0.2],
      [1, 0, 0.3],
      [0, 1, 0.4],
    ]);
    assertResults(scorer.results(), [['accuracy', 25], ['f1', 40], ['loss', 0.25]]);
  }
});

test('cola: MCC then loss', () => {
  // pred [1,1,0,0,0,1], gold [1,1,1,0,0,0]: MCC 1/3.
  const scorer = feed(createScorer(getTask('cola')), [
    [1, 1, 1],
    [1, 1, 1],
    [0, 1, 1],
    [0, 0, 1],
    [0, 0, 1],
    [1, 0, 1],
  ]);
  assertResults(scorer.results(), [['mcc', 100 / 3], ['loss', 1]]);
});

test('sts: Pearson, Spearman, MSE on normalized scores, then loss', () => {
  // pred [1,2,3], gold [2,4,7] (as in the metrics test): Pearson 15/sqrt(228); ranks equal -> Spearman 100;
  // MSE ((2-1)^2 + (4-2)^2 + (7-3)^2)/3 = 7.
  const scorer = feed(createScorer(getTask('sts')), [
    [1, 2, 0.5],
    [2, 4, 0.25],
    [3, 7, 0],
  ]);
  assertResults(scorer.results(), [['pearson', 1500 / Math.sqrt(228)], ['spearman', 100], ['mse', 7], ['loss', 0.25]]);
});

test('results reflect later updates', () => {
  const scorer = feed(createScorer(getTask('rte')), [[1, 1, 1]]);
  assertResults(scorer.results(), [['accuracy', 100], ['loss', 1]]);
  scorer.update(0, 1, 3);
  assertResults(scorer.results(), [['accuracy', 50], ['loss', 2]]);
});

test('degenerate scorers: no examples, constant predictions', () => {
  const empty = createScorer(getTask('rte')).results();
  assert.deepEqual(empty.map(([name]) => name), ['accuracy', 'loss']);
  assert.ok(empty.every(([, value]) => Number.isNaN(value)));
  assert.deepEqual(createScorer(getTask('cola')).results()[0], ['mcc', 0]);
  assert.deepEqual(createScorer(getTask('mrpc')).results()[1], ['f1', 0]);
  const constant = feed(createScorer(getTask('sts')), [
    [0.5, 0.2, 0],
    [0.5, 0.8, 0],
  ]).results();
  assert.ok(Number.isNaN(constant[0][1]) && Number.isNaN(constant[1][1]));
  assert.ok(Math.abs(constant[2][1] - 0.09) < 1e-15);
});
