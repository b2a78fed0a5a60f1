import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkHparam,
  closestMatch,
  DEBUG_OVERRIDES,
  DEFAULT_HPARAMS,
  editDistance,
  HPARAM_KEYS,
  HPARAM_SCHEMA,
  SINGLE_TASK_OVERRIDES,
} from '../../src/config/hparams.js';
import { assertBamError } from './assert-bam-error.js';

// Reference §1.3: every hparam of the original's configure.py and its default.
const ORIGINAL_DEFAULTS: Record<string, unknown> = {
  debug: false,
  num_trials: 1,
  write_test_outputs: true,
  write_distill_outputs: true,
  n_writes_test: 1,
  n_writes_distill: 1,
  task_names: ['rte', 'mrpc'],
  pretrained: true,
  pretrained_model_name: 'uncased_L-12_H-768_A-12',
  do_lower_case: true,
  learning_rate: 1e-4,
  weight_decay_rate: 0.01,
  lr_decay: 0.9,
  num_train_epochs: 6.0,
  warmup_proportion: 0.1,
  distill: false,
  teachers: {},
  teacher_annealing: true,
  distill_weight: 0.5,
  max_seq_length: 128,
  train_batch_size: 128,
  eval_batch_size: 8,
  predict_batch_size: 8,
  double_unordered: true,
  task_weight_exponent: 0.75,
  dataset_multiples: true,
  save_checkpoints_steps: 2000,
  iterations_per_loop: 100,
  use_tfrecords_if_existing: true,
  use_tpu: false,
  num_tpu_cores: 8,
  tpu_name: null,
  tpu_zone: null,
  gcp_project: null,
};

// The task's list of new hparams and their defaults.
const NEW_DEFAULTS: Record<string, unknown> = {
  seed: 1,
  temperature: 1.0,
  eval_every_steps: 0,
  keep_checkpoints: false,
  debug_num_hidden_layers: 3,
  debug_hidden_size: 144,
  debug_max_lines: 50,
  pretrained_model_dir: null,
  num_threads: 0,
  train_max_examples: {},
};

test('every hparam of the original is a key with the original default, marked original', () => {
  for (const [key, value] of Object.entries(ORIGINAL_DEFAULTS)) {
    assert.ok(Object.hasOwn(HPARAM_SCHEMA, key), `missing original hparam ${key}`);
    assert.deepEqual((DEFAULT_HPARAMS as unknown as Record<string, unknown>)[key], value, key);
    assert.equal(HPARAM_SCHEMA[key as keyof typeof HPARAM_SCHEMA].origin, 'original', key);
  }
  assert.equal(HPARAM_SCHEMA.model_name.origin, 'original');
});

test('the new hparams have the planned defaults and are marked new in bam; nothing else is in the table', () => {
  for (const [key, value] of Object.entries(NEW_DEFAULTS)) {
    assert.deepEqual((DEFAULT_HPARAMS as unknown as Record<string, unknown>)[key], value, key);
    assert.equal(HPARAM_SCHEMA[key as keyof typeof HPARAM_SCHEMA].origin, 'bam', key);
  }
  const listed = new Set(['model_name', ...Object.keys(ORIGINAL_DEFAULTS), ...Object.keys(NEW_DEFAULTS)]);
  assert.deepEqual(HPARAM_KEYS.filter((key) => !listed.has(key)), []);
  assert.equal(HPARAM_KEYS.length, listed.size);
  assert.ok(!Object.hasOwn(HPARAM_SCHEMA, 'n_layers'));
});

test('the single-task and debug overrides are the original\'s (reference §1.2)', () => {
  assert.deepEqual(
    { ...SINGLE_TASK_OVERRIDES },
    { dataset_multiples: false, train_batch_size: 32, num_train_epochs: 3.0, learning_rate: 5e-5 },
  );
  assert.deepEqual(
    { ...DEBUG_OVERRIDES },
    {
      save_checkpoints_steps: 1000000,
      use_tfrecords_if_existing: false,
      iterations_per_loop: 1,
      train_batch_size: 32,
      num_train_epochs: 3.0,
      dataset_multiples: false,
    },
  );
});

test('every default and every override value passes its own schema check', () => {
  for (const key of HPARAM_KEYS) {
    if (key !== 'model_name') checkHparam(key, DEFAULT_HPARAMS[key]);
  }
  for (const overrides of [SINGLE_TASK_OVERRIDES, DEBUG_OVERRIDES]) {
    for (const [key, value] of Object.entries(overrides)) checkHparam(key as keyof typeof HPARAM_SCHEMA, value);
  }
});

test('every entry documents its meaning in one sentence', () => {
  for (const key of HPARAM_KEYS) {
    const meaning = HPARAM_SCHEMA[key].meaning;
    assert.ok(meaning.length > 10 && meaning.endsWith('.') && !meaning.includes('\n'), key);
  }
});

test('checkHparam names the key, the allowed values and the value given', () => {
  assertBamError(() => checkHparam('train_batch_size', '32'), '"train_batch_size"', 'an integer from 1 to 65536', 'got "32"');
  assertBamError(() => checkHparam('train_batch_size', 0), 'an integer from 1 to 65536', 'got 0');
  assertBamError(() => checkHparam('num_train_epochs', 0), 'a number > 0', 'got 0');
  assertBamError(() => checkHparam('debug', 'yes'), '"debug"', 'true or false', 'got "yes"');
  assertBamError(() => checkHparam('tpu_name', 3), '"tpu_name"', 'a non-empty string or null', 'got 3');
  assertBamError(() => checkHparam('pretrained_model_name', '../x'), '"pretrained_model_name"', 'a folder name');
  assertBamError(() => checkHparam('learning_rate', Number.NaN), '"learning_rate"', 'got NaN');
  checkHparam('task_weight_exponent', -1);
  checkHparam('num_train_epochs', 0.5);
  checkHparam('tpu_name', 'my-tpu');
});

test('edit distance and the closest match', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('lerning_rate', 'learning_rate'), 1);
  assert.equal(closestMatch('lerning_rate', HPARAM_KEYS), 'learning_rate');
  assert.equal(closestMatch('STS-B', ['rte', 'sts', 'sst']), 'sts');
  assert.equal(closestMatch('xyzzy', ['rte', 'sts']), undefined);
});

test('train_max_examples takes {task: positive integer} and names what is wrong', () => {
  assert.doesNotThrow(() => checkHparam('train_max_examples', { sst: 8000, rte: 1 }));
  assert.throws(() => checkHparam('train_max_examples', [8000]), /must be an object \{task: positive integer\}, e\.g\. \{"sst": 8000\}/);
  assert.throws(() => checkHparam('train_max_examples', { sstt: 8000 }), /unknown task "sstt" \(did you mean "sst"\?\)/);
  assert.throws(() => checkHparam('train_max_examples', { sst: 0 }), /maps "sst" to 0; a count must be a positive integer/);
});
