import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { KNOWN_TASKS } from '../../../src/config/hparams.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { taskMultiple, taskWeights } from '../../../src/data/task-weighting.js';
import { getTask, TASK_NAMES } from '../../../src/data/tasks.js';
import { getKernels } from '../../../src/engine/index.js';
import { BamError } from '../../../src/errors.js';
import type { PredictionFile } from '../../../src/run/prediction-files.js';
import { runBam } from '../../../src/run/run-bam.js';
import { OFFICIAL_FOLDERS } from '../../../src/setup/glue-layout.js';
import { makeBamDir, TINY_RUN } from '../../run/fixture-bam-dir.js';
import { sharedData } from '../../shared-data.js';

const trec = getTask('trec');
const once = { multiple: 1, doubleUnordered: true };

const QUESTIONS: [string, string][] = [
  ['How far is it from Denver to Aspen ?', 'num'],
  ['What county is Modesto , California in ?', 'loc'],
  ['Who was Galileo ?', 'hum'],
  ['What is an atom ?', 'desc'],
  ['What is the name of the chocolate company in San Francisco ?', 'enty'],
  ['What does NASA stand for ?', 'abbr'],
  ['When was Ozzy Osbourne born ?', 'num'],
  ['Where is the Orinoco ?', 'loc'],
];

/** `<dir>/{train,dev,test}.tsv` in TREC's layout: question, label; no header; test rows have no label. */
function writeTrec(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const rows = QUESTIONS.map(([question, label]) => `${question}\t${label}\n`).join('');
  writeFileSync(join(dir, 'train.tsv'), rows);
  writeFileSync(join(dir, 'dev.tsv'), rows);
  writeFileSync(join(dir, 'test.tsv'), QUESTIONS.map(([question]) => `${question}\n`).join(''));
  return dir;
}

const bamDir = makeBamDir();
after(() => rmSync(bamDir, { recursive: true, force: true }));
const trecDir = writeTrec(join(bamDir, 'glue_data', 'trec'));

test('trec is registered by its file alone: a task name of the config, not a GLUE download folder', () => {
  assert.ok(TASK_NAMES.includes('trec') && KNOWN_TASKS.includes('trec'));
  assert.deepEqual(resolveConfig('m', bamDir, { task_names: ['trec', 'rte'] }).task_names, ['trec', 'rte']);
  assert.equal(trec.downloadFolder, null);
  assert.equal(Object.hasOwn(OFFICIAL_FOLDERS, 'trec'), false);
});

test('trec rows: the question in column 0, the label in column 1, no header; test rows get the dummy label', () => {
  const train = trec.getExamples(trecDir, 'train', once);
  assert.equal(train.length, 8);
  assert.deepEqual(train[2], { eid: 2, task: 'trec', split: 'train', textA: 'Who was Galileo ?', textB: null, label: 'hum' });
  assert.deepEqual(train.map((e) => e.eid), [0, 1, 2, 3, 4, 5, 6, 7]);
  const test = trec.getExamples(trecDir, 'test', once);
  assert.deepEqual(test.map((e) => e.label), new Array(8).fill('num'));
  assert.equal(test[5].textA, 'What does NASA stand for ?');
  const bad = join(bamDir, 'bad-trec');
  mkdirSync(bad);
  writeFileSync(join(bad, 'dev.tsv'), 'Who was Galileo ?\tHUM\n');
  assert.throws(() => trec.getExamples(bad, 'dev', once), (e: unknown) => e instanceof BamError &&
    e.message === `${join(bad, 'dev.tsv')}:1: label "HUM" is not a trec label; expected one of "num", "loc", "hum", "desc", "enty", "abbr"`);
});

test('trec head, scoring and outputs: six logits, accuracy, no GLUE submission file', () => {
  assert.deepEqual([trec.kind, trec.numOutputs, trec.lossKind], ['classification', 6, 'cross-entropy']);
  assert.deepEqual(trec.featureTargets(trec.getExamples(trecDir, 'train', once)[3]), { labelId: 3, regressionTarget: 0 });
  assert.deepEqual([trec.devSplits, trec.testSplits, trec.metricNames], [['dev'], ['test'], ['accuracy', 'loss']]);
  assert.equal(trec.resultKey('dev'), 'trec');
  assert.equal(trec.submissionFile('test'), null);
  assert.equal(trec.submissionValue(Float32Array.of(0, 1, 0, 0, 3, 2), 0), 'enty');
});

test('trec under dataset_multiples: placed on the scale of the original table, which it leaves unchanged', () => {
  // The original's _multiples_and_weights in Python 3.11 with a TREC size of 5452 added after its table was summed.
  const withMultiples = { datasetMultiples: true, taskWeightExponent: 0.75 };
  assert.equal(taskMultiple('trec', 'train', withMultiples), 3);
  const weights = taskWeights(['rte', 'trec'], {}, withMultiples);
  assert.ok(Math.abs(weights.trec - 0.9662779690360664) <= 1e-12, String(weights.trec));
  assert.ok(Math.abs(weights.rte - 0.881561) <= 5e-7, String(weights.rte));
});

const vocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');

test('bam run trains and scores trec with an RTE head beside it and writes its predictions', { skip: vocab.skip }, async () => {
  const config = resolveConfig('trec-rte', bamDir, { ...TINY_RUN, task_names: ['trec', 'rte'] });
  const outcome = await runBam(config, getKernels(), () => {});
  assert.equal(outcome.interrupted, false);
  const lines = readFileSync(join(config.model_dir, 'results.txt'), 'utf8').trimEnd().split('\n');
  assert.match(lines[0], /^trec: accuracy: \d+\.\d\d - loss: \d+\.\d\d$/);
  // 8 dev questions: accuracy is a multiple of 100/8.
  assert.equal((outcome.trials[0].results.trec[0][1] * 8 / 100) % 1, 0);
  const train = JSON.parse(readFileSync(config.distill_outputs('trec', 1), 'utf8')) as PredictionFile;
  assert.deepEqual(train.label_list, ['num', 'loc', 'hum', 'desc', 'enty', 'abbr']);
  assert.deepEqual(Object.keys(train.predictions), ['0', '1', '2', '3', '4', '5', '6', '7']);
  assert.ok(Object.values(train.predictions).every((logits) => Array.isArray(logits) && logits.length === 6));
  assert.deepEqual(readdirSync(join(config.outputs_dir, 'glue_submission_1')), ['RTE.tsv']);
});
