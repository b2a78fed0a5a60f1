import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadWeights } from '../../src/checkpoint/load-weights.js';
import { openSafetensors } from '../../src/checkpoint/safetensors.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { featurize } from '../../src/data/featurize.js';
import { getTask } from '../../src/data/tasks.js';
import { getKernels } from '../../src/engine/index.js';
import { BamError } from '../../src/errors.js';
import { readBertConfig } from '../../src/model/bert-config.js';
import { BertModel } from '../../src/model/bert-model.js';
import { predictDataset } from '../../src/run/evaluate.js';
import type { PredictionFile } from '../../src/run/prediction-files.js';
import { runBam } from '../../src/run/run-bam.js';
import { FullTokenizer } from '../../src/tokenization/index.js';
import { sharedData } from '../shared-data.js';
import { makeBamDir, TINY_RUN } from './fixture-bam-dir.js';

const skip = sharedData('glue', 'RTE', 'train.tsv').skip;
/** 16 data rows per file (debug_max_lines 17, header included). */
const ROWS = 16;

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

async function run(bamDir: string, model: string, hparams: Record<string, unknown>): Promise<string[]> {
  const lines: string[] = [];
  const outcome = await runBam(resolveConfig(model, bamDir, { ...TINY_RUN, ...hparams }), getKernels(), (l) => lines.push(l));
  assert.equal(outcome.interrupted, false);
  return lines;
}

describe('the born-again pipeline end to end on real GLUE rows (teachers, multi-task, BAM student)', { skip }, () => {
  let bamDir = '';
  const models = (name: string, ...parts: string[]): string => join(bamDir, 'models', name, ...parts);
  let studentLog: string[] = [];

  before(async () => {
    bamDir = makeBamDir();
    await run(bamDir, 'rte-model', { task_names: ['rte'] });
    await run(bamDir, 'sts-model', { task_names: ['sts'] });
    await run(bamDir, 'rte-sts-model', { task_names: ['rte', 'sts'] });
    studentLog = await run(bamDir, 'rte-sts-bam-model', { task_names: ['rte', 'sts'], distill: true, teachers: { rte: 'rte-model', sts: 'sts-model' } });
  });
  after(() => rmSync(bamDir, { recursive: true, force: true }));

  test('results.txt has the original line format and agrees with results.json', () => {
    const txt = readFileSync(models('rte-sts-bam-model', 'results.txt'), 'utf8');
    const lines = txt.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^rte: accuracy: \d+\.\d\d - loss: \d+\.\d\d$/);
    assert.match(lines[1], /^sts: pearson: -?\d+\.\d\d - spearman: -?\d+\.\d\d - mse: \d+\.\d\d - loss: \d+\.\d\d$/);
    const json = readJson<{ model: string; trials: { trial: number; seed: number; results: Record<string, Record<string, number>> }[]; mean: Record<string, Record<string, number>>; std: Record<string, Record<string, number | null>> }>(
      models('rte-sts-bam-model', 'results.json'));
    assert.equal(json.model, 'rte-sts-bam-model');
    assert.deepEqual(json.trials.map((t) => [t.trial, t.seed]), [[1, 1]]);
    assert.equal(lines[0], `rte: accuracy: ${json.trials[0].results.rte.accuracy.toFixed(2)} - loss: ${json.trials[0].results.rte.loss.toFixed(2)}`);
    assert.deepEqual(json.mean, json.trials[0].results);
    assert.equal(json.std.rte.accuracy, null);
    // 16 dev examples: accuracy is a multiple of 100/16.
    assert.equal((json.trials[0].results.rte.accuracy * ROWS / 100) % 1, 0);
  });

  test('teacher train predictions: every train eid once (STS doubled to 2N), with the label list and data settings', () => {
    const rte = readJson<PredictionFile>(models('rte-model', 'outputs', 'rte_train_predictions_1.json'));
    assert.equal(rte.format, 'bam-predictions/1');
    assert.deepEqual([rte.model, rte.task, rte.split, rte.kind, rte.trial], ['rte-model', 'rte', 'train', 'classification', 1]);
    assert.deepEqual(rte.label_list, ['entailment', 'not_entailment']);
    assert.deepEqual(Object.keys(rte.predictions).map(Number).sort((a, b) => a - b), Array.from({ length: ROWS }, (_, i) => i));
    for (const logits of Object.values(rte.predictions)) assert.ok(Array.isArray(logits) && logits.length === 2 && logits.every(Number.isFinite));
    const sts = readJson<PredictionFile>(models('sts-model', 'outputs', 'sts_train_predictions_1.json'));
    assert.equal(sts.kind, 'regression');
    assert.equal(sts.double_unordered, true);
    assert.equal(sts.max_lines, 17);
    assert.equal(Object.keys(sts.predictions).length, 2 * ROWS);
    for (const v of Object.values(sts.predictions)) assert.equal(typeof v, 'number');
  });

  test('dev and test predictions and GLUE submission files: header, one row per test example, labels from the label list, STS-B on 0-5', () => {
    const rteDev = readJson<PredictionFile>(models('rte-sts-bam-model', 'outputs', 'rte_dev_predictions_1.json'));
    assert.equal(rteDev.split, 'dev');
    assert.equal(Object.keys(rteDev.predictions).length, ROWS);
    const rteTest = readJson<PredictionFile>(models('rte-sts-bam-model', 'outputs', 'rte_test_predictions_1.json'));
    assert.equal(rteTest.split, 'test');
    assert.equal(Object.keys(rteTest.predictions).length, ROWS);
    const rte = readFileSync(models('rte-sts-bam-model', 'outputs', 'glue_submission_1', 'RTE.tsv'), 'utf8').trimEnd().split('\n');
    assert.equal(rte[0], 'index\tprediction');
    assert.equal(rte.length, ROWS + 1);
    rte.slice(1).forEach((row, i) => {
      const [index, label] = row.split('\t');
      assert.equal(Number(index), i);
      const logits = rteTest.predictions[String(i)] as number[];
      assert.equal(label, logits[1] > logits[0] ? 'not_entailment' : 'entailment');
    });
    const stsTest = readJson<PredictionFile>(models('rte-sts-bam-model', 'outputs', 'sts_test_predictions_1.json'));
    const sts = readFileSync(models('rte-sts-bam-model', 'outputs', 'glue_submission_1', 'STS-B.tsv'), 'utf8').trimEnd().split('\n');
    assert.equal(sts[0], 'index\tprediction');
    assert.equal(sts.length, ROWS + 1);
    sts.slice(1).forEach((row, i) => {
      const score = Number(row.split('\t')[1]);
      assert.ok(score >= 0 && score <= 5);
      const expected = Math.min(5, Math.max(0, (stsTest.predictions[String(i)] as number) * 5));
      assert.ok(Math.abs(score - expected) <= 5e-4, `row ${i}: ${score} vs ${expected}`);
    });
  });

  test('the student anneals from the teachers to the gold labels (lambda 0 -> (T-1)/T in the log)', () => {
    const steps = studentLog.filter((l) => /^step \d+\/\d+/.test(l));
    const total = Number(/^step \d+\/(\d+)/.exec(steps[0])?.[1]);
    assert.match(steps[0], /lambda: 0\.000$/);
    assert.match(steps[steps.length - 1], new RegExp(`lambda: ${((total - 1) / total).toFixed(3)}$`));
  });

  test('the saved model (Hugging Face layout) reloads and reproduces the written test predictions', () => {
    const dir = models('rte-sts-bam-model', 'model_1');
    for (const f of ['config.json', 'model.safetensors', 'vocab.txt', 'bam_model.json']) assert.ok(existsSync(join(dir, f)), f);
    assert.deepEqual(readFileSync(join(dir, 'vocab.txt')), readFileSync(join(bamDir, 'pretrained_models', 'tiny', 'vocab.txt')));
    const file = openSafetensors(join(dir, 'model.safetensors'));
    assert.deepEqual(file.info('bert.encoder.layer.0.intermediate.dense.weight').shape, [64, 32]);
    assert.deepEqual(file.info('task_specific.rte.dense.weight').shape, [2, 32]);
    const model = new BertModel(getKernels(), readBertConfig(join(dir, 'config.json')), [{ task: 'rte', numOutputs: 2 }, { task: 'sts', numOutputs: 1 }]);
    loadWeights(model.arena, file, 'huggingface');
    file.close();
    const tokenizer = FullTokenizer.fromVocabFile(join(dir, 'vocab.txt'), true);
    const examples = getTask('rte').getExamples(join(bamDir, 'glue_data', 'rte'), 'test', { maxLines: 17, multiple: 1, doubleUnordered: true });
    const outputs = predictDataset(model, featurize(examples, ['rte', 'sts'], tokenizer, 32), 8);
    const written = readJson<PredictionFile>(models('rte-sts-bam-model', 'outputs', 'rte_test_predictions_1.json'));
    examples.forEach((e, i) => {
      const expected = written.predictions[String(e.eid)] as number[];
      expected.forEach((v, j) => assert.ok(Math.abs(outputs[i * 2 + j] - v) <= 1e-5, `eid ${e.eid}: ${outputs[i * 2 + j]} vs ${v}`));
    });
  });

  test('a student refuses a teacher trained on other examples, naming the file and the setting', async () => {
    await run(bamDir, 'sts-single-order', { task_names: ['sts'], double_unordered: false });
    await assert.rejects(
      run(bamDir, 'bad-student', { task_names: ['sts'], distill: true, teachers: { sts: 'sts-single-order' } }),
      (e: unknown) => {
        assert.ok(e instanceof BamError);
        assert.match(e.message, /teacher file .*sts-single-order\/outputs\/sts_train_predictions_1\.json covers 16 sts train examples \(double_unordered=false.*but the student has 32 \(double_unordered=true/);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      },
    );
  });

  test('a student whose teacher has not been trained says how to train it', async () => {
    await assert.rejects(
      run(bamDir, 'orphan-student', { task_names: ['rte'], distill: true, teachers: { rte: 'no-such-teacher' } }),
      /no-such-teacher\/outputs\/rte_train_predictions_1\.json: teacher file not found; train the teacher first: bam run no-such-teacher/,
    );
  });
});
