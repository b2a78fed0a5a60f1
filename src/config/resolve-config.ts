import { join } from 'node:path';
import { BamError } from '../errors.js';
import {
  checkHparam,
  closestMatch,
  describeType,
  DEBUG_OVERRIDES,
  DEFAULT_HPARAMS,
  HPARAM_KEYS,
  HPARAM_SCHEMA,
  type Hparams,
  isFolderName,
  showValue,
  SINGLE_TASK_OVERRIDES,
  type TaskName,
} from './hparams.js';

/** The hparams of a run plus everything derived from them and the command line; nothing here is settable. */
export interface RunConfig extends Hparams {
  bam_dir: string;
  n_tasks: number;
  model_dir: string;
  /** Resolved: the hparam when set, else `<bam_dir>/pretrained_models/<pretrained_model_name>`. */
  pretrained_model_dir: string;
  bert_config_file: string;
  vocab_file: string;
  /** Checkpoint prefix in Google's layout (`.index` + `.data-*` beside it). */
  init_checkpoint: string;
  load_pretrained_weights: boolean;
  checkpoints_dir: string;
  results_txt: string;
  results_json: string;
  outputs_dir: string;
  raw_data_dir(task: TaskName): string;
  test_outputs(task: TaskName, split: string, trial: number): string;
  distill_outputs(task: TaskName, trial: number): string;
  distill_inputs(task: TaskName): string;
}

export interface DerivedField {
  /** What it is, with `<placeholders>` for hparams and arguments. */
  value: string;
  /** What to set instead to change it. */
  instead: string;
}

const CHOOSE_MODEL_NAME = 'choose another <model_name> on the command line';
const CHOOSE_PRETRAINED = 'set "pretrained_model_dir" or "pretrained_model_name"';

/** Every derived field of RunConfig: documented in docs/hparams.md, and refused when given as an hparam. */
export const DERIVED_FIELDS: { readonly [K in Exclude<keyof RunConfig, keyof Hparams>]: DerivedField } = {
  bam_dir: { value: 'the <bam_dir> command-line argument', instead: 'pass it on the command line' },
  n_tasks: { value: 'the number of task_names', instead: 'set "task_names"' },
  model_dir: { value: '<bam_dir>/models/<model_name>', instead: CHOOSE_MODEL_NAME },
  bert_config_file: { value: '<pretrained_model_dir>/bert_config.json', instead: CHOOSE_PRETRAINED },
  vocab_file: { value: '<pretrained_model_dir>/vocab.txt', instead: CHOOSE_PRETRAINED },
  init_checkpoint: { value: '<pretrained_model_dir>/bert_model.ckpt', instead: CHOOSE_PRETRAINED },
  load_pretrained_weights: {
    value: 'pretrained and not debug',
    instead: 'set "pretrained" (false: random initialisation) or "debug"',
  },
  checkpoints_dir: { value: '<bam_dir>/models/<model_name>/checkpoints', instead: CHOOSE_MODEL_NAME },
  results_txt: { value: '<bam_dir>/models/<model_name>/results.txt', instead: CHOOSE_MODEL_NAME },
  results_json: { value: '<bam_dir>/models/<model_name>/results.json', instead: CHOOSE_MODEL_NAME },
  outputs_dir: { value: '<bam_dir>/models/<model_name>/outputs', instead: CHOOSE_MODEL_NAME },
  raw_data_dir: { value: '<bam_dir>/glue_data/<task>', instead: 'pass another <bam_dir>' },
  test_outputs: {
    value: '<bam_dir>/models/<model_name>/outputs/<task>_<split>_predictions_<trial>.json (test and dev splits)',
    instead: CHOOSE_MODEL_NAME,
  },
  distill_outputs: {
    value: '<bam_dir>/models/<model_name>/outputs/<task>_train_predictions_<trial>.json',
    instead: CHOOSE_MODEL_NAME,
  },
  distill_inputs: {
    value: '<bam_dir>/models/<teachers[task]>/outputs/<task>_train_predictions_1.json (always trial 1, as in the original)',
    instead: 'set "teachers"',
  },
};

/** Names the original had or users may try that are not hparams in bam, with the reason. */
export const NOT_HPARAMS: Readonly<Record<string, string>> = {
  n_layers:
    'the layer count of the layer-wise learning rate comes from the model config\'s num_hidden_layers (the original parsed "L-12" from pretrained_model_name)',
  results_pkl: 'bam writes results.json (results_json) instead of results.pkl',
  preprocessed_data_dir: 'bam keeps no tfrecord cache',
};

/**
 * The configuration of a run, resolved exactly as the original's configure.py (reference §1.2):
 * defaults -> user -> single-task overrides (one task) -> debug overrides -> user again -> derived paths.
 * So a value the user gave always wins. `user` is the parsed hparams JSON; it is validated and not modified.
 */
export function resolveConfig(modelName: string, bamDir: string, user: Record<string, unknown>): RunConfig {
  if (!isFolderName(modelName)) {
    throw new BamError(
      `model name ${showValue(modelName)} must be ${describeType({ kind: 'folder-name' })}: bam run <model_name> <bam_dir>`,
    );
  }
  if (bamDir === '') throw new BamError('bam_dir is empty: bam run <model_name> <bam_dir> (is $BAM_DIR set?)');
  const given = checkUserHparams(user);
  if (given.model_name !== undefined && given.model_name !== modelName) {
    throw new BamError(
      `hparam "model_name" is "${given.model_name}" but the command line names the model "${modelName}"; remove "model_name" from the hparams`,
    );
  }
  const hparams: Hparams = { ...structuredClone(DEFAULT_HPARAMS), model_name: modelName };
  Object.assign(hparams, given);
  if (hparams.task_names.length === 1) Object.assign(hparams, SINGLE_TASK_OVERRIDES);
  if (hparams.debug) Object.assign(hparams, DEBUG_OVERRIDES);
  Object.assign(hparams, given);
  checkCombination(hparams);
  return withDerivedFields(hparams, bamDir);
}

/** The user's hparams, checked key by key against the schema, as a copy. */
function checkUserHparams(user: Record<string, unknown>): Partial<Hparams> {
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(user)) {
    if (!Object.hasOwn(HPARAM_SCHEMA, key)) throw new BamError(notAnHparam(key));
    checkHparam(key as keyof Hparams, value);
    given[key] = structuredClone(value);
  }
  return given as Partial<Hparams>;
}

function notAnHparam(key: string): string {
  if (Object.hasOwn(DERIVED_FIELDS, key)) {
    const field = DERIVED_FIELDS[key as keyof typeof DERIVED_FIELDS];
    return `"${key}" is derived (${field.value}) and cannot be set; ${field.instead}`;
  }
  if (Object.hasOwn(NOT_HPARAMS, key)) return `"${key}" is not an hparam in bam: ${NOT_HPARAMS[key]}`;
  const suggestion = closestMatch(key, HPARAM_KEYS);
  const didYouMean = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return `unknown hparam ${showValue(key)}${didYouMean}; allowed: ${HPARAM_KEYS.join(', ')}`;
}

/** Rules that involve more than one hparam. */
function checkCombination(hparams: Hparams): void {
  const tasks = hparams.task_names.join(', ');
  for (const task of Object.keys(hparams.teachers)) {
    if (!(hparams.task_names as string[]).includes(task)) {
      throw new BamError(
        `hparam "teachers" names task "${task}", which is not in task_names (${tasks}); add "${task}" to task_names or remove its teacher`,
      );
    }
  }
  if (hparams.distill) {
    const untaught = hparams.task_names.filter((task) => hparams.teachers[task] === undefined);
    if (untaught.length > 0) {
      throw new BamError(
        `hparam "distill" is true but "teachers" has no teacher for ${untaught.join(', ')}; name one per task, e.g. "teachers": {"${untaught[0]}": "${untaught[0]}-model"}, or set "distill": false`,
      );
    }
  }
}

function withDerivedFields(hparams: Hparams, bamDir: string): RunConfig {
  const modelDir = join(bamDir, 'models', hparams.model_name);
  const outputsDir = join(modelDir, 'outputs');
  const pretrainedDir = hparams.pretrained_model_dir ?? join(bamDir, 'pretrained_models', hparams.pretrained_model_name);
  return {
    ...hparams,
    bam_dir: bamDir,
    n_tasks: hparams.task_names.length,
    model_dir: modelDir,
    pretrained_model_dir: pretrainedDir,
    bert_config_file: join(pretrainedDir, 'bert_config.json'),
    vocab_file: join(pretrainedDir, 'vocab.txt'),
    init_checkpoint: join(pretrainedDir, 'bert_model.ckpt'),
    load_pretrained_weights: hparams.pretrained && !hparams.debug,
    checkpoints_dir: join(modelDir, 'checkpoints'),
    results_txt: join(modelDir, 'results.txt'),
    results_json: join(modelDir, 'results.json'),
    outputs_dir: outputsDir,
    raw_data_dir: (task) => join(bamDir, 'glue_data', task),
    test_outputs: (task, split, trial) => join(outputsDir, `${task}_${split}_predictions_${trial}.json`),
    distill_outputs: (task, trial) => join(outputsDir, `${task}_train_predictions_${trial}.json`),
    distill_inputs: (task) => {
      const teacher = hparams.teachers[task];
      if (teacher === undefined) {
        throw new BamError(`no teacher for task "${task}": add it to "teachers", e.g. "teachers": {"${task}": "${task}-model"}`);
      }
      return join(bamDir, 'models', teacher, 'outputs', `${task}_train_predictions_1.json`);
    },
  };
}

/** What the model config says about the limits of a run. */
export interface ModelLimits {
  maxPositionEmbeddings: number;
  /** Checked against debug_hidden_size in debug mode. */
  numAttentionHeads?: number;
  /** The file these limits come from, for messages; default: config.bert_config_file. */
  configFile?: string;
}

/** The checks that need the model config: max_seq_length fits the position table, the debug width splits into heads. */
export function validateAgainstModel(config: RunConfig, model: ModelLimits): void {
  const file = model.configFile ?? config.bert_config_file;
  if (config.max_seq_length > model.maxPositionEmbeddings) {
    throw new BamError(
      `hparam "max_seq_length" is ${config.max_seq_length} but ${file} has max_position_embeddings ${model.maxPositionEmbeddings}; set "max_seq_length" to at most ${model.maxPositionEmbeddings}`,
    );
  }
  const heads = model.numAttentionHeads;
  if (config.debug && heads !== undefined && config.debug_hidden_size % heads !== 0) {
    throw new BamError(
      `hparam "debug_hidden_size" is ${config.debug_hidden_size} but ${file} has num_attention_heads ${heads}; set "debug_hidden_size" to a multiple of ${heads}`,
    );
  }
}
