import { ClassificationTask } from '../classification-task.js';
import { singleLayout } from '../glue-task.js';

/**
 * TREC question classification into six coarse types, as the original's classification_tasks.py defines it (no run of
 * the original reaches it): the question in column 0, the label in column 1, no header line; test rows carry a dummy
 * label. Not part of GLUE: its {train,dev,test}.tsv go straight into `<bam_dir>/glue_data/trec/`, and there is no
 * GLUE submission file.
 */
export default new ClassificationTask({
  name: 'trec',
  downloadFolder: null,
  labelList: ['num', 'loc', 'hum', 'desc', 'enty', 'abbr'],
  trainDev: singleLayout(0, 1, false),
  testSplits: { test: { layout: singleLayout(0, null, false), submissionFile: null } },
  metricNames: ['accuracy', 'loss'],
  // The original's size table has no TREC; 5452 is the size of the real TREC train set (Li and Roth, 2002).
  fixedTrainSize: 5452,
});
