import { ClassificationTask } from '../classification-task.js';
import { pairLayout } from '../glue-task.js';

/** RTE, two-way entailment. */
export default new ClassificationTask({
  name: 'rte',
  downloadFolder: 'RTE',
  labelList: ['entailment', 'not_entailment'],
  trainDev: pairLayout(1, 2, 3),
  testSplits: { test: { layout: pairLayout(1, 2, null), submissionFile: 'RTE.tsv' } },
  metricNames: ['accuracy', 'loss'],
  fixedTrainSize: 2490,
});
