import { ClassificationTask } from '../classification-task.js';
import { pairLayout } from '../glue-task.js';

/** QNLI, whether a sentence answers a question. */
export default new ClassificationTask({
  name: 'qnli',
  downloadFolder: 'QNLI',
  labelList: ['entailment', 'not_entailment'],
  trainDev: pairLayout(1, 2, 3),
  testSplits: { test: { layout: pairLayout(1, 2, null), submissionFile: 'QNLI.tsv' } },
  metricNames: ['accuracy', 'loss'],
  // The original's table has the QNLI v1 size; v2 has 104,743 train rows.
  fixedTrainSize: 108436,
});
