import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getKernels } from '../../src/engine/index.js';
import { parseRecipe } from '../../src/experiment/recipe.js';
import { runExperiment } from '../../src/experiment/run-experiment.js';
import { collectExperiment } from '../../src/report/collect.js';
import { writeReport } from '../../src/report/write-report.js';
import { makeBamDir } from '../run/fixture-bam-dir.js';
import { sharedData } from '../shared-data.js';

const skip = sharedData('glue', 'RTE', 'train.tsv').skip;
const vocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');

/**
 * The whole experiment pipeline in miniature on real GLUE rows: pretraining a 1-layer encoder for 12 steps on the
 * RTE train text, then every method (single teachers, multi-task, BAM, BAM with a fixed weight, single from random
 * initialisation) for rte and sts, one seed, 24 train rows each; the record; a rerun that trains nothing; the report.
 */
const recipe = parseRecipe({
  name: 'mini',
  pretrain: {
    model_name: 'mini-mlm',
    hparams: {
      glue_train_text: true, glue_tasks: ['rte'], vocab_file: vocab.path, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32,
      max_position_embeddings: 64, max_seq_length: 64, max_predictions_per_seq: 5, train_batch_size: 8, num_train_steps: 12,
      num_warmup_steps: 2, learning_rate: 1e-3, eval_every_steps: 0, iterations_per_loop: 4, model_storage: 'float16',
    },
  },
  tasks: ['rte', 'sts'],
  seeds: [1],
  hparams: { num_train_epochs: 1, train_batch_size: 8, max_seq_length: 64, train_max_examples: { rte: 24, sts: 24 }, write_test_outputs: false, double_unordered: false, dataset_multiples: false },
  methods: ['single', 'multi', 'bam', 'bam_fixed', 'single_random'],
}, 'miniature recipe');

describe('bam experiment in miniature', { skip }, () => {
  let bamDir = '';
  let recordDir = '';
  let encodersDir = '';
  const lines: string[] = [];
  before(async () => {
    bamDir = makeBamDir();
    recordDir = join(bamDir, 'record');
    encodersDir = join(bamDir, 'encoders');
    const outcome = await runExperiment(bamDir, recipe, { recordDir, encodersDir, kernels: getKernels(), log: (l) => lines.push(l) });
    assert.equal(outcome.interrupted, false);
  });
  after(() => rmSync(bamDir, { recursive: true, force: true }));

  test('every step runs, in order, and its outputs land in the record', () => {
    const runs = ['mini-single-rte-s1', 'mini-single-sts-s1', 'mini-multi-s1', 'mini-bam-s1', 'mini-bam_fixed-s1', 'mini-single_random-rte-s1', 'mini-single_random-sts-s1'];
    const order = lines.filter((l) => /^\[\d+\/7\] /.test(l)).map((l) => /^\[\d+\/7\] (\S+):/.exec(l)?.[1]);
    assert.deepEqual(order, runs);
    const pretrained = join(encodersDir, 'mini-mlm');
    assert.deepEqual(readdirSync(pretrained).sort(), ['config.json', 'model.safetensors', 'pretrain_results.json', 'tokenizer_config.json', 'training_log.jsonl', 'vocab.txt']);
    for (const run of runs) {
      const dir = join(recordDir, 'models', run);
      for (const file of ['results.json', 'results.txt', 'training_log.jsonl']) assert.ok(existsSync(join(dir, file)), `${run}/${file}`);
      assert.ok(!existsSync(join(dir, 'model_1')), 'trained weights stay out of the record');
    }
    // Teachers keep the train predictions their students read; multi-task and random runs write theirs too.
    assert.deepEqual(readdirSync(join(recordDir, 'models', 'mini-single-rte-s1', 'outputs')), ['rte_train_predictions_1.json']);
    // The students distilled (λ logged), the fixed-weight one without annealing (λ constant 0.5).
    const lambdas = (run: string): unknown[] => readFileSync(join(recordDir, 'models', run, 'training_log.jsonl'), 'utf8').trim().split('\n')
      .map((l) => JSON.parse(l) as { type: string; lambda?: number }).filter((r) => r.type === 'train').map((r) => r.lambda);
    assert.ok(lambdas('mini-bam-s1').every((l) => typeof l === 'number' && l >= 0 && l < 1));
    assert.ok(lambdas('mini-bam_fixed-s1').every((l) => l === 0.5));
    assert.ok(lambdas('mini-multi-s1').every((l) => l === null));
    // single_random started from random weights, the others from the pretrained encoder.
    assert.match(lines.join('\n'), /mini-single_random-rte-s1: .*random initialisation/);
    assert.match(lines.join('\n'), /mini-single-rte-s1: .*pretrained .*mini-mlm/);
  });

  test('a rerun on a fresh bam_dir trains nothing: every step is restored from the record, the report is the same', async () => {
    const report1 = join(bamDir, 'report1');
    writeReport(collectExperiment(recordDir, recipe, join(encodersDir, 'mini-mlm')), report1);
    const fresh = makeBamDir();
    try {
      const rerun: string[] = [];
      const outcome = await runExperiment(fresh, recipe, { recordDir, encodersDir, kernels: getKernels(), log: (l) => rerun.push(l) });
      assert.deepEqual(outcome.trained, []);
      assert.equal(outcome.restored.length, 8);
      // Students find their teachers' predictions in the restored bam_dir, and the encoder is the record's.
      assert.ok(existsSync(join(fresh, 'models', 'mini-single-sts-s1', 'outputs', 'sts_train_predictions_1.json')));
      assert.ok(readFileSync(join(fresh, 'pretrained_models', 'mini-mlm', 'model.safetensors')).equals(readFileSync(join(encodersDir, 'mini-mlm', 'model.safetensors'))));
      const report2 = join(fresh, 'report2');
      writeReport(collectExperiment(fresh, recipe), report2);
      assert.equal(readFileSync(join(report2, 'report.md'), 'utf8'), readFileSync(join(report1, 'report.md'), 'utf8'));
      const md = readFileSync(join(report1, 'report.md'), 'utf8');
      for (const method of ['single', 'multi', 'bam', 'bam_fixed', 'single_random']) assert.match(md, new RegExp(`\\| ${method} `));
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
