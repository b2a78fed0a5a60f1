import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AutoModelForSequenceClassification, AutoTokenizer, env, pipeline } from '@huggingface/transformers';
import { loadModel, type LoadedModel } from '../../src/checkpoint/load-model.js';
import { exportModel } from '../../src/export/export-model.js';
import { encodePairs, predict } from '../../src/predict.js';
import { FullTokenizer } from '../../src/tokenization/index.js';
import { sharedData } from '../shared-data.js';
import { glueDevPairs, trainTinyModel } from './trained-model.js';

const sentences = sharedData('tokenization', 'sentences.json');
const vocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');
const glue = sharedData('glue', 'RTE', 'dev.tsv');

// Local files only: nothing may come from the Hugging Face hub.
env.allowRemoteModels = false;

describe('transformers.js loads bam\'s export from disk', { skip: sentences.skip || vocab.skip || glue.skip }, () => {
  const root = mkdtempSync(join(tmpdir(), 'bam-tjs-'));
  let trained: LoadedModel;
  after(() => rmSync(root, { recursive: true, force: true }));

  before(async () => {
    const { modelDir } = await trainTinyModel('rte-sts-model', { task_names: ['rte', 'sts'] });
    trained = loadModel(modelDir);
    exportModel(trained, { tasks: 'all', format: 'onnx', outDir: join(root, 'models') });
    env.localModelPath = join(root, 'models');
  });

  test('its tokenizer gives bam\'s ids on all 8436 tokenization-golden strings, text pairs and token types included', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained('rte', { local_files_only: true });
    const bam = FullTokenizer.fromVocabFile(vocab.path, true);
    const texts = JSON.parse(readFileSync(sentences.path, 'utf8')) as string[];
    const mismatches = texts.filter((text) => {
      const ids = tokenizer(text, { add_special_tokens: false }).input_ids.tolist()[0].map(Number);
      return JSON.stringify(ids) !== JSON.stringify(bam.convertTokensToIds(bam.tokenize(text)));
    });
    assert.deepEqual(mismatches, []);
    const pair = tokenizer('A cat sat.', { text_pair: 'It sits.' });
    assert.deepEqual(pair.input_ids.tolist()[0].map(Number), [101, 1037, 4937, 2938, 1012, 102, 2009, 7719, 1012, 102]);
    assert.deepEqual(pair.token_type_ids?.tolist()[0].map(Number), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  test('the text-classification pipeline gives bam predict\'s labels and probabilities (1e-4) on 16 RTE dev sentences', async () => {
    const texts = glueDevPairs('RTE', 16).map((p) => p.textB);
    const classify = await pipeline('text-classification', 'rte', { local_files_only: true, dtype: 'fp32' });
    const got = (await classify(texts)) as { label: string; score: number }[];
    const expected = predict(trained, texts.map((textA) => ({ textA, textB: null })), { tasks: ['rte'], maxLength: 64 }).map((p) => p.tasks.rte);
    assert.deepEqual(got.map((g) => g.label), expected.map((e) => e.label));
    got.forEach((g, i) => assert.ok(Math.abs(g.score - (expected[i].probabilities?.[g.label] ?? NaN)) <= 1e-4, `${g.score} vs ${JSON.stringify(expected[i])}`));
  });

  test('STS-B dev pairs through its tokenizer and model (padded batch): RTE labels and STS-B scores equal bam predict\'s (1e-4)', async () => {
    // Pairs that fit the model's 64 positions: transformers.js truncates a too-long pair from the right, BAM the longer text.
    const pairs = glueDevPairs('STS-B', 12);
    const maxLength = trained.config.maxPositionEmbeddings;
    const expected = predict(trained, pairs, { tasks: ['rte', 'sts'], maxLength });
    assert.ok(encodePairs(trained, pairs, maxLength).every((e) => e.length < maxLength));
    const tokenizer = await AutoTokenizer.from_pretrained('rte', { local_files_only: true });
    const inputs = tokenizer(pairs.map((p) => p.textA), { text_pair: pairs.map((p) => p.textB), padding: true, truncation: true });
    for (const task of ['rte', 'sts'] as const) {
      const model = await AutoModelForSequenceClassification.from_pretrained(task, { local_files_only: true, dtype: 'fp32' });
      const logits = (await model(inputs)).logits.tolist() as number[][];
      logits.forEach((row, i) => {
        const e = expected[i].tasks[task];
        if (task === 'rte') {
          assert.equal(trained.tasks[0].labels[row[0] >= row[1] ? 0 : 1], e.label);
          const p = e.probabilities ?? {};
          const margin = Math.log(p.entailment / p.not_entailment);
          assert.ok(Math.abs(row[0] - row[1] - margin) <= 1e-4, `logit margin ${row[0] - row[1]} vs ${margin}`);
        } else {
          assert.ok(Math.abs(row[0] - (e.score ?? NaN)) <= 1e-4, `${row[0]} vs ${e.score}`);
        }
      });
    }
  });
});
