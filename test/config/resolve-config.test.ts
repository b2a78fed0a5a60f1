import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_HPARAMS, HPARAM_KEYS, KNOWN_TASKS } from '../../src/config/hparams.js';
import { DERIVED_FIELDS, resolveConfig, validateAgainstModel } from '../../src/config/resolve-config.js';
import { TASK_NAMES } from '../../src/data/tasks.js';
import { assertBamError } from './assert-bam-error.js';

const BAM_DIR = '/data/bam';
const resolve = (user: Record<string, unknown>) => resolveConfig('m', BAM_DIR, user);
// The registry's tasks; a task added to it adds its name here.
const ALLOWED_TASKS = `allowed: ${TASK_NAMES.join(', ')}`;

test('no user hparams: the defaults, with the model name from the command line', () => {
  const config = resolve({});
  for (const key of HPARAM_KEYS) {
    if (key !== 'model_name' && key !== 'pretrained_model_dir') assert.deepEqual(config[key], DEFAULT_HPARAMS[key], key);
  }
  assert.equal(config.model_name, 'm');
  assert.equal(config.n_tasks, 2);
  assert.equal(config.train_batch_size, 128);
  assert.equal(config.learning_rate, 1e-4);
});

test('one task: the single-task overrides (batch 32, 3 epochs, lr 5e-5, no dataset multiples)', () => {
  const config = resolve({ task_names: ['rte'] });
  assert.equal(config.n_tasks, 1);
  assert.equal(config.train_batch_size, 32);
  assert.equal(config.num_train_epochs, 3);
  assert.equal(config.learning_rate, 5e-5);
  assert.equal(config.dataset_multiples, false);
  assert.equal(config.save_checkpoints_steps, 2000);
  assert.equal(config.iterations_per_loop, 100);
});

test('debug with two tasks: the debug overrides, but not the single-task learning rate', () => {
  const config = resolve({ debug: true });
  assert.equal(config.save_checkpoints_steps, 1000000);
  assert.equal(config.use_tfrecords_if_existing, false);
  assert.equal(config.iterations_per_loop, 1);
  assert.equal(config.train_batch_size, 32);
  assert.equal(config.num_train_epochs, 3);
  assert.equal(config.dataset_multiples, false);
  assert.equal(config.learning_rate, 1e-4);
  assert.equal(config.load_pretrained_weights, false);
});

test('run.sh\'s debug recipe: single-task and debug overrides together', () => {
  const config = resolveConfig('debug-model', BAM_DIR, { debug: true, task_names: ['rte'] });
  assert.equal(config.learning_rate, 5e-5);
  assert.equal(config.train_batch_size, 32);
  assert.equal(config.iterations_per_loop, 1);
});

test('values the user gave win over the single-task and debug overrides', () => {
  const config = resolve({
    task_names: ['rte'],
    debug: true,
    train_batch_size: 16,
    learning_rate: 2e-5,
    num_train_epochs: 10,
    dataset_multiples: true,
    iterations_per_loop: 10,
    save_checkpoints_steps: 500,
    use_tfrecords_if_existing: true,
  });
  assert.equal(config.train_batch_size, 16);
  assert.equal(config.learning_rate, 2e-5);
  assert.equal(config.num_train_epochs, 10);
  assert.equal(config.dataset_multiples, true);
  assert.equal(config.iterations_per_loop, 10);
  assert.equal(config.save_checkpoints_steps, 500);
  assert.equal(config.use_tfrecords_if_existing, true);
});

test('the user object and the defaults are not shared with or changed by the config', () => {
  const user = { task_names: ['rte', 'sts'], teachers: { rte: 'rte-model' } };
  const config = resolve(user);
  config.task_names.push('cola');
  config.teachers.sts = 'x';
  assert.deepEqual(user, { task_names: ['rte', 'sts'], teachers: { rte: 'rte-model' } });
  const fresh = resolve({});
  fresh.task_names.push('cola');
  assert.deepEqual(DEFAULT_HPARAMS.task_names, ['rte', 'mrpc']);
  assert.deepEqual(resolve({}).teachers, {});
});

test('derived paths follow the original\'s bam_dir layout, with JSON outputs', () => {
  const config = resolveConfig('rte-mrpc-bam', BAM_DIR, {
    task_names: ['rte', 'mrpc'],
    distill: true,
    teachers: { rte: 'rte-model', mrpc: 'mrpc-model' },
  });
  assert.equal(config.bam_dir, '/data/bam');
  assert.equal(config.model_dir, '/data/bam/models/rte-mrpc-bam');
  assert.equal(config.pretrained_model_dir, '/data/bam/pretrained_models/uncased_L-12_H-768_A-12');
  assert.equal(config.bert_config_file, '/data/bam/pretrained_models/uncased_L-12_H-768_A-12/bert_config.json');
  assert.equal(config.vocab_file, '/data/bam/pretrained_models/uncased_L-12_H-768_A-12/vocab.txt');
  assert.equal(config.init_checkpoint, '/data/bam/pretrained_models/uncased_L-12_H-768_A-12/bert_model.ckpt');
  assert.equal(config.load_pretrained_weights, true);
  assert.equal(config.checkpoints_dir, '/data/bam/models/rte-mrpc-bam/checkpoints');
  assert.equal(config.results_txt, '/data/bam/models/rte-mrpc-bam/results.txt');
  assert.equal(config.results_json, '/data/bam/models/rte-mrpc-bam/results.json');
  assert.equal(config.outputs_dir, '/data/bam/models/rte-mrpc-bam/outputs');
  assert.equal(config.raw_data_dir('rte'), '/data/bam/glue_data/rte');
  assert.equal(
    config.test_outputs('mnli', 'test_matched', 2),
    '/data/bam/models/rte-mrpc-bam/outputs/mnli_test_matched_predictions_2.json',
  );
  assert.equal(config.distill_outputs('rte', 3), '/data/bam/models/rte-mrpc-bam/outputs/rte_train_predictions_3.json');
  assert.equal(config.distill_inputs('mrpc'), '/data/bam/models/mrpc-model/outputs/mrpc_train_predictions_1.json');
  assertBamError(() => config.distill_inputs('sts'), 'no teacher for task "sts"', '"teachers"');
});

test('the documented patterns of the derived paths agree with the paths computed', () => {
  const config = resolveConfig('student', BAM_DIR, { task_names: ['sts'], teachers: { sts: 'teacher' } });
  const fill = (pattern: string) =>
    pattern
      .replace(/ \(.*\)$/, '')
      .replace('<bam_dir>', BAM_DIR)
      .replace('<model_name>', 'student')
      .replace('<pretrained_model_dir>', config.pretrained_model_dir)
      .replace('<teachers[task]>', 'teacher')
      .replaceAll('<task>', 'sts')
      .replace('<split>', 'test')
      .replace('<trial>', '2');
  const computed: Record<string, string> = {
    model_dir: config.model_dir,
    bert_config_file: config.bert_config_file,
    vocab_file: config.vocab_file,
    init_checkpoint: config.init_checkpoint,
    checkpoints_dir: config.checkpoints_dir,
    results_txt: config.results_txt,
    results_json: config.results_json,
    outputs_dir: config.outputs_dir,
    raw_data_dir: config.raw_data_dir('sts'),
    test_outputs: config.test_outputs('sts', 'test', 2),
    distill_outputs: config.distill_outputs('sts', 2),
    distill_inputs: config.distill_inputs('sts'),
  };
  for (const [key, path] of Object.entries(computed)) {
    assert.equal(fill(DERIVED_FIELDS[key as keyof typeof DERIVED_FIELDS].value), path, key);
  }
});

test('pretrained_model_dir replaces the pretrained folder (issue #124); pretrained false means random init', () => {
  const config = resolve({ pretrained_model_dir: '/models/small', pretrained: false });
  assert.equal(config.pretrained_model_dir, '/models/small');
  assert.equal(config.bert_config_file, '/models/small/bert_config.json');
  assert.equal(config.vocab_file, '/models/small/vocab.txt');
  assert.equal(config.load_pretrained_weights, false);
});

test('unknown keys are refused with the closest key and the allowed keys', () => {
  const message = assertBamError(
    () => resolve({ lerning_rate: 1e-5 }),
    'unknown hparam "lerning_rate" (did you mean "learning_rate"?); allowed: ',
  );
  for (const key of HPARAM_KEYS) assert.ok(message.includes(key), key);
  const far = assertBamError(() => resolve({ xyzzy: 1 }), 'unknown hparam "xyzzy"; allowed: model_name, debug');
  assert.ok(!far.includes('did you mean'));
  assertBamError(() => resolve({ toString: 1 }), 'unknown hparam "toString"');
  assertBamError(() => resolve(JSON.parse('{"__proto__": {"debug": true}}')), 'unknown hparam "__proto__"');
});

test('derived fields and retired names are refused with what to set instead', () => {
  assertBamError(() => resolve({ n_tasks: 3 }), '"n_tasks" is derived', 'set "task_names"');
  assertBamError(
    () => resolve({ bert_config_file: '/x/bert_config.json' }),
    '"bert_config_file" is derived (<pretrained_model_dir>/bert_config.json)',
    'set "pretrained_model_dir" or "pretrained_model_name"',
  );
  assertBamError(() => resolve({ checkpoints_dir: '/x' }), '"checkpoints_dir" is derived', '<model_name>');
  assertBamError(() => resolve({ raw_data_dir: '/x' }), '"raw_data_dir" is derived', 'another <bam_dir>');
  assertBamError(() => resolve({ distill_inputs: '/x' }), '"distill_inputs" is derived', 'set "teachers"');
  assertBamError(() => resolve({ n_layers: 12 }), '"n_layers" is not an hparam', 'num_hidden_layers');
  assertBamError(() => resolve({ results_pkl: '/x' }), '"results_pkl" is not an hparam', 'results.json');
});

test('wrong types name the key, the expected type and the value', () => {
  assertBamError(() => resolve({ train_batch_size: '32' }), 'hparam "train_batch_size" must be an integer from 1 to 65536, got "32"');
  assertBamError(() => resolve({ max_seq_length: 128.5 }), '"max_seq_length" must be an integer from 3 to 8192, got 128.5');
  assertBamError(() => resolve({ debug: 1 }), '"debug" must be true or false, got 1');
  assertBamError(() => resolve({ pretrained_model_dir: '' }), '"pretrained_model_dir" must be a non-empty string or null');
  assertBamError(() => resolve({ teachers: ['rte-model'] }), '"teachers" must be an object {task: teacher model name}');
  assertBamError(() => resolve({ teachers: { rte: 7 } }), '"teachers" maps "rte" to 7', 'folder name');
  assertBamError(() => resolve({ task_names: 'rte' }), '"task_names" must be a list of tasks, got "rte"; write ["rte"]');
});

test('impossible values name the key and the allowed values', () => {
  assertBamError(() => resolve({ learning_rate: -1e-5 }), '"learning_rate" must be a number > 0, got -0.00001');
  assertBamError(() => resolve({ weight_decay_rate: -0.1 }), '"weight_decay_rate" must be a number >= 0');
  assertBamError(() => resolve({ lr_decay: -0.9 }), '"lr_decay" must be a number >= 0');
  assertBamError(() => resolve({ warmup_proportion: 1.5 }), '"warmup_proportion" must be a number in [0, 1], got 1.5');
  assertBamError(() => resolve({ warmup_proportion: -0.1 }), '"warmup_proportion" must be a number in [0, 1]');
  assertBamError(() => resolve({ distill_weight: 2 }), '"distill_weight" must be a number in [0, 1]');
  assertBamError(() => resolve({ train_batch_size: 0 }), '"train_batch_size" must be an integer from 1 to 65536, got 0');
  assertBamError(() => resolve({ eval_batch_size: -8 }), '"eval_batch_size" must be an integer from 1 to 65536');
  assertBamError(() => resolve({ predict_batch_size: 0 }), '"predict_batch_size" must be an integer from 1 to 65536');
  assertBamError(() => resolve({ max_seq_length: 2 }), '"max_seq_length" must be an integer from 3 to 8192, got 2');
  assertBamError(() => resolve({ num_trials: 0 }), '"num_trials" must be an integer from 1 to 1000');
  assertBamError(() => resolve({ temperature: 0 }), '"temperature" must be a number > 0');
  assertBamError(() => resolve({ num_threads: -1 }), '"num_threads" must be an integer from 0 to 1024');
  assertBamError(() => resolve({ use_tpu: true }), '"use_tpu" must be false: bam runs on CPU; there is no TPU support');
  resolve({ use_tpu: false, num_tpu_cores: 8, tpu_name: 'tpu', tpu_zone: null, gcp_project: 'p' });
});

test('task_names: empty, unknown (with suggestion) and duplicate tasks are refused with the known tasks', () => {
  assert.deepEqual(KNOWN_TASKS, TASK_NAMES);
  const glue = ['cola', 'mnli', 'mrpc', 'qnli', 'qqp', 'rte', 'sst', 'sts', 'wnli'];
  assert.deepEqual(KNOWN_TASKS.filter((task) => glue.includes(task)), glue);
  assertBamError(() => resolve({ task_names: [] }), '"task_names" is empty', ALLOWED_TASKS);
  assertBamError(() => resolve({ task_names: ['rte', 'SST-2'] }), 'unknown task "SST-2" (did you mean "sst"?)', ALLOWED_TASKS);
  assertBamError(() => resolve({ task_names: ['squad'] }), 'unknown task "squad"; ' + ALLOWED_TASKS);
  assertBamError(() => resolve({ task_names: ['rte', 'mrpc', 'rte'] }), '"task_names" lists "rte" twice');
  assertBamError(() => resolve({ teachers: { rtee: 'm' } }), '"teachers" has unknown task "rtee" (did you mean "rte"?)', ALLOWED_TASKS);
});

test('distillation needs a teacher for every task, and teachers only for tasks trained', () => {
  assertBamError(
    () => resolve({ distill: true }),
    '"distill" is true but "teachers" has no teacher for rte, mrpc',
    '"teachers": {"rte": "rte-model"}',
  );
  assertBamError(
    () => resolve({ distill: true, teachers: { rte: 'rte-model' } }),
    'no teacher for mrpc',
  );
  assertBamError(
    () => resolve({ task_names: ['rte'], teachers: { rte: 'a', sst: 'b' } }),
    '"teachers" names task "sst", which is not in task_names (rte)',
  );
  const config = resolve({ distill: true, teachers: { rte: 'rte-model', mrpc: 'mrpc-model' } });
  assert.equal(config.distill, true);
});

test('model_name in the hparams must agree with the command line', () => {
  assert.equal(resolve({ model_name: 'm' }).model_name, 'm');
  assertBamError(() => resolve({ model_name: 'other' }), '"model_name" is "other" but the command line names the model "m"');
  assertBamError(() => resolveConfig('a/b', BAM_DIR, {}), 'model name "a/b" must be a folder name');
  assertBamError(() => resolveConfig('m', '', {}), 'bam_dir is empty');
});

test('validateAgainstModel: max_seq_length within max_position_embeddings; debug width divisible by the heads', () => {
  const config = resolve({ max_seq_length: 512 });
  validateAgainstModel(config, { maxPositionEmbeddings: 512 });
  assertBamError(
    () => validateAgainstModel(config, { maxPositionEmbeddings: 128 }),
    '"max_seq_length" is 512',
    `${config.bert_config_file} has max_position_embeddings 128`,
    'at most 128',
  );
  assertBamError(
    () => validateAgainstModel(config, { maxPositionEmbeddings: 40, configFile: '/m/config.json' }),
    '/m/config.json has max_position_embeddings 40',
  );
  const debug = resolve({ debug: true });
  validateAgainstModel(debug, { maxPositionEmbeddings: 512, numAttentionHeads: 12 });
  assertBamError(
    () => validateAgainstModel(debug, { maxPositionEmbeddings: 512, numAttentionHeads: 5 }),
    '"debug_hidden_size" is 144',
    'num_attention_heads 5',
    'a multiple of 5',
  );
  validateAgainstModel(resolve({}), { maxPositionEmbeddings: 512, numAttentionHeads: 5 });
});
