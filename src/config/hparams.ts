import { TASK_NAMES } from '../data/tasks.js';
import { BamError } from '../errors.js';

/**
 * The hyperparameters of a run: one schema table, plain data (nanoGPT / ELECTRA style).
 * Keys keep the original's snake_case names, so the original's JSON recipes work unchanged.
 * docs/hparams.md is rendered from this table by hparams-doc.ts.
 */

/** The tasks bam knows (the task registry), under the folder names of `<bam_dir>/glue_data/<task>`. */
export const KNOWN_TASKS: readonly string[] = TASK_NAMES;
/** A name of KNOWN_TASKS (checked when the hparams are read). */
export type TaskName = string;

/** `{task: teacher model name}`: the models whose train predictions a student distills. */
export type Teachers = Partial<Record<TaskName, string>>;

export interface Hparams {
  model_name: string;
  debug: boolean;
  num_trials: number;
  write_test_outputs: boolean;
  write_distill_outputs: boolean;
  n_writes_test: number;
  n_writes_distill: number;
  task_names: TaskName[];
  pretrained: boolean;
  pretrained_model_name: string;
  do_lower_case: boolean;
  learning_rate: number;
  weight_decay_rate: number;
  lr_decay: number;
  num_train_epochs: number;
  warmup_proportion: number;
  distill: boolean;
  teachers: Teachers;
  teacher_annealing: boolean;
  distill_weight: number;
  max_seq_length: number;
  train_batch_size: number;
  eval_batch_size: number;
  predict_batch_size: number;
  double_unordered: boolean;
  task_weight_exponent: number;
  dataset_multiples: boolean;
  save_checkpoints_steps: number;
  iterations_per_loop: number;
  use_tfrecords_if_existing: boolean;
  use_tpu: boolean;
  num_tpu_cores: number;
  tpu_name: string | null;
  tpu_zone: string | null;
  gcp_project: string | null;
  seed: number;
  temperature: number;
  eval_every_steps: number;
  keep_checkpoints: boolean;
  debug_num_hidden_layers: number;
  debug_hidden_size: number;
  debug_max_lines: number;
  pretrained_model_dir: string | null;
  num_threads: number;
  train_max_examples: TaskCounts;
}

/** `{task: count}`: per-task limits. */
export type TaskCounts = Partial<Record<TaskName, number>>;

export type HparamKey = keyof Hparams;

/** The longest file name Linux and macOS file systems take (NAME_MAX), in UTF-8 bytes. */
const MAX_NAME_BYTES = 255;

interface BooleanType {
  kind: 'boolean';
  /** Set for a key that accepts only false: why true is refused. */
  trueRefused?: string;
}
interface IntegerType {
  kind: 'integer';
  min: number;
  /** The largest value the code can run with (array sizes, thread pool, time); none when any count works. */
  max?: number;
}
interface NumberType {
  kind: 'number';
  min?: number;
  max?: number;
  minExclusive?: boolean;
}
/** A folder name under bam_dir (a model or pretrained-model name). */
interface FolderNameType {
  kind: 'folder-name';
}
interface OptionalStringType {
  kind: 'string-or-null';
}
interface TaskListType {
  kind: 'task-list';
}
interface TeachersType {
  kind: 'teachers';
}
interface TaskCountsType {
  kind: 'task-counts';
}
export type HparamType =
  | BooleanType
  | IntegerType
  | NumberType
  | FolderNameType
  | OptionalStringType
  | TaskListType
  | TeachersType
  | TaskCountsType;

/** The kinds that can describe a value of type T, so that a default and its type cannot disagree. */
type TypeFor<T> = [T] extends [boolean]
  ? BooleanType
  : [T] extends [number]
    ? IntegerType | NumberType
    : [T] extends [string]
      ? FolderNameType
      : [T] extends [string | null]
        ? OptionalStringType
        : [T] extends [TaskName[]]
          ? TaskListType
          : [T] extends [TaskCounts]
            ? TaskCountsType
            : TeachersType;

export interface HparamSpec<T> {
  default: T;
  /** Shown in the doc instead of the default when the default comes from elsewhere. */
  defaultText?: string;
  type: TypeFor<T>;
  /** One sentence: what the hparam means. */
  meaning: string;
  /** 'original': a key of the original's configure.py, same name and default; 'bam': new in bam. */
  origin: 'original' | 'bam';
  /** What bam does differently from the original, or how it fixes one of its quirks. */
  differs?: string;
}

const IGNORED_TPU_SETTING = 'accepted and ignored: bam has no TPU support';

export const HPARAM_SCHEMA: { readonly [K in HparamKey]: HparamSpec<Hparams[K]> } = {
  model_name: {
    default: '',
    defaultText: '(command line)',
    type: { kind: 'folder-name' },
    meaning: 'name of the model; its files go to `<bam_dir>/models/<model_name>`.',
    origin: 'original',
    differs:
      'set by the command line; the same value in the hparams is accepted, a different one is rejected (the original crashed with a TypeError).',
  },
  debug: {
    default: false,
    type: { kind: 'boolean' },
    meaning:
      'debug mode: the debug overrides, a small randomly initialised model (`debug_num_hidden_layers`, `debug_hidden_size`) and only the first `debug_max_lines` lines of every TSV.',
    origin: 'original',
  },
  num_trials: {
    default: 1,
    type: { kind: 'integer', min: 1, max: 1000 },
    meaning: 'number of independent train + evaluate runs, one after another.',
    origin: 'original',
    differs: 'trial t uses seed `seed + t - 1`; the original\'s trials differed only by unseeded randomness.',
  },
  write_test_outputs: {
    default: true,
    type: { kind: 'boolean' },
    meaning: 'write test-split predictions after each of the first `n_writes_test` trials.',
    origin: 'original',
    differs: 'predictions are JSON files, not pickles; dev-split predictions and the GLUE submission files are written too.',
  },
  write_distill_outputs: {
    default: true,
    type: { kind: 'boolean' },
    meaning:
      'write train-split predictions (the distillation targets for students) after each of the first `n_writes_distill` trials.',
    origin: 'original',
    differs: 'predictions are JSON files, not pickles.',
  },
  n_writes_test: {
    default: 1,
    type: { kind: 'integer', min: 0 },
    meaning: 'test (and, in bam, dev) predictions are written for the first n trials only.',
    origin: 'original',
  },
  n_writes_distill: {
    default: 1,
    type: { kind: 'integer', min: 0 },
    meaning: 'train predictions are written for the first n trials only.',
    origin: 'original',
  },
  task_names: {
    default: ['rte', 'mrpc'],
    type: { kind: 'task-list' },
    meaning: 'tasks to train; a task\'s index in this list is its task id.',
    origin: 'original',
  },
  pretrained: {
    default: true,
    type: { kind: 'boolean' },
    meaning: 'start from the pretrained checkpoint; false: random initialisation.',
    origin: 'original',
    differs:
      'the original never read it (only `debug` skipped the checkpoint); in bam false means random initialisation, as in debug mode.',
  },
  pretrained_model_name: {
    default: 'uncased_L-12_H-768_A-12',
    type: { kind: 'folder-name' },
    meaning: 'folder under `<bam_dir>/pretrained_models/` that holds the pretrained model.',
    origin: 'original',
    differs:
      'the layer count of the layer-wise learning rate comes from the model config\'s `num_hidden_layers`; the original parsed "L-12" from this name.',
  },
  do_lower_case: {
    default: true,
    type: { kind: 'boolean' },
    meaning: 'lower-case and strip accents before WordPiece (true for uncased models).',
    origin: 'original',
  },
  learning_rate: {
    default: 1e-4,
    type: { kind: 'number', min: 0, minExclusive: true },
    meaning: 'peak learning rate, reached after warmup and then decayed linearly to 0.',
    origin: 'original',
  },
  weight_decay_rate: {
    default: 0.01,
    type: { kind: 'number', min: 0 },
    meaning: 'decoupled AdamW weight decay; biases and LayerNorm parameters are not decayed.',
    origin: 'original',
  },
  lr_decay: {
    default: 0.9,
    type: { kind: 'number', min: 0 },
    meaning:
      'layer-wise learning-rate decay: a parameter at depth d gets `learning_rate * lr_decay^(n_layers + 2 - d)`; 0 turns it off.',
    origin: 'original',
  },
  num_train_epochs: {
    default: 6,
    type: { kind: 'number', min: 0, minExclusive: true },
    meaning: 'epochs over the train set (after dataset multiples and padding); may be fractional.',
    origin: 'original',
  },
  warmup_proportion: {
    default: 0.1,
    type: { kind: 'number', min: 0, max: 1 },
    meaning: 'fraction of the training steps with a linear learning-rate warmup.',
    origin: 'original',
  },
  distill: {
    default: false,
    type: { kind: 'boolean' },
    meaning: 'train on targets mixed from gold labels and the predictions of the `teachers` (born-again distillation).',
    origin: 'original',
  },
  teachers: {
    default: {},
    type: { kind: 'teachers' },
    meaning:
      '`{task: teacher model name}`; a teacher\'s targets are read from `<bam_dir>/models/<teacher>/outputs/<task>_train_predictions_1.json`.',
    origin: 'original',
    differs: 'the teacher file is JSON, not a pickle; a student must name a teacher for every task when `distill` is true.',
  },
  teacher_annealing: {
    default: true,
    type: { kind: 'boolean' },
    meaning: 'mix gold and teacher targets with weight lambda = step / num_train_steps on gold (all teacher first, nearly all gold last).',
    origin: 'original',
  },
  distill_weight: {
    default: 0.5,
    type: { kind: 'number', min: 0, max: 1 },
    meaning: 'without teacher annealing: target = (1 - distill_weight) * gold + distill_weight * teacher.',
    origin: 'original',
  },
  max_seq_length: {
    default: 128,
    type: { kind: 'integer', min: 3, max: 8192 },
    meaning: 'WordPiece sequence length including [CLS] and [SEP]; at most the model\'s `max_position_embeddings`.',
    origin: 'original',
  },
  train_batch_size: {
    default: 128,
    type: { kind: 'integer', min: 1, max: 65536 },
    meaning: 'examples per training step; the train set is padded to a multiple of it.',
    origin: 'original',
  },
  eval_batch_size: {
    default: 8,
    type: { kind: 'integer', min: 1, max: 65536 },
    meaning: 'batch size of dev evaluation.',
    origin: 'original',
  },
  predict_batch_size: {
    default: 8,
    type: { kind: 'integer', min: 1, max: 65536 },
    meaning: 'batch size of prediction passes (test and distillation outputs).',
    origin: 'original',
  },
  double_unordered: {
    default: true,
    type: { kind: 'boolean' },
    meaning: 'MRPC and STS only: add a copy of the train set with the two sentences swapped.',
    origin: 'original',
  },
  task_weight_exponent: {
    default: 0.75,
    type: { kind: 'number', min: -10, max: 10 },
    meaning:
      'a task\'s share of training is proportional to size^exponent (through dataset multiples or loss weights); below 0 every loss weight is 1.',
    origin: 'original',
  },
  dataset_multiples: {
    default: true,
    type: { kind: 'boolean' },
    meaning: 'repeat small train sets a whole number of times and use the fixed GLUE task weights.',
    origin: 'original',
  },
  save_checkpoints_steps: {
    default: 2000,
    type: { kind: 'integer', min: 1 },
    meaning: 'how often (in steps) the training loop writes a resumable checkpoint.',
    origin: 'original',
  },
  iterations_per_loop: {
    default: 100,
    type: { kind: 'integer', min: 1 },
    meaning: 'how often (in steps) progress is logged.',
    origin: 'original',
    differs: 'the original\'s TPU loop size, which also set its logging interval; in bam it only sets the logging interval.',
  },
  use_tfrecords_if_existing: {
    default: true,
    type: { kind: 'boolean' },
    meaning: 'reuse the serialized features of an earlier run.',
    origin: 'original',
    differs: 'accepted and ignored: bam keeps no tfrecord cache.',
  },
  use_tpu: {
    default: false,
    type: { kind: 'boolean', trueRefused: 'bam runs on CPU; there is no TPU support' },
    meaning: 'run on a TPU.',
    origin: 'original',
    differs: 'only false is accepted.',
  },
  num_tpu_cores: {
    default: 8,
    type: { kind: 'integer', min: 1 },
    meaning: 'number of TPU cores.',
    origin: 'original',
    differs: IGNORED_TPU_SETTING,
  },
  tpu_name: {
    default: null,
    type: { kind: 'string-or-null' },
    meaning: 'name of the Cloud TPU.',
    origin: 'original',
    differs: IGNORED_TPU_SETTING,
  },
  tpu_zone: {
    default: null,
    type: { kind: 'string-or-null' },
    meaning: 'zone of the Cloud TPU.',
    origin: 'original',
    differs: IGNORED_TPU_SETTING,
  },
  gcp_project: {
    default: null,
    type: { kind: 'string-or-null' },
    meaning: 'Google Cloud project of the Cloud TPU.',
    origin: 'original',
    differs: IGNORED_TPU_SETTING,
  },
  seed: {
    default: 1,
    type: { kind: 'integer', min: 0 },
    meaning: 'random seed of initialisation, shuffling and dropout; trial t uses `seed + t - 1`.',
    origin: 'bam',
  },
  temperature: {
    default: 1,
    type: { kind: 'number', min: 0, minExclusive: true },
    meaning: 'distillation softmax temperature: teacher targets are `softmax(teacher_logits / temperature)`.',
    origin: 'bam',
    differs: 'the original hard-codes 1.',
  },
  eval_every_steps: {
    default: 0,
    type: { kind: 'integer', min: 0 },
    meaning: 'evaluate on the dev sets every n training steps; 0: only at the end of training.',
    origin: 'bam',
  },
  keep_checkpoints: {
    default: false,
    type: { kind: 'boolean' },
    meaning: 'keep the last checkpoint of a trial; false deletes the checkpoints after each trial, as the original does.',
    origin: 'bam',
  },
  debug_num_hidden_layers: {
    default: 3,
    type: { kind: 'integer', min: 1, max: 256 },
    meaning: 'debug mode: number of encoder layers of the randomly initialised model.',
    origin: 'bam',
    differs: 'the original hard-codes 3.',
  },
  debug_hidden_size: {
    default: 144,
    type: { kind: 'integer', min: 1, max: 16384 },
    meaning: 'debug mode: hidden size of the randomly initialised model; a multiple of the model\'s `num_attention_heads`.',
    origin: 'bam',
    differs: 'the original hard-codes 144.',
  },
  debug_max_lines: {
    default: 50,
    type: { kind: 'integer', min: 2 },
    meaning: 'debug mode: lines read of every TSV, header included.',
    origin: 'bam',
    differs: 'the original hard-codes 50.',
  },
  pretrained_model_dir: {
    default: null,
    type: { kind: 'string-or-null' },
    meaning:
      'folder of the pretrained model (bert_config.json, vocab.txt, checkpoint); null: `<bam_dir>/pretrained_models/<pretrained_model_name>`.',
    origin: 'bam',
    differs: 'fixes issue #124: the original could not be pointed at another model config without editing configure.py.',
  },
  num_threads: {
    default: 0,
    type: { kind: 'integer', min: 0, max: 1024 },
    meaning: 'compute threads; 0: all cores (under mpirun: the cores of the machine divided by the ranks on it).',
    origin: 'bam',
  },
  train_max_examples: {
    default: {},
    type: { kind: 'task-counts' },
    meaning:
      '`{task: n}`: train on only the first n rows of a task\'s train file (before sentence-order doubling and dataset multiples), e.g. `{"sst": 8000}` to subsample SST-2; dev and test are whole.',
    origin: 'bam',
  },
};

export const HPARAM_KEYS = Object.keys(HPARAM_SCHEMA) as HparamKey[];

export const DEFAULT_HPARAMS: Readonly<Hparams> = Object.freeze(
  Object.fromEntries(HPARAM_KEYS.map((key) => [key, HPARAM_SCHEMA[key].default])) as unknown as Hparams,
);

/** Applied when exactly one task is trained (reference §1.2 step 3). */
export const SINGLE_TASK_OVERRIDES: Readonly<Partial<Hparams>> = Object.freeze({
  dataset_multiples: false,
  train_batch_size: 32,
  num_train_epochs: 3,
  learning_rate: 5e-5,
});

/** Applied in debug mode, after the single-task overrides (reference §1.2 step 4). */
export const DEBUG_OVERRIDES: Readonly<Partial<Hparams>> = Object.freeze({
  save_checkpoints_steps: 1_000_000,
  use_tfrecords_if_existing: false,
  iterations_per_loop: 1,
  train_batch_size: 32,
  num_train_epochs: 3,
  dataset_multiples: false,
});

/** The allowed values of a type, as the doc and the error messages word them. */
export function describeType(type: HparamType): string {
  switch (type.kind) {
    case 'boolean':
      return type.trueRefused === undefined ? 'true or false' : 'false';
    case 'integer':
      return type.max === undefined ? `an integer >= ${type.min}` : `an integer from ${type.min} to ${type.max}`;
    case 'number':
      if (type.min !== undefined && type.max !== undefined) return `a number in [${type.min}, ${type.max}]`;
      if (type.min !== undefined) return `a number ${type.minExclusive === true ? '>' : '>='} ${type.min}`;
      return 'a number';
    case 'folder-name':
      return `a folder name (not empty, no "/", "\\" or control characters, not "." or "..", at most ${MAX_NAME_BYTES} bytes)`;
    case 'string-or-null':
      return 'a non-empty string or null';
    case 'task-list':
      return `a non-empty list of distinct tasks from ${KNOWN_TASKS.join(', ')}`;
    case 'teachers':
      return 'an object {task: teacher model name}';
    case 'task-counts':
      return 'an object {task: positive integer}';
  }
}

/** Throws a BamError naming the key, the allowed values and the value given, unless `value` fits the key's type. */
export function checkHparam(key: HparamKey, value: unknown): void {
  const type: HparamType = HPARAM_SCHEMA[key].type;
  if (type.kind === 'task-list') return checkTaskList(key, value);
  if (type.kind === 'teachers') return checkTeachers(key, value);
  if (type.kind === 'task-counts') return checkTaskCounts(key, value);
  if (type.kind === 'boolean' && value === true && type.trueRefused !== undefined) {
    throw new BamError(`hparam "${key}" must be false: ${type.trueRefused}`);
  }
  if (!fitsType(type, value)) {
    throw new BamError(`hparam "${key}" must be ${describeType(type)}, got ${showValue(value)}`);
  }
}

function fitsType(type: HparamType, value: unknown): boolean {
  switch (type.kind) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= type.min && (type.max === undefined || value <= type.max);
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (type.min === undefined || (type.minExclusive === true ? value > type.min : value >= type.min)) &&
        (type.max === undefined || value <= type.max)
      );
    case 'folder-name':
      return isFolderName(value);
    case 'string-or-null':
      return value === null || (typeof value === 'string' && value !== '');
    case 'task-list':
    case 'teachers':
    case 'task-counts':
      return false;
  }
}

export function isFolderName(value: unknown): value is string {
  return (
    typeof value === 'string' && value !== '' && value !== '.' && value !== '..' && !/[/\\\p{Cc}]/u.test(value) &&
    Buffer.byteLength(value) <= MAX_NAME_BYTES
  );
}

function checkTaskList(key: HparamKey, value: unknown): void {
  const allowed = `allowed: ${KNOWN_TASKS.join(', ')}`;
  if (!Array.isArray(value) || !value.every((task) => typeof task === 'string')) {
    const hint = typeof value === 'string' ? `; write [${JSON.stringify(value)}]` : '';
    throw new BamError(`hparam "${key}" must be a list of tasks, got ${showValue(value)}${hint}; ${allowed}`);
  }
  if (value.length === 0) throw new BamError(`hparam "${key}" is empty; list at least one task; ${allowed}`);
  const seen = new Set<string>();
  for (const task of value as string[]) {
    if (!isKnownTask(task)) throw new BamError(`hparam "${key}" has unknown task ${unknownTask(task)}; ${allowed}`);
    if (seen.has(task)) throw new BamError(`hparam "${key}" lists "${task}" twice; list each task once`);
    seen.add(task);
  }
}

function checkTeachers(key: HparamKey, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BamError(
      `hparam "${key}" must be ${describeType({ kind: 'teachers' })}, e.g. {"rte": "rte-model"}, got ${showValue(value)}`,
    );
  }
  for (const [task, teacher] of Object.entries(value)) {
    if (!isKnownTask(task)) {
      throw new BamError(`hparam "${key}" has unknown task ${unknownTask(task)}; allowed: ${KNOWN_TASKS.join(', ')}`);
    }
    if (!isFolderName(teacher)) {
      throw new BamError(
        `hparam "${key}" maps "${task}" to ${showValue(teacher)}; a teacher must be ${describeType({ kind: 'folder-name' })}: the name of a model under <bam_dir>/models`,
      );
    }
  }
}

function checkTaskCounts(key: HparamKey, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BamError(`hparam "${key}" must be ${describeType({ kind: 'task-counts' })}, e.g. {"sst": 8000}, got ${showValue(value)}`);
  }
  for (const [task, count] of Object.entries(value)) {
    if (!isKnownTask(task)) throw new BamError(`hparam "${key}" has unknown task ${unknownTask(task)}; allowed: ${KNOWN_TASKS.join(', ')}`);
    if (!(typeof count === 'number' && Number.isSafeInteger(count) && count >= 1)) {
      throw new BamError(`hparam "${key}" maps "${task}" to ${showValue(count)}; a count must be a positive integer`);
    }
  }
}

export function isKnownTask(name: string): name is TaskName {
  return KNOWN_TASKS.includes(name);
}

/** `"rtee" (did you mean "rte"?)`, or just the quoted name when no task is close. */
function unknownTask(name: string): string {
  const suggestion = closestMatch(name, KNOWN_TASKS);
  return suggestion === undefined ? showValue(name) : `${showValue(name)} (did you mean "${suggestion}"?)`;
}

/**
 * The candidate nearest to `word` by edit distance, ignoring case, when it is near enough to be a plausible typo
 * (at most max(2, length / 3) edits); undefined otherwise.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    // The length difference bounds the distance from below: skip what cannot be near (a huge word costs nothing).
    if (Math.abs(word.length - candidate.length) > limit) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, previous[j] + 1, current[j - 1] + 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A value as it would appear in the user's JSON, shortened for a one-line message. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
