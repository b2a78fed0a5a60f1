import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracy, averageRanks, binaryF1, matthewsCorrelation, mean, meanSquaredError, pearson, spearman } from '../../src/eval/metrics.js';

function assertClose(actual: number, expected: number, what: string, tolerance = 1e-10): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

test('accuracy: percent of matches; NaN for no examples', () => {
  assert.equal(accuracy([1, 0, 1, 1], [1, 1, 1, 0]), 50);
  assert.equal(accuracy([2, 0, 1], [2, 0, 1]), 100);
  assert.ok(Number.isNaN(accuracy([], [])));
  assert.throws(() => accuracy([1], [1, 0]), /1 predictions but 2 gold values/);
});

test('binary F1 uses the true recall, unlike the original F1Scorer', () => {
  // TP 1, FP 2, FN 1: P = 1/3, R = 1/2, F1 = 2PR/(P+R) = 0.4. The original's recall would be P, giving 33.3.
  assertClose(binaryF1([1, 1, 1, 0], [1, 0, 0, 1], 1), 40, 'asymmetric');
  // TP 2, FP 1, FN 1: P = R = 2/3.
  assertClose(binaryF1([1, 1, 0, 0, 1], [1, 0, 1, 0, 1], 1), 200 / 3, 'symmetric');
  assert.equal(binaryF1([1, 0, 1], [1, 0, 1], 1), 100);
  // The positive class is a parameter: with positive 0, TP 1, FP 1, FN 0 -> P 1/2, R 1, F1 2/3.
  assertClose(binaryF1([0, 0, 1], [0, 1, 1], 0), 200 / 3, 'positive 0');
});

test('binary F1 is 0 when undefined: no positives anywhere, none predicted, none right, no examples', () => {
  assert.equal(binaryF1([0, 0], [0, 0], 1), 0);
  assert.equal(binaryF1([0, 0], [1, 1], 1), 0);
  assert.equal(binaryF1([1, 1], [0, 0], 1), 0);
  assert.equal(binaryF1([], [], 1), 0);
});

test('MCC on hand-computed confusion matrices', () => {
  // TP 2, TN 2, FP 1, FN 1: (4 - 1) / sqrt(3 * 3 * 3 * 3) = 1/3.
  assertClose(matthewsCorrelation([1, 1, 0, 0, 0, 1], [1, 1, 1, 0, 0, 0]), 100 / 3, 'binary');
  // sklearn's docstring example: y_true [+1, +1, +1, -1], y_pred [+1, -1, +1, +1] -> -1/3.
  assertClose(matthewsCorrelation([1, -1, 1, 1], [1, 1, 1, -1]), -100 / 3, 'sklearn example');
  assert.equal(matthewsCorrelation([0, 1, 0, 1], [0, 1, 0, 1]), 100);
  assert.equal(matthewsCorrelation([1, 0, 1, 0], [0, 1, 0, 1]), -100);
  // Three classes, gold [0,1,2,0,1,2], pred [0,2,1,0,0,2]: correct 3, gold counts 2/2/2, predicted 3/1/2.
  // cov = 3*6 - (2*3 + 2*1 + 2*2) = 6; var_true = 36 - 12 = 24; var_pred = 36 - 14 = 22.
  assertClose(matthewsCorrelation([0, 2, 1, 0, 0, 2], [0, 1, 2, 0, 1, 2]), (100 * 6) / Math.sqrt(24 * 22), 'multiclass');
});

test('MCC is 0 when the denominator is 0 (sklearn): constant predictions, constant gold, no examples', () => {
  assert.equal(matthewsCorrelation([1, 1, 1, 1], [1, 0, 1, 0]), 0);
  assert.equal(matthewsCorrelation([1, 0, 1, 0], [0, 0, 0, 0]), 0);
  assert.equal(matthewsCorrelation([1, 1], [1, 1]), 0);
  assert.equal(matthewsCorrelation([], []), 0);
});

test('Pearson on hand-computed values', () => {
  // x = [1,2,3], y = [2,4,7]: dx = [-1,0,1], dy = [-7/3,-1/3,8/3]; r = 5 / sqrt(2 * 114/9) = 15 / sqrt(228).
  assertClose(pearson([1, 2, 3], [2, 4, 7]), 1500 / Math.sqrt(228), 'r');
  assertClose(pearson([2, 4, 7], [1, 2, 3]), 1500 / Math.sqrt(228), 'symmetric');
  assert.equal(pearson([1, 2, 3, 4], [10, 20, 30, 40]), 100);
  assert.equal(pearson([1, 2, 3], [3, 2, 1]), -100);
});

test('Pearson and Spearman are NaN for constant input or fewer than two values (as scipy)', () => {
  for (const correlation of [pearson, spearman]) {
    assert.ok(Number.isNaN(correlation([0.5, 0.5, 0.5], [0.1, 0.2, 0.3])), 'constant predictions');
    assert.ok(Number.isNaN(correlation([0.1, 0.2, 0.3], [1, 1, 1])), 'constant gold');
    assert.ok(Number.isNaN(correlation([0.3], [0.1])), 'one value');
    assert.ok(Number.isNaN(correlation([], [])), 'no values');
  }
});

test('average ranks for ties, as scipy.stats.rankdata', () => {
  // 10s take ranks 1..3 (mean 2), 20s 4..5 (4.5), 30 rank 6.
  assert.deepEqual(Array.from(averageRanks([10, 20, 10, 30, 20, 10])), [2, 4.5, 2, 6, 4.5, 2]);
  assert.deepEqual(Array.from(averageRanks([3, 1, 2])), [3, 1, 2]);
  assert.deepEqual(Array.from(averageRanks([])), []);
});

test('Spearman with ties and with a monotone non-linear relation', () => {
  // Ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]: cross 4.5, squares 4.5 and 5 -> r = 4.5 / sqrt(22.5) = sqrt(0.9).
  assertClose(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 100 * Math.sqrt(0.9), 'ties');
  assertClose(spearman([1, 2, 3, 4], [1, 4, 9, 16]), 100, 'monotone');
  assertClose(spearman([1, 2, 3, 4], [16, 9, 4, 1]), -100, 'reversed');
});

test('mean and MSE are unscaled; NaN for no values', () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  assert.ok(Number.isNaN(mean([])));
  // (1 - 0.5)^2 = 0.25 and (0 - 0.2)^2 = 0.04, mean 0.145.
  assertClose(meanSquaredError([0.5, 0.2], [1, 0]), 0.145, 'mse', 1e-15);
  assert.ok(Number.isNaN(meanSquaredError([], [])));
});
