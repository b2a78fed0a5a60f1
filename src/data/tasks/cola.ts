import { ClassificationTask } from '../classification-task.js';
import { singleLayout } from '../glue-task.js';

/** CoLA, grammatical acceptability of one sentence. Its train/dev files have no header line; its test file has one. */
export default new ClassificationTask({
  name: 'cola',
  downloadFolder: 'CoLA',
  labelList: ['0', '1'],
  trainDev: singleLayout(3, 1, false),
  testSplits: { test: { layout: singleLayout(1, null, true), submissionFile: 'CoLA.tsv' } },
  metricNames: ['mcc', 'loss'],
  fixedTrainSize: 8551,
});
