import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findPretrainedFiles } from '../../src/checkpoint/pretrained-files.js';
import { loadWeights } from '../../src/checkpoint/load-weights.js';
import { openCheckpoint } from '../../src/checkpoint/open-checkpoint.js';
import { openSafetensors } from '../../src/checkpoint/safetensors.js';
import { resolvePretrainHparams } from '../../src/config/pretrain-hparams.js';
import { referenceKernels } from '../../src/engine/reference.js';
import { readBertConfig } from '../../src/model/bert-config.js';
import { BertModel } from '../../src/model/bert-model.js';
import { runPretrain } from '../../src/pretrain/run-pretrain.js';
import { Rng } from '../../src/util/rng.js';
import { backends } from '../kernels-under-test.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const WORDS = ['the', 'cat', 'dog', 'sat', 'ran', 'on', 'a', 'mat', 'log', 'big', 'small', 'red', 'blue', 'home', 'fast', 'slow'];

/**
 * A bam_dir with a tiny vocab (the specials and 16 words) and a text file of 40 documents of sentences that follow
 * a simple grammar (determiner adjective noun verb on determiner noun), so a masked word is predictable from context.
 */
function makeCorpus(): { bamDir: string; textFile: string; vocab: string } {
  const bamDir = mkdtempSync(join(tmpdir(), 'bam-pretrain-'));
  const vocab = join(bamDir, 'vocab.txt');
  writeFileSync(vocab, `${['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS].join('\n')}\n`);
  const rng = new Rng(4);
  const pick = (xs: string[]): string => xs[rng.int(xs.length)];
  const documents: string[] = [];
  for (let d = 0; d < 40; d++) {
    const lines: string[] = [];
    for (let s = 0; s < 6; s++) lines.push(`the ${pick(['big', 'small', 'red', 'blue'])} ${pick(['cat', 'dog'])} ${pick(['sat', 'ran'])} on a ${pick(['mat', 'log', 'home'])} ${pick(['fast', 'slow'])}`);
    documents.push(lines.join('\n'));
  }
  const textFile = join(bamDir, 'corpus.txt');
  writeFileSync(textFile, `${documents.join('\n\n')}\n`);
  mkdirSync(join(bamDir, 'pretrained_models'));
  return { bamDir, textFile, vocab };
}

const SIZE = { hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 };

function hparams(textFile: string, vocab: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    text_files: [textFile], vocab_file: vocab, ...SIZE, max_seq_length: 32, max_predictions_per_seq: 5, train_batch_size: 8,
    num_train_steps: 60, num_warmup_steps: 6, learning_rate: 5e-3, iterations_per_loop: 10, eval_every_steps: 30,
    heldout_fraction: 0.1, seed: 3, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, ...extra,
  };
}

describe('bam pretrain', () => {
  let corpus: { bamDir: string; textFile: string; vocab: string };
  before(() => { corpus = makeCorpus(); });
  after(() => rmSync(corpus.bamDir, { recursive: true, force: true }));

  for (const backend of backends) {
    test(`${backend.name} kernels: the masked-LM loss falls, the held-out metrics and the log are written, and the model loads as a pretrained encoder`, { skip: backend.skip }, async () => {
      const name = `tiny-${backend.name}`;
      const lines: string[] = [];
      const h = resolvePretrainHparams(hparams(corpus.textFile, corpus.vocab));
      const outcome = await runPretrain(name, corpus.bamDir, h, backend.kernels!, (line) => lines.push(line));
      assert.equal(outcome.interrupted, false);
      const dir = join(corpus.bamDir, 'pretrained_models', name);
      for (const file of ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json', 'training_log.jsonl', 'pretrain_results.json']) {
        assert.ok(existsSync(join(dir, file)), `${file} missing`);
      }
      assert.ok(!existsSync(join(dir, 'checkpoints')), 'the training checkpoint is removed after the run');
      const log = readFileSync(join(dir, 'training_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const train = log.filter((r) => r.type === 'train');
      assert.deepEqual(train.map((r) => r.step), [1, 10, 20, 30, 40, 50, 60]);
      for (const r of train) {
        assert.equal(typeof r.mlm_accuracy, 'number');
        assert.equal(r.total_steps, 60);
        assert.ok(!('trial' in r) && !('task_losses' in r) && !('lambda' in r), 'pretraining records have no trial, tasks or lambda');
      }
      const evals = log.filter((r) => r.type === 'eval');
      assert.deepEqual(evals.map((r) => r.step), [30, 60]);
      const results = JSON.parse(readFileSync(join(dir, 'pretrain_results.json'), 'utf8')) as { heldout: { mlm_loss: number; mlm_accuracy: number }; steps: number };
      assert.deepEqual((evals[1] as { heldout: unknown }).heldout, results.heldout);
      // Chance is ln(21) = 3.04 for 21 tokens; the grammar makes most masked words predictable from their neighbours.
      const first = train[0].loss as number;
      assert.ok(first > 2.5, `the first step should be near chance, got ${first}`);
      assert.ok(results.heldout.mlm_loss < 0.75 * first, `held-out MLM loss ${results.heldout.mlm_loss} vs first ${first}`);
      assert.ok(results.heldout.mlm_accuracy > 0.25, `held-out MLM accuracy ${results.heldout.mlm_accuracy}`);
      assert.match(lines.join('\n'), /step 60\/60 = 100\.0%.*mean loss per masked token: \d+\.\d+, MLM accuracy: \d+\.\d+%/);

      // bam run's loader: the folder is a Hugging Face model whose encoder (and pooler) load into a task model.
      const files = findPretrainedFiles(dir);
      assert.equal(files.format, 'huggingface');
      const config = readBertConfig(files.configPath);
      assert.deepEqual([config.hiddenSize, config.numHiddenLayers, config.vocabSize], [16, 2, 21]);
      const model = new BertModel(referenceKernels, config, [{ task: 'rte', numOutputs: 2 }]);
      const source = openCheckpoint(files.weightsPath);
      const loaded = loadWeights(model.arena, source, 'huggingface');
      source.close();
      assert.ok(loaded.includes('bert/embeddings/word_embeddings') && loaded.includes('bert/pooler/dense/kernel'));
      const st = openSafetensors(files.weightsPath);
      assert.ok(st.has('cls.predictions.transform.dense.weight') && st.has('cls.predictions.bias'), 'BertForMaskedLM head names');
      st.close();
      assert.deepEqual(JSON.parse(readFileSync(files.configPath, 'utf8')).architectures, ['BertForMaskedLM']);
    });
  }

  test('init_model continues a pretrained model: its weights are the start, its config the size', async () => {
    const h = resolvePretrainHparams({ ...hparams(corpus.textFile, corpus.vocab), num_train_steps: 1, num_warmup_steps: 1, learning_rate: 1e-9, eval_every_steps: 0 });
    await runPretrain('base-for-continue', corpus.bamDir, h, referenceKernels, () => {});
    const { ...rest } = hparams(corpus.textFile, corpus.vocab);
    for (const key of Object.keys(SIZE)) delete rest[key];
    delete rest.hidden_dropout_prob;
    delete rest.attention_probs_dropout_prob;
    const cont = resolvePretrainHparams({ ...rest, vocab_file: null, init_model: 'base-for-continue', num_train_steps: 1, num_warmup_steps: 1, learning_rate: 1e-9, eval_every_steps: 0 });
    const lines: string[] = [];
    await runPretrain('continued', corpus.bamDir, cont, referenceKernels, (l) => lines.push(l));
    assert.match(lines.join('\n'), /continuing .*base-for-continue/);
    const a = openSafetensors(join(corpus.bamDir, 'pretrained_models', 'base-for-continue', 'model.safetensors'));
    const b = openSafetensors(join(corpus.bamDir, 'pretrained_models', 'continued', 'model.safetensors'));
    // One step at lr 1e-9 (the first, with warmup, has lr 0) leaves the weights as they were.
    assert.deepEqual(b.readFloat32('bert.embeddings.word_embeddings.weight'), a.readFloat32('bert.embeddings.word_embeddings.weight'));
    a.close();
    b.close();
    assert.throws(() => resolvePretrainHparams({ text_files: ['x'], init_model: 'base', hidden_size: 64 }), /"hidden_size" sets the size of a new model, but "init_model" continues one/);
  });

  test('killed with SIGKILL mid-run, then rerun: resumes from the last checkpoint to bitwise the same model', async () => {
    const json = JSON.stringify(hparams(corpus.textFile, corpus.vocab, { save_checkpoints_steps: 5, iterations_per_loop: 1, num_train_steps: 40 }));
    const run = (name: string): { status: number | null; stderr: string } => {
      const r = spawnSync(process.execPath, [cli, 'pretrain', name, corpus.bamDir, json], { encoding: 'utf8' });
      return { status: r.status, stderr: r.stderr };
    };
    const whole = run('whole');
    assert.equal(whole.status, 0, whole.stderr);
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [cli, 'pretrain', 'killed', corpus.bamDir, json], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        if (/^step 1[2-9]\//m.test(stderr)) child.kill('SIGKILL');
      });
      child.on('close', () => resolve());
    });
    const model = (name: string): string => join(corpus.bamDir, 'pretrained_models', name, 'model.safetensors');
    assert.ok(!existsSync(model('killed')), 'the killed run must not have finished');
    const resumed = run('killed');
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming from the checkpoint at step (10|15)\/40/);
    assert.ok(readFileSync(model('killed')).equals(readFileSync(model('whole'))), 'parameters differ from the uninterrupted run');
    const steps = (name: string): unknown[] => readFileSync(join(corpus.bamDir, 'pretrained_models', name, 'training_log.jsonl'), 'utf8')
      .trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; loss: number }).filter((r) => r.type === 'train').map((r) => [r.step, r.loss]);
    assert.deepEqual(steps('killed'), steps('whole'));
  });

  test('the model folder belongs to its pretraining: other hparams are refused, --overwrite clears it', async () => {
    const h = resolvePretrainHparams(hparams(corpus.textFile, corpus.vocab, { num_train_steps: 2, num_warmup_steps: 1, eval_every_steps: 0 }));
    await runPretrain('owned', corpus.bamDir, h, referenceKernels, () => {});
    const other = resolvePretrainHparams(hparams(corpus.textFile, corpus.vocab, { num_train_steps: 2, num_warmup_steps: 1, eval_every_steps: 0, seed: 9 }));
    await assert.rejects(runPretrain('owned', corpus.bamDir, other, referenceKernels, () => {}), /owned holds another run's outputs/);
    const outcome = await runPretrain('owned', corpus.bamDir, other, referenceKernels, () => {}, undefined, { overwrite: true });
    assert.equal(outcome.interrupted, false);
    assert.equal((JSON.parse(readFileSync(join(corpus.bamDir, 'pretrained_models', 'owned', 'pretrain_results.json'), 'utf8')) as { hparams: { seed: number } }).hparams.seed, 9);
  });

  test('bad hparams are one-line errors before any work', () => {
    assert.throws(() => resolvePretrainHparams({ glue_train_text: true, num_train_step: 5 }), /"num_train_step" is not a bam pretrain hparam \(did you mean "num_train_steps"\?\)/);
    assert.throws(() => resolvePretrainHparams({}), /no pretraining text: set "text_files"/);
    assert.throws(() => resolvePretrainHparams({ glue_train_text: true, hidden_size: 100, num_attention_heads: 3 }), /num_attention_heads 3 must divide hidden_size 100/);
    assert.throws(() => resolvePretrainHparams({ glue_train_text: true, masked_lm_prob: 0 }), /"masked_lm_prob" must be a number in \(0, 1\], got 0/);
    assert.throws(() => resolvePretrainHparams({ glue_train_text: true, glue_tasks: ['rtee'] }), /"glue_tasks" must be null or a list of tasks from/);
    const r = spawnSync(process.execPath, [cli, 'pretrain', 'x', corpus.bamDir, '{"text_files": ["/nonexistent.txt"], "vocab_file": "/nonexistent/vocab.txt"}'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^bam: \/nonexistent\/vocab\.txt: vocab not found; set "vocab_file"/m);
  });
});
