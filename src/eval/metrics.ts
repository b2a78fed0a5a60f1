/**
 * Evaluation metrics. Accuracy, F1, MCC, Pearson and Spearman are percentages (x100), as BAM reports them; `mean`
 * and `meanSquaredError` are not scaled. Sums are taken in float64.
 *
 * Undefined cases follow the libraries the original relies on:
 * - accuracy, mean and MSE of no values are NaN (0/0);
 * - F1 and MCC are 0 whenever their formula would divide by zero (sklearn's convention), e.g. no positives at all,
 *   constant predictions, or no values;
 * - Pearson and Spearman are NaN when either side is constant or has fewer than two values (scipy returns NaN).
 */

function checkSameLength(name: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`${name}: ${a.length} predictions but ${b.length} gold values`);
}

/** 100 x fraction of predictions equal to the gold label. */
export function accuracy(predictions: ArrayLike<number>, golds: ArrayLike<number>): number {
  checkSameLength('accuracy', predictions, golds);
  let correct = 0;
  for (let i = 0; i < golds.length; i++) if (predictions[i] === golds[i]) correct++;
  return (100 * correct) / golds.length;
}

/**
 * 100 x binary F1 of the positive class: precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2PR/(P+R), which is
 * 2TP/(2TP+FP+FN). 0 when there are no true positives (including when precision or recall is undefined).
 * BAM's own F1Scorer counts predicted positives as gold positives, so its recall equals its precision; this does not.
 */
export function binaryF1(predictions: ArrayLike<number>, golds: ArrayLike<number>, positive: number): number {
  checkSameLength('binaryF1', predictions, golds);
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (let i = 0; i < golds.length; i++) {
    const predicted = predictions[i] === positive;
    const actual = golds[i] === positive;
    if (predicted && actual) truePositives++;
    else if (predicted) falsePositives++;
    else if (actual) falseNegatives++;
  }
  if (truePositives === 0) return 0;
  return (100 * 2 * truePositives) / (2 * truePositives + falsePositives + falseNegatives);
}

/** 100 x Matthews correlation coefficient for any number of classes (sklearn's matthews_corrcoef); 0 when undefined. */
export function matthewsCorrelation(predictions: ArrayLike<number>, golds: ArrayLike<number>): number {
  checkSameLength('matthewsCorrelation', predictions, golds);
  const trueCounts = new Map<number, number>();
  const predictedCounts = new Map<number, number>();
  let correct = 0;
  for (let i = 0; i < golds.length; i++) {
    trueCounts.set(golds[i], (trueCounts.get(golds[i]) ?? 0) + 1);
    predictedCounts.set(predictions[i], (predictedCounts.get(predictions[i]) ?? 0) + 1);
    if (predictions[i] === golds[i]) correct++;
  }
  const n = golds.length;
  let truePredictedDot = 0;
  for (const [label, count] of trueCounts) truePredictedDot += count * (predictedCounts.get(label) ?? 0);
  const sumOfSquares = (counts: Map<number, number>): number => [...counts.values()].reduce((s, c) => s + c * c, 0);
  const covariance = correct * n - truePredictedDot;
  const varianceTrue = n * n - sumOfSquares(trueCounts);
  const variancePredicted = n * n - sumOfSquares(predictedCounts);
  if (varianceTrue * variancePredicted === 0) return 0;
  return (100 * covariance) / Math.sqrt(varianceTrue * variancePredicted);
}

function pearsonFraction(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i];
    meanY += y[i];
  }
  meanX /= n;
  meanY /= n;
  let cross = 0;
  let squaresX = 0;
  let squaresY = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - meanX;
    const dy = y[i] - meanY;
    cross += dx * dy;
    squaresX += dx * dx;
    squaresY += dy * dy;
  }
  if (squaresX === 0 || squaresY === 0) return NaN;
  // Rounding can push |r| a hair past 1; scipy clips it the same way.
  return Math.max(-1, Math.min(1, cross / Math.sqrt(squaresX * squaresY)));
}

/** 100 x Pearson correlation (scipy.stats.pearsonr); NaN when either side is constant or n < 2. */
export function pearson(predictions: ArrayLike<number>, golds: ArrayLike<number>): number {
  checkSameLength('pearson', predictions, golds);
  return 100 * pearsonFraction(predictions, golds);
}

/** 1-based ranks with ties given the average of the ranks they span (scipy.stats.rankdata, method "average"). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of the 1-based ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/** 100 x Spearman rank correlation (scipy.stats.spearmanr): Pearson of the average ranks; NaN when undefined. */
export function spearman(predictions: ArrayLike<number>, golds: ArrayLike<number>): number {
  checkSameLength('spearman', predictions, golds);
  return 100 * pearsonFraction(averageRanks(predictions), averageRanks(golds));
}

/** Arithmetic mean (e.g. of per-example losses); NaN for no values. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Mean of (gold - prediction)^2, unscaled; NaN for no values. */
export function meanSquaredError(predictions: ArrayLike<number>, golds: ArrayLike<number>): number {
  checkSameLength('meanSquaredError', predictions, golds);
  let sum = 0;
  for (let i = 0; i < golds.length; i++) sum += (golds[i] - predictions[i]) ** 2;
  return sum / golds.length;
}
