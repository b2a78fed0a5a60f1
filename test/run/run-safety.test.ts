import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { getKernels } from '../../src/engine/index.js';
import { BamError } from '../../src/errors.js';
import { claimModelFolder } from '../../src/run/model-folder.js';
import { formatResultsTable } from '../../src/run/results-table.js';
import { runBam, runIdentity } from '../../src/run/run-bam.js';
import { sharedData, sharedDataDir } from '../shared-data.js';
import { assertBamError } from '../config/assert-bam-error.js';
import { makeBamDir, TINY_BERT_CONFIG, TINY_RUN } from './fixture-bam-dir.js';

const skip = sharedData('glue', 'RTE', 'train.tsv').skip;
const GLUE_FOLDERS: Record<string, string> = { rte: 'RTE', sts: 'STS-B' };

/** Replaces the fixture's link glue_data/<task> by a copy of the first 17 lines of each file, edited by `edit`. */
function editTask(bamDir: string, task: string, edit: (split: string, lines: string[]) => string[] | null): void {
  const dir = join(bamDir, 'glue_data', task);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const split of ['train', 'dev', 'test']) {
    const lines = readFileSync(join(sharedDataDir, 'glue', GLUE_FOLDERS[task], `${split}.tsv`), 'utf8').split('\n').slice(0, 17);
    const edited = edit(split, lines);
    if (edited !== null) writeFileSync(join(dir, `${split}.tsv`), `${edited.join('\n')}\n`);
  }
}

/** The run's error (a BamError is expected), with the lines it logged: none may be a training step. */
async function failingRun(bamDir: string, model: string, hparams: Record<string, unknown>): Promise<{ message: string; lines: string[] }> {
  const lines: string[] = [];
  try {
    await runBam(resolveConfig(model, bamDir, { ...TINY_RUN, ...hparams }), getKernels(), (l) => lines.push(l));
  } catch (e) {
    assert.ok(e instanceof BamError, `expected a BamError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), e.message);
    assert.ok(!lines.some((l) => /^(step|trial) /.test(l)), `training started: ${lines.join(' | ')}`);
    return { message: e.message, lines };
  }
  assert.fail('the run succeeded');
}

async function run(bamDir: string, model: string, hparams: Record<string, unknown>): Promise<void> {
  await runBam(resolveConfig(model, bamDir, { ...TINY_RUN, ...hparams }), getKernels(), () => {});
}

describe('a model folder belongs to one run', { skip }, () => {
  let bamDir = '';
  const model = (...parts: string[]): string => join(bamDir, 'models', ...parts);
  before(async () => {
    bamDir = makeBamDir();
    await run(bamDir, 'rte-model', { task_names: ['rte'] });
  });
  after(() => rmSync(bamDir, { recursive: true, force: true }));

  test('rerunning a name with other tasks is refused before anything is written; the old model is intact', async () => {
    const before = readFileSync(model('rte-model', 'model_1', 'model.safetensors'));
    const { message } = await failingRun(bamDir, 'rte-model', { task_names: ['rte', 'sts'] });
    assert.match(message, /models\/rte-model holds another run's outputs: its run had other settings \("learning_rate", "task_names"\)/);
    assert.ok(readFileSync(model('rte-model', 'model_1', 'model.safetensors')).equals(before));
    assert.ok(existsSync(model('rte-model', 'outputs', 'rte_train_predictions_1.json')));
    assert.ok(!existsSync(model('rte-model', 'outputs', 'sts_dev_predictions_1.json')));
  });

  test('--overwrite clears the folder: no file of the earlier run is left', async () => {
    await run(bamDir, 'overwritten', { task_names: ['rte'] });
    await runBam(resolveConfig('overwritten', bamDir, { ...TINY_RUN, task_names: ['sts'] }), getKernels(), () => {}, { overwrite: true });
    assert.ok(!existsSync(model('overwritten', 'outputs', 'rte_train_predictions_1.json')));
    assert.ok(!existsSync(model('overwritten', 'glue_submission_1', 'RTE.tsv')));
    assert.ok(existsSync(model('overwritten', 'outputs', 'sts_train_predictions_1.json')));
  });

  test('a second run of the same name while one holds the folder is refused in one line', async () => {
    const config = resolveConfig('busy', bamDir, { ...TINY_RUN, task_names: ['rte'] });
    const release = claimModelFolder(config.model_dir, runIdentity(config), { overwrite: false });
    try {
      const { message } = await failingRun(bamDir, 'busy', { task_names: ['rte'] });
      assert.match(message, new RegExp(`is in use by another run \\(process ${process.pid}`));
    } finally {
      release();
    }
  });

  test('bam results refuses names outside models/ and results files of the wrong shape', () => {
    assertBamError(() => formatResultsTable(bamDir, ['../../..']), 'must be a folder name');
    for (const bad of ['{}', 'null', '{"trials": [], "mean": {"rte": {"accuracy": null}}, "std": {}}']) {
      mkdirSync(model('broken'), { recursive: true });
      writeFileSync(model('broken', 'results.json'), bad);
      assertBamError(() => formatResultsTable(bamDir, ['broken']), 'is not a bam results file');
    }
    assert.match(formatResultsTable(bamDir, ['rte-model']), /^\| model \| trials \| rte accuracy \|/);
  });
});

describe('every input is checked before the first training step; a failed run leaves no folder', { skip }, () => {
  let bamDir = '';
  before(() => {
    bamDir = makeBamDir();
  });
  after(() => rmSync(bamDir, { recursive: true, force: true }));
  const leftNoFolder = (name: string): void => assert.ok(!existsSync(join(bamDir, 'models', name)), `models/${name} was left behind`);

  test('a bad score in sts/dev.tsv is reported with its line', async () => {
    editTask(bamDir, 'sts', (split, lines) => (split === 'dev' ? lines.map((l, i) => (i === 4 ? l.replace(/\t[^\t]*$/, '\t7.5') : l)) : lines));
    const { message } = await failingRun(bamDir, 'bad-dev', { task_names: ['sts'] });
    assert.match(message, /sts\/dev\.tsv:5: score "7\.5" is not a number from 0 to 5/);
    leftNoFolder('bad-dev');
  });

  test('a missing rte/dev.tsv, and a dev set without rows', async () => {
    editTask(bamDir, 'rte', (split, lines) => (split === 'dev' ? null : lines));
    assert.match((await failingRun(bamDir, 'no-dev', { task_names: ['rte'] })).message, /rte\/dev\.tsv: file not found/);
    leftNoFolder('no-dev');
    editTask(bamDir, 'rte', (split, lines) => (split === 'dev' ? lines.slice(0, 1) : lines));
    assert.match((await failingRun(bamDir, 'empty-dev', { task_names: ['rte'] })).message, /rte\/dev\.tsv has no examples/);
    leftNoFolder('empty-dev');
  });

  test('a vocabulary larger than the config\'s vocab_size; a config without [CLS]', async () => {
    const dir = join(bamDir, 'pretrained_models', 'small-vocab');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'vocab.txt'), readFileSync(join(sharedDataDir, 'vocab', 'bert-base-uncased', 'vocab.txt')));
    writeFileSync(join(dir, 'bert_config.json'), JSON.stringify({ ...TINY_BERT_CONFIG, vocab_size: 1000 }));
    const { message } = await failingRun(bamDir, 'big-vocab', { task_names: ['rte'], pretrained_model_name: 'small-vocab' });
    assert.match(message, /vocab\.txt has 30522 tokens but .*bert_config\.json has vocab_size 1000/);
    leftNoFolder('big-vocab');
    writeFileSync(join(dir, 'vocab.txt'), '[PAD]\n[UNK]\n[SEP]\nthe\n');
    assert.match((await failingRun(bamDir, 'no-cls', { task_names: ['rte'], pretrained_model_name: 'small-vocab' })).message, /lacks \[CLS\]/);
  });

  test('a step count of 0 and a weighting that repeats a train set without bound', async () => {
    // 16 RTE rows in batches of 8: 2 steps per epoch, 0.1 epochs → 0 steps.
    const { message } = await failingRun(bamDir, 'no-steps', { task_names: ['rte'], num_train_epochs: 0.1 });
    assert.match(message, /"num_train_epochs" 0\.1 gives 0 training steps \(16 train examples in batches of 8: 2 steps per epoch\); set it to at least 0\.500/);
    const repeated = await failingRun(bamDir, 'repeated', { task_names: ['rte'], dataset_multiples: true, task_weight_exponent: -5 });
    assert.match(repeated.message, /repeats the rte train set .* times/);
  });

  test('teacher files that parse but cannot be right', async () => {
    editTask(bamDir, 'rte', (_, lines) => lines);
    await run(bamDir, 'teacher', { task_names: ['rte'] });
    const path = join(bamDir, 'models', 'teacher', 'outputs', 'rte_train_predictions_1.json');
    const good = JSON.parse(readFileSync(path, 'utf8')) as { label_list: unknown; predictions: Record<string, unknown> };
    const cases: [string, (f: typeof good) => void, RegExp][] = [
      ['a label list that is a string', (f) => { f.label_list = 'ab'; }, /"label_list" must be a list of strings/],
      ['a logit of 1e39', (f) => { f.predictions['0'] = [1e39, 0]; }, /eid 0 has a value beyond ±1000000/],
      ['an eid "01"', (f) => { f.predictions['01'] = f.predictions['1']; delete f.predictions['1']; }, /prediction key "01" is not an example id/],
      ['an eid ""', (f) => { f.predictions[''] = [0, 0]; }, /prediction key "" is not an example id/],
    ];
    for (const [, mutate, expected] of cases) {
      const file = structuredClone(good);
      mutate(file);
      writeFileSync(path, JSON.stringify(file));
      const { message } = await failingRun(bamDir, 'student', { task_names: ['rte'], distill: true, teachers: { rte: 'teacher' } });
      assert.match(message, expected);
      leftNoFolder('student');
    }
  });
});
