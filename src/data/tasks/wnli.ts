import { ClassificationTask } from '../classification-task.js';
import { pairLayout } from '../glue-task.js';

/** WNLI, pronoun resolution as entailment; not supported by the original, so it has no fixed train size. */
export default new ClassificationTask({
  name: 'wnli',
  downloadFolder: 'WNLI',
  labelList: ['0', '1'],
  trainDev: pairLayout(1, 2, 3),
  testSplits: { test: { layout: pairLayout(1, 2, null), submissionFile: 'WNLI.tsv' } },
  metricNames: ['accuracy', 'loss'],
  fixedTrainSize: null,
});
