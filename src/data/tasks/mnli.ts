import { ClassificationTask } from '../classification-task.js';
import { pairLayout } from '../glue-task.js';

/**
 * MNLI, three-way entailment. Unlike the original, which scores dev_matched only, bam scores dev_mismatched as well
 * (results key "mnli-mm"). GLUE's diagnostic set (AX) is predicted with the MNLI head, so it is one of its test splits.
 */
export default new ClassificationTask({
  name: 'mnli',
  downloadFolder: 'MNLI',
  labelList: ['contradiction', 'entailment', 'neutral'],
  trainDev: pairLayout(8, 9, -1),
  devSplits: ['dev_matched', 'dev_mismatched'],
  resultKeys: { dev_mismatched: 'mnli-mm' },
  testSplits: {
    test_matched: { layout: pairLayout(8, 9, null), submissionFile: 'MNLI-m.tsv' },
    test_mismatched: { layout: pairLayout(8, 9, null), submissionFile: 'MNLI-mm.tsv' },
    diagnostic: { layout: pairLayout(1, 2, null), submissionFile: 'AX.tsv' },
  },
  metricNames: ['accuracy', 'loss'],
  fixedTrainSize: 392702,
});
