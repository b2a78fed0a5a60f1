import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { getKernels } from '../../src/engine/index.js';
import { BamError } from '../../src/errors.js';
import type { PredictionFile } from '../../src/run/prediction-files.js';
import { runBam } from '../../src/run/run-bam.js';
import { sharedData, sharedDataDir } from '../shared-data.js';
import { makeBamDir, TINY_RUN, writeMnliFixture } from './fixture-bam-dir.js';

const skip = sharedData('glue', 'RTE', 'train.tsv').skip || sharedData('tf-checkpoints', 'keras-bert-tiny').skip;

async function run(bamDir: string, model: string, hparams: Record<string, unknown>): Promise<string[]> {
  const lines: string[] = [];
  await runBam(resolveConfig(model, bamDir, hparams), getKernels(), (l) => lines.push(l));
  return lines;
}

describe('runs beyond the debug recipe', { skip }, () => {
  let bamDir = '';
  before(() => {
    bamDir = makeBamDir();
  });
  after(() => rmSync(bamDir, { recursive: true, force: true }));

  test('without debug and without weights in pretrained_models/<name>/, the run stops saying where to put them', async () => {
    await assert.rejects(run(bamDir, 'rte-model', { task_names: ['rte'], pretrained_model_name: 'tiny' }), (e: unknown) => {
      assert.ok(e instanceof BamError);
      assert.match(e.message, /pretrained_models\/tiny: no model found; expected Google's layout \(bert_config\.json \+ bert_model\.ckpt\.index\/\.data-\*\) or Hugging Face's/);
      return true;
    });
    await assert.rejects(run(bamDir, 'rte-model', { task_names: ['rte'] }), /pretrained model folder .*pretrained_models\/uncased_L-12_H-768_A-12 not found; put Google's BERT files/);
  });

  test("a Google TF checkpoint folder is loaded as the pretrained encoder (the original's layout)", async () => {
    // keras-bert-tiny: hidden 4, 16 positions and a 15-token vocab (so GLUE text is mostly [UNK]), on the whole RTE.
    const log = await run(bamDir, 'from-tf', {
      task_names: ['rte'], pretrained_model_dir: join(sharedDataDir, 'tf-checkpoints', 'keras-bert-tiny'), max_seq_length: 16, num_train_epochs: 1,
    });
    assert.match(log[0], /pretrained .*keras-bert-tiny/);
    const results = JSON.parse(readFileSync(join(bamDir, 'models', 'from-tf', 'results.json'), 'utf8')) as { trials: { results: { rte: { accuracy: number } } }[] };
    assert.ok(results.trials[0].results.rte.accuracy >= 0);
  });

  test("a Hugging Face folder (config.json, model.safetensors, vocab.txt) is loaded as the pretrained encoder", async () => {
    const hf = join(bamDir, 'pretrained_models', 'hf-tiny');
    mkdirSync(hf);
    for (const f of ['config.json', 'model.safetensors']) symlinkSync(join(sharedDataDir, 'goldens', 'hf-tiny-random', f), join(hf, f));
    symlinkSync(join(sharedDataDir, 'vocab', 'bert-base-uncased', 'vocab.txt'), join(hf, 'vocab.txt'));
    const log = await run(bamDir, 'from-hf', { task_names: ['rte'], pretrained_model_name: 'hf-tiny', max_seq_length: 32, num_train_epochs: 0.05 });
    assert.match(log[0], /pretrained .*hf-tiny; /);
  });

  test('trials: two seeded trials, mean and sample standard deviation; dev evaluated during training; the last checkpoint kept', async () => {
    const log = await run(bamDir, 'trials-model', { ...TINY_RUN, task_names: ['rte'], num_trials: 2, eval_every_steps: 2, keep_checkpoints: true });
    const json = JSON.parse(readFileSync(join(bamDir, 'models', 'trials-model', 'results.json'), 'utf8')) as {
      trials: { trial: number; seed: number; results: { rte: { accuracy: number; loss: number } } }[];
      mean: { rte: { loss: number } };
      std: { rte: { loss: number } };
    };
    assert.deepEqual(json.trials.map((t) => [t.trial, t.seed]), [[1, 1], [2, 2]]);
    const [a, b] = json.trials.map((t) => t.results.rte.loss);
    assert.notEqual(a, b, 'the two seeds give different models');
    assert.ok(Math.abs(json.mean.rte.loss - (a + b) / 2) < 1e-12);
    assert.ok(Math.abs(json.std.rte.loss - Math.abs(a - b) / Math.SQRT2) < 1e-12);
    assert.equal(readFileSync(join(bamDir, 'models', 'trials-model', 'results.txt'), 'utf8').trimEnd().split('\n').length, 2);
    assert.ok(log.some((l) => /^step 2 dev: rte: accuracy: \d+\.\d\d - loss: \d+\.\d\d$/.test(l)), 'dev results logged at step 2');
    for (const trial of [1, 2]) {
      assert.ok(existsSync(join(bamDir, 'models', 'trials-model', 'checkpoints', `trial_${trial}`, 'training-state.safetensors')));
    }
  });

  test('MNLI: dev_matched and dev_mismatched are both evaluated; test_matched, test_mismatched and the diagnostic set are predicted', async () => {
    writeMnliFixture(bamDir, 12);
    await run(bamDir, 'mnli-model', { ...TINY_RUN, task_names: ['mnli'] });
    const txt = readFileSync(join(bamDir, 'models', 'mnli-model', 'results.txt'), 'utf8');
    assert.match(txt, /^mnli: accuracy: \d+\.\d\d - loss: \d+\.\d\d\nmnli-mm: accuracy: \d+\.\d\d - loss: \d+\.\d\d\n$/);
    const outputs = join(bamDir, 'models', 'mnli-model', 'outputs');
    for (const split of ['dev_matched', 'dev_mismatched', 'test_matched', 'test_mismatched', 'diagnostic']) {
      const file = JSON.parse(readFileSync(join(outputs, `mnli_${split}_predictions_1.json`), 'utf8')) as PredictionFile;
      assert.equal(Object.keys(file.predictions).length, 12, split);
      assert.deepEqual(file.label_list, ['contradiction', 'entailment', 'neutral']);
    }
    for (const name of ['MNLI-m.tsv', 'MNLI-mm.tsv', 'AX.tsv']) {
      const lines = readFileSync(join(outputs, 'glue_submission_1', name), 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, 13, name);
      for (const line of lines.slice(1)) assert.match(line, /^\d+\t(contradiction|entailment|neutral)$/);
    }
  });
});
