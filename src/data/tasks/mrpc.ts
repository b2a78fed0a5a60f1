import { ClassificationTask } from '../classification-task.js';
import { pairLayout } from '../glue-task.js';

/** MRPC, paraphrase pairs. Also reports F1, which the original does not. Sentence order carries no meaning. */
export default new ClassificationTask({
  name: 'mrpc',
  downloadFolder: 'MRPC',
  labelList: ['0', '1'],
  trainDev: pairLayout(3, 4, 0),
  testSplits: { test: { layout: pairLayout(3, 4, null), submissionFile: 'MRPC.tsv' } },
  metricNames: ['accuracy', 'f1', 'loss'],
  unordered: true,
  // After sentence-order doubling, as in the original's table.
  fixedTrainSize: 7336,
});
