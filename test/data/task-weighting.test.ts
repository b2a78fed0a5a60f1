import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXED_GLUE_TRAIN_SIZES, fixedMultipleAndWeight, roundHalfEven, taskMultiple, taskWeights } from '../../src/data/task-weighting.js';
import { BamError } from '../../src/errors.js';

const GLUE8 = ['cola', 'mnli', 'mrpc', 'qnli', 'qqp', 'sst', 'sts', 'rte'];
const withMultiples = { datasetMultiples: true, taskWeightExponent: 0.75 };
const withoutMultiples = { datasetMultiples: false, taskWeightExponent: 0.75 };

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

test('roundHalfEven is Python 3 round(): halves go to the even neighbour', () => {
  const cases: [number, number][] = [
    [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [4.5, 4], [-0.5, 0], [-1.5, -2], [-2.5, -2],
    [2.4999999999, 2], [2.5000000001, 3], [0.49999999999999994, 0], [7, 7], [1e15 + 0.5, 1e15], [0, 0],
  ];
  for (const [x, expected] of cases) assert.equal(roundHalfEven(x), expected, `round(${x})`);
  assert.ok(Object.is(roundHalfEven(-0.4), 0), 'no negative zero');
});

test('the fixed GLUE table reproduces the reference multiples and weights (e = 0.75)', () => {
  // bam-reference.md §4.1, computed by the original's task_weighting.py.
  const reference: Record<string, [number, number]> = {
    cola: [3, 0.863449],
    mnli: [1, 0.995054],
    mrpc: [3, 0.897173],
    qnli: [1, 1.372679],
    qqp: [1, 1.014206],
    sst: [2, 0.773125],
    sts: [2, 1.202754],
    rte: [4, 0.881561],
  };
  const weights = taskWeights(GLUE8, {}, withMultiples);
  let examplesAfterMultiples = 0;
  for (const [task, [multiple, weight]] of Object.entries(reference)) {
    assert.equal(taskMultiple(task, 'train', withMultiples), multiple, `${task} multiple`);
    assertClose(weights[task], weight, 5e-7, `${task} weight`);
    examplesAfterMultiples += FIXED_GLUE_TRAIN_SIZES[task] * multiple;
  }
  assert.equal(examplesAfterMultiples, 1_080_322);
  assertClose(Object.values(weights).reduce((s, w) => s + w, 0), 8, 1e-12, 'weights sum to the task count');
});

test('the fixed weights are those of the 8-task table whatever tasks are trained', () => {
  assert.deepEqual(Object.keys(taskWeights(['rte', 'mrpc'], {}, withMultiples)), ['rte', 'mrpc']);
  const pair = taskWeights(['rte', 'mrpc'], { rte: 9960, mrpc: 22008 }, withMultiples);
  assertClose(pair.rte, 0.881561, 5e-7, 'rte');
  assertClose(pair.mrpc, 0.897173, 5e-7, 'mrpc');
});

test('other exponents: multiples as the original computes them', () => {
  // Output of the original's _multiples_and_weights with task_weight_exponent 0.5, run under Python 3.11.
  const half = { datasetMultiples: true, taskWeightExponent: 0.5 };
  const expected = { cola: 7, mnli: 1, mrpc: 7, qnli: 2, qqp: 1, sst: 2, sts: 6, rte: 13 };
  for (const [task, multiple] of Object.entries(expected)) assert.equal(taskMultiple(task, 'train', half), multiple, task);
  // Exponent 1: every task's share is its size, so every multiple is round(1 + tiny) = 1 and every weight 1.
  const linear = { datasetMultiples: true, taskWeightExponent: 1 };
  const weights = taskWeights(GLUE8, {}, linear);
  for (const task of GLUE8) {
    assert.equal(taskMultiple(task, 'train', linear), 1);
    assertClose(weights[task], 1, 1e-12, task);
  }
});

test('multiples apply to the train split only, and only with datasetMultiples', () => {
  for (const split of ['dev', 'test', 'dev_matched', 'diagnostic']) assert.equal(taskMultiple('rte', split, withMultiples), 1);
  assert.equal(taskMultiple('rte', 'train', withoutMultiples), 1);
  assert.equal(taskMultiple('wnli', 'train', withoutMultiples), 1);
});

test('datasetMultiples with a task outside the fixed table, or a multiple of 0, is a BamError', () => {
  assert.throws(
    () => taskMultiple('wnli', 'train', withMultiples),
    (e: unknown) => e instanceof BamError && /"dataset_multiples": false to train wnli/.test(e.message),
  );
  assert.throws(() => taskWeights(['rte', 'wnli'], {}, withMultiples), BamError);
  // Exponent 1.5: rte's target is 2490 * (2490/392702)^0.5 ≈ 198 examples, i.e. round(0.08) = 0 copies.
  assert.throws(
    () => taskMultiple('rte', 'train', { datasetMultiples: true, taskWeightExponent: 1.5 }),
    (e: unknown) => e instanceof BamError && e.message.startsWith('task_weight_exponent 1.5 with dataset_multiples gives'),
  );
});

test('actual sizes: weight ∝ size^(e-1), mean weight per example 1 (hand-computed)', () => {
  // e = 0.5, sizes 100 and 400: raw 1/10 and 1/20; expected weight (0.1*100 + 0.05*400)/500 = 0.06.
  const half = taskWeights(['a', 'b'], { a: 100, b: 400 }, { datasetMultiples: false, taskWeightExponent: 0.5 });
  assertClose(half.a, 0.1 / 0.06, 1e-12, 'a');
  assertClose(half.b, 0.05 / 0.06, 1e-12, 'b');
  // e = 0: raw 1/size, expected weight 2/500, so weight = 500 / (2 * size).
  const zero = taskWeights(['a', 'b'], { a: 100, b: 400 }, { datasetMultiples: false, taskWeightExponent: 0 });
  assertClose(zero.a, 2.5, 1e-12, 'a');
  assertClose(zero.b, 0.625, 1e-12, 'b');
  // e = 1: every raw weight is 1.
  const one = taskWeights(['a', 'b'], { a: 100, b: 400 }, { datasetMultiples: false, taskWeightExponent: 1 });
  assert.deepEqual(one, { a: 1, b: 1 });
});

test('actual sizes: a single task gets 1.0; a negative exponent gives all 1.0', () => {
  assertClose(taskWeights(['rte'], { rte: 2490 }, withoutMultiples).rte, 1, 1e-12, 'single task');
  const negative = { datasetMultiples: false, taskWeightExponent: -1 };
  assert.deepEqual(taskWeights(['rte', 'mrpc'], { rte: 2490, mrpc: 7336 }, negative), { rte: 1, mrpc: 1 });
});

test('actual sizes: a task without examples is a BamError', () => {
  assert.throws(
    () => taskWeights(['rte', 'sts'], { rte: 2490, sts: 0 }, withoutMultiples),
    (e: unknown) => e instanceof BamError && e.message.startsWith('task sts has no train examples'),
  );
});

test('a train size outside the table is placed on its scale, and the table tasks keep their numbers', () => {
  // The original's _multiples_and_weights in Python 3.11, with a size of 5452 added after its table was summed.
  assert.equal(fixedMultipleAndWeight(FIXED_GLUE_TRAIN_SIZES.rte, 0.75, 'rte').multiple, 4);
  assertClose(fixedMultipleAndWeight(FIXED_GLUE_TRAIN_SIZES.rte, 0.75, 'rte').weight, 0.881561, 5e-7, 'rte weight');
  const placed = fixedMultipleAndWeight(5452, 0.75, 'extra');
  assert.equal(placed.multiple, 3);
  assertClose(placed.weight, 0.9662779690360664, 1e-12, 'weight at e = 0.75');
  const half = fixedMultipleAndWeight(5452, 0.5, 'extra');
  assert.equal(half.multiple, 8);
  assertClose(half.weight, 1.0412070918933467, 1e-12, 'weight at e = 0.5');
  assert.throws(
    () => fixedMultipleAndWeight(1e8, 0.75, 'huge'),
    (e: unknown) => e instanceof BamError && e.message.startsWith('task_weight_exponent 0.75 with dataset_multiples gives huge a multiple of 0'),
  );
});
