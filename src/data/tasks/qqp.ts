import { ClassificationTask } from '../classification-task.js';
import { pairLayout } from '../glue-task.js';

/** QQP, duplicate questions. Also reports F1, which the original does not. Never doubled, as in the original. */
export default new ClassificationTask({
  name: 'qqp',
  downloadFolder: 'QQP',
  labelList: ['0', '1'],
  trainDev: pairLayout(3, 4, 5),
  testSplits: { test: { layout: pairLayout(1, 2, null), submissionFile: 'QQP.tsv' } },
  metricNames: ['accuracy', 'f1', 'loss'],
  fixedTrainSize: 363869,
});
