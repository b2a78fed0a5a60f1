import { pairLayout } from '../glue-task.js';
import { RegressionTask } from '../regression-task.js';

/** STS-B, similarity scores from 0 to 5 in the last column. Sentence order carries no meaning. */
export default new RegressionTask({
  name: 'sts',
  downloadFolder: 'STS-B',
  minScore: 0,
  maxScore: 5,
  trainDev: pairLayout(-3, -2, -1),
  testSplits: { test: { layout: pairLayout(-2, -1, null), submissionFile: 'STS-B.tsv' } },
  metricNames: ['pearson', 'spearman', 'mse', 'loss'],
  unordered: true,
  // After sentence-order doubling, as in the original's table.
  fixedTrainSize: 11498,
});
