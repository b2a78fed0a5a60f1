import { ClassificationTask } from '../classification-task.js';
import { singleLayout } from '../glue-task.js';

/** SST-2, sentiment of one sentence. */
export default new ClassificationTask({
  name: 'sst',
  downloadFolder: 'SST-2',
  labelList: ['0', '1'],
  trainDev: singleLayout(0, 1, true),
  testSplits: { test: { layout: singleLayout(1, null, true), submissionFile: 'SST-2.tsv' } },
  metricNames: ['accuracy', 'loss'],
  fixedTrainSize: 67349,
});
