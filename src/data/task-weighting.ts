import { BamError } from '../errors.js';
import { getTask, TASK_NAMES } from './tasks.js';

/**
 * How often each task's train set is repeated and how much its loss counts, as BAM's task_weighting.py does it.
 * The net effect: (times a task's examples are seen) x (loss weight) is proportional to size^taskWeightExponent.
 */
export interface WeightingOptions {
  /** Repeat small train sets a whole number of times and use the fixed GLUE weights (hparam dataset_multiples). */
  datasetMultiples: boolean;
  /** hparam task_weight_exponent; below 0 without datasetMultiples, every weight is 1. */
  taskWeightExponent: number;
}

/**
 * The tasks of the original's hard-coded size table, in its order. Their fixed train sizes alone set the scale of the
 * multiples and weights, so that a task added to bam changes no other task's numbers; the order is the original's
 * because it decides the last bits of the float sums.
 */
const ORIGINAL_TABLE: readonly string[] = ['cola', 'mnli', 'mrpc', 'qnli', 'qqp', 'sst', 'sts', 'rte'];

/** A task's fixed train size (MRPC and STS-B after sentence-order doubling; QNLI is the v1 size). */
function fixedSize(taskName: string): number {
  const size = getTask(taskName).fixedTrainSize;
  if (size === null) {
    const known = TASK_NAMES.filter((name) => getTask(name).fixedTrainSize !== null).join(', ');
    throw new BamError(
      `dataset_multiples uses fixed train sizes, which only ${known} have; set "dataset_multiples": false to train ${taskName}`,
    );
  }
  return size;
}

/** The original's table: the fixed train sizes of its 8 GLUE tasks. */
export const FIXED_GLUE_TRAIN_SIZES: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(ORIGINAL_TABLE.map((name) => [name, fixedSize(name)])),
);

/** Python 3's round() to an integer: halves go to the even neighbour (0.5 -> 0, 1.5 -> 2, 2.5 -> 2). */
export function roundHalfEven(x: number): number {
  if (x < 0) return 0 - roundHalfEven(-x); // 0 - r rather than -r: Python's round(-0.5) is 0, not -0
  const floor = Math.floor(x);
  const fraction = x - floor; // exact for x >= 0 (Sterbenz), so the 0.5 test below is exact too
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

export interface MultipleAndWeight {
  multiple: number;
  weight: number;
}

/** The sums over the original's table that `_multiples_and_weights` normalises by, for one exponent. */
interface TableScale {
  sizeTotal: number;
  /** MNLI's size over its share: MNLI is seen once. */
  correction: number;
  sharePerExampleTotal: number;
}

/** A task's multiple, and its share of training per example after repetition (the weight before normalisation). */
function placeInTable(size: number, exponent: number, sizeTotal: number, correction: number, taskName: string): [number, number] {
  const share = size ** exponent / sizeTotal;
  const multiple = roundHalfEven((share * correction + 0.01) / size);
  if (multiple === 0) {
    throw new BamError(
      `task_weight_exponent ${exponent} with dataset_multiples gives ${taskName} a multiple of 0; use an exponent of at most 1 or set "dataset_multiples": false`,
    );
  }
  return [multiple, share / (size * multiple)];
}

/** `_multiples_and_weights` over the original's table, in its order (every task of it must get a multiple). */
function tableScale(exponent: number): TableScale {
  const sizeTotal = ORIGINAL_TABLE.reduce((sum, name) => sum + FIXED_GLUE_TRAIN_SIZES[name] ** exponent, 0);
  const mnli = FIXED_GLUE_TRAIN_SIZES.mnli;
  const correction = mnli / (mnli ** exponent / sizeTotal);
  const sharePerExampleTotal = ORIGINAL_TABLE.reduce(
    (sum, name) => sum + placeInTable(FIXED_GLUE_TRAIN_SIZES[name], exponent, sizeTotal, correction, name)[1],
    0,
  );
  return { sizeTotal, correction, sharePerExampleTotal };
}

/**
 * The multiple and loss weight dataset_multiples gives a train set of `size` examples: the original's formula, scaled
 * by its table (weights average 1 over its 8 tasks), so a size outside the table is placed on the same scale.
 * `taskName` names the task in errors.
 */
export function fixedMultipleAndWeight(size: number, exponent: number, taskName: string): MultipleAndWeight {
  const scale = tableScale(exponent);
  const [multiple, sharePerExample] = placeInTable(size, exponent, scale.sizeTotal, scale.correction, taskName);
  return { multiple, weight: (sharePerExample / scale.sharePerExampleTotal) * ORIGINAL_TABLE.length };
}

/** How many times the task's examples are repeated in this split: `get_task_multiple`, including `int(mult + 1e-5)`. */
export function taskMultiple(taskName: string, split: string, options: WeightingOptions): number {
  if (split !== 'train' || !options.datasetMultiples) return 1;
  return Math.trunc(fixedMultipleAndWeight(fixedSize(taskName), options.taskWeightExponent, taskName).multiple + 1e-5);
}

/**
 * Loss weight per task (`get_task_weights`). `sizes` are the actual train example counts after multiples and doubling;
 * they are only used without datasetMultiples, where weight ∝ size^(exponent-1) scaled so that the mean weight over all
 * train examples is 1 (so a single task gets 1.0).
 */
export function taskWeights(
  taskNames: readonly string[],
  sizes: Readonly<Record<string, number>>,
  options: WeightingOptions,
): Record<string, number> {
  if (options.datasetMultiples) {
    const fixedSizes = taskNames.map(fixedSize);
    return Object.fromEntries(
      taskNames.map((task, i) => [task, fixedMultipleAndWeight(fixedSizes[i], options.taskWeightExponent, task).weight]),
    );
  }
  if (options.taskWeightExponent < 0) return Object.fromEntries(taskNames.map((task) => [task, 1]));
  for (const task of taskNames) {
    const size = sizes[task];
    if (size === undefined) throw new Error(`taskWeights: no train size given for task ${task}`);
    if (size <= 0) {
      throw new BamError(`task ${task} has no train examples; check its train.tsv under <bam_dir>/glue_data/${task}/`);
    }
  }
  const total = taskNames.reduce((sum, task) => sum + sizes[task], 0);
  const raw = Object.fromEntries(taskNames.map((task) => [task, 1 / sizes[task] ** (1 - options.taskWeightExponent)]));
  const expectedWeight = taskNames.reduce((sum, task) => sum + (raw[task] * sizes[task]) / total, 0);
  return Object.fromEntries(taskNames.map((task) => [task, raw[task] / expectedWeight]));
}
