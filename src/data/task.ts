import type { Scorer } from '../eval/scorers.js';
import type { TeacherTargets } from '../train/batches.js';
import type { LossHead } from '../train/multitask-loss.js';
import type { Example } from './example.js';
import type { FeaturizedDataset } from './featurize.js';

export type TaskKind = 'classification' | 'regression';

/** Metrics a task reports, in the order its scorer returns them. */
export type MetricName = 'accuracy' | 'f1' | 'mcc' | 'pearson' | 'spearman' | 'mse' | 'loss';

/** How a head is trained: soft-target cross-entropy on logits, or squared error on one value. */
export type LossKind = 'cross-entropy' | 'squared-error';

export interface LoadOptions {
  /** Debug mode: read at most this many physical lines of the file, header included. */
  maxLines?: number;
  /** How many times the examples are repeated (see task-weighting.ts; 1 outside the train split). */
  multiple: number;
  /** MRPC and STS train only: append a copy with the two sentences swapped, eids N..2N-1. */
  doubleUnordered: boolean;
  /** Keep only the first this many rows of the file (before doubling and repetition). */
  maxRows?: number;
}

/** What an example is trained and scored against; the field of the other kind keeps its neutral value. */
export interface ExampleTargets {
  /** Classification: index of the gold label in the label list; -1 for regression. */
  labelId: number;
  /** Regression: the gold value in the head's normalised space; 0 for classification. */
  regressionTarget: number;
}

/**
 * Everything bam knows about one task, as the original's `Task` subclasses: its files, its head, its targets and loss,
 * how it is scored, and how its outputs are written. Callers ask the task; none of them looks at its kind.
 * Output arguments (`outputs`, `offset`) are a model's head outputs and the start of one example's row in them.
 */
export interface Task {
  /** The name in `task_names`, its folder under `<bam_dir>/glue_data/`, and the prefix of its output files. */
  readonly name: string;
  /** The task's folder in a GLUE download (download_glue_data.py), which `bam init` lays out as `name`; null: not in GLUE. */
  readonly downloadFolder: string | null;
  /** Splits scored after training (MNLI: dev_matched and dev_mismatched). */
  readonly devSplits: string[];
  /** Splits predicted for GLUE submission; their rows carry a dummy label. */
  readonly testSplits: string[];
  /** Examples of `<dataDir>/<split>.tsv`, where dataDir is the task's folder, e.g. `<bam_dir>/glue_data/rte`. */
  getExamples(dataDir: string, split: string, options: LoadOptions): Example[];
  /** Train examples after sentence-order doubling, for dataset_multiples (the original's table); null: none. */
  readonly fixedTrainSize: number | null;

  readonly kind: TaskKind;
  /** Label strings in logit order; empty for regression. */
  readonly labelList: string[];
  /** Width of the task's head. */
  readonly numOutputs: number;
  readonly lossKind: LossKind;
  /** The head as the multi-task loss trains it, with the task's loss weight. */
  lossHead(weight: number): LossHead;
  /** The example's targets for featurization. */
  featureTargets(example: Example): ExampleTargets;

  readonly metricNames: MetricName[];
  /** A fresh scorer for one dev split. */
  createScorer(): Scorer;
  /** The key of a dev split's metrics in results.txt/results.json (MNLI's dev_mismatched: "mnli-mm"). */
  resultKey(devSplit: string): string;
  /** What the scorer compares with `gold`: the argmax label index, or the regressed value. */
  prediction(outputs: Float32Array, offset: number): number;
  /** Example i's gold value in the same terms as `prediction`. */
  gold(data: FeaturizedDataset, i: number): number;
  /** An example's gold value in the same terms as `prediction`, from the example itself. */
  exampleGold(example: Example): number;
  /**
   * The constant prediction of a majority-class baseline fitted on train examples: the most frequent label
   * (ties: the first in label order), or the mean score.
   */
  baselinePrediction(train: readonly Example[]): number;
  /** Example i's unweighted loss against its gold target (the original's eval `loss`). */
  goldLoss(outputs: Float32Array, offset: number, data: FeaturizedDataset, i: number): number;

  /** An example's entry in a prediction file: the logits, or the value in the normalised space. */
  predictionEntry(outputs: Float32Array, offset: number): number[] | number;
  /** Whether a value read from a prediction file has the shape of this task's entries. */
  isPredictionEntry(value: unknown): boolean;
  /** The shape of an entry, for error messages: "3 logits", "a number". */
  readonly predictionEntryShape: string;
  /** Stores a teacher's prediction-file entry, one that passed isPredictionEntry, as row `row`'s distillation target. */
  setTeacherTarget(entry: number[] | number, targets: TeacherTargets, row: number, maxOutputs: number): void;

  /** GLUE's submission file name for a test split; null when the split has none. */
  submissionFile(testSplit: string): string | null;
  /** The prediction column of an example's submission row: the argmax label, or the score on the GLUE scale. */
  submissionValue(outputs: Float32Array, offset: number): string;
}
