import { encodeExample, type FullTokenizer } from '../tokenization/index.js';
import type { Example } from './example.js';
import { getTask } from './tasks.js';

/** Examples as fixed-size arrays; row i of every [n, maxSeqLength] array starts at i * maxSeqLength. */
export interface FeaturizedDataset {
  n: number;
  maxSeqLength: number;
  /** [n, maxSeqLength] WordPiece ids, zero-padded. */
  inputIds: Int32Array;
  /** [n, maxSeqLength] 0 for [CLS], a and the first [SEP]; 1 for b and its [SEP]. */
  segmentIds: Int32Array;
  /** [n, maxSeqLength] 1 on real tokens, 0 on padding. */
  inputMask: Float32Array;
  /** [n] index of the example's task in the trained task list. */
  taskIds: Int32Array;
  /** [n] the example's eid within its task. */
  eids: Int32Array;
  /** [n] classification: index of the label in the task's label list; -1 for regression examples. */
  labelIds: Int32Array;
  /** [n] regression: the normalised score (STS-B: score/5, the original's (score - 0) / 5); 0 for classification examples. */
  regressionTargets: Float32Array;
  /** [n] task name per example. */
  tasks: string[];
}

/** Tokenizes, truncates and pads each example as BAM's `SingleOutputTask.featurize` (see encodeExample). */
export function featurize(
  examples: readonly Example[],
  taskNames: readonly string[],
  tokenizer: FullTokenizer,
  maxSeqLength: number,
): FeaturizedDataset {
  const n = examples.length;
  const dataset: FeaturizedDataset = {
    n,
    maxSeqLength,
    inputIds: new Int32Array(n * maxSeqLength),
    segmentIds: new Int32Array(n * maxSeqLength),
    inputMask: new Float32Array(n * maxSeqLength),
    taskIds: new Int32Array(n),
    eids: new Int32Array(n),
    labelIds: new Int32Array(n),
    regressionTargets: new Float32Array(n),
    tasks: [],
  };
  examples.forEach((example, i) => {
    const taskId = taskNames.indexOf(example.task);
    if (taskId < 0) {
      throw new Error(`featurize: example of task ${example.task} is not in the task list ${taskNames.join(', ')}`);
    }
    const task = getTask(example.task);
    const encoded = encodeExample(tokenizer, example.textA, example.textB, maxSeqLength);
    const offset = i * maxSeqLength;
    dataset.inputIds.set(encoded.inputIds, offset);
    dataset.segmentIds.set(encoded.segmentIds, offset);
    dataset.inputMask.set(encoded.inputMask, offset);
    dataset.taskIds[i] = taskId;
    dataset.eids[i] = example.eid;
    const targets = task.featureTargets(example);
    dataset.labelIds[i] = targets.labelId;
    dataset.regressionTargets[i] = targets.regressionTarget;
    dataset.tasks.push(example.task);
  });
  return dataset;
}
