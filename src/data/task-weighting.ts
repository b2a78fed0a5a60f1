import { BamError } from '../errors.js';

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
 * The original's hard-coded GLUE train sizes (MRPC and STS-B after sentence-order doubling; QNLI is the v1 size).
 * The multiples and weights of `datasetMultiples` are always computed over all of these, whatever tasks are trained.
 */
export const FIXED_GLUE_TRAIN_SIZES: Readonly<Record<string, number>> = Object.freeze({
  cola: 8551,
  mnli: 392702,
  mrpc: 7336,
  qnli: 108436,
  qqp: 363869,
  sst: 67349,
  sts: 11498,
  rte: 2490,
});

/** Python 3's round() to an integer: halves go to the even neighbour (0.5 -> 0, 1.5 -> 2, 2.5 -> 2). */
export function roundHalfEven(x: number): number {
  if (x < 0) return 0 - roundHalfEven(-x); // 0 - r rather than -r: Python's round(-0.5) is 0, not -0
  const floor = Math.floor(x);
  const fraction = x - floor; // exact for x >= 0 (Sterbenz), so the 0.5 test below is exact too
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

interface MultiplesAndWeights {
  multiples: Record<string, number>;
  weights: Record<string, number>;
}

function normalize(values: Record<string, number>): Record<string, number> {
  const total = Object.values(values).reduce((sum, v) => sum + v, 0);
  return Object.fromEntries(Object.entries(values).map(([task, v]) => [task, v / total]));
}

/** `_multiples_and_weights`: MNLI is seen once; every other task is repeated so its share follows size^exponent. */
function fixedMultiplesAndWeights(exponent: number): MultiplesAndWeights {
  const sizes = FIXED_GLUE_TRAIN_SIZES;
  const shares = normalize(Object.fromEntries(Object.entries(sizes).map(([task, size]) => [task, size ** exponent])));
  const correction = sizes.mnli / shares.mnli;
  const multiples: Record<string, number> = {};
  const sharePerExample: Record<string, number> = {};
  for (const [task, size] of Object.entries(sizes)) {
    multiples[task] = roundHalfEven((shares[task] * correction + 0.01) / size);
    if (multiples[task] === 0) {
      throw new BamError(
        `task_weight_exponent ${exponent} with dataset_multiples gives ${task} a multiple of 0; use an exponent of at most 1 or set "dataset_multiples": false`,
      );
    }
    sharePerExample[task] = shares[task] / (size * multiples[task]);
  }
  const count = Object.keys(sizes).length;
  const weights = Object.fromEntries(Object.entries(normalize(sharePerExample)).map(([task, w]) => [task, w * count]));
  return { multiples, weights };
}

function requireFixedSize(taskName: string): void {
  if (!Object.hasOwn(FIXED_GLUE_TRAIN_SIZES, taskName)) {
    const known = Object.keys(FIXED_GLUE_TRAIN_SIZES).join(', ');
    throw new BamError(
      `dataset_multiples uses the original's fixed GLUE sizes, which cover only ${known}; set "dataset_multiples": false to train ${taskName}`,
    );
  }
}

/** How many times the task's examples are repeated in this split: `get_task_multiple`, including `int(mult + 1e-5)`. */
export function taskMultiple(taskName: string, split: string, options: WeightingOptions): number {
  if (split !== 'train' || !options.datasetMultiples) return 1;
  requireFixedSize(taskName);
  return Math.trunc(fixedMultiplesAndWeights(options.taskWeightExponent).multiples[taskName] + 1e-5);
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
    taskNames.forEach(requireFixedSize);
    const { weights } = fixedMultiplesAndWeights(options.taskWeightExponent);
    return Object.fromEntries(taskNames.map((task) => [task, weights[task]]));
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
