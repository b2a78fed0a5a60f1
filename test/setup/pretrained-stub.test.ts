import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseBertConfig } from '../../src/model/bert-config.js';
import { applyPretrainedStub, planPretrainedStub } from '../../src/setup/pretrained-stub.js';
import { assertBamError } from '../config/assert-bam-error.js';
import { sharedData } from '../shared-data.js';
import { temporaryFolder, writeTree } from './glue-fixture.js';

const uncasedVocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');
const scratch = temporaryFolder('pretrained-stub');
after(scratch.cleanup);

/** google-research/bert's uncased_L-12_H-768_A-12/bert_config.json, as released. */
const RELEASED_BERT_BASE_UNCASED = {
  attention_probs_dropout_prob: 0.1,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  hidden_size: 768,
  initializer_range: 0.02,
  intermediate_size: 3072,
  max_position_embeddings: 512,
  num_attention_heads: 12,
  num_hidden_layers: 12,
  type_vocab_size: 2,
  vocab_size: 30522,
};

describe('the pretrained-model stub of the debug recipe', { skip: uncasedVocab.skip }, () => {
  test('links vocab.txt and writes the released BERT-base config with vocab_size 30522', () => {
    const bamDir = join(scratch.dir, 'uncased');
    const result = applyPretrainedStub(planPretrainedStub(uncasedVocab.path, 'uncased_L-12_H-768_A-12'), bamDir, { copy: false, force: false });
    const modelDir = join(bamDir, 'pretrained_models', 'uncased_L-12_H-768_A-12');
    assert.deepEqual(readdirSync(modelDir).sort(), ['bert_config.json', 'vocab.txt']);
    assert.equal(readlinkSync(join(modelDir, 'vocab.txt')), uncasedVocab.path);
    const text = readFileSync(join(modelDir, 'bert_config.json'), 'utf8');
    assert.deepEqual(JSON.parse(text), RELEASED_BERT_BASE_UNCASED);
    assert.deepEqual(Object.keys(JSON.parse(text)), Object.keys(RELEASED_BERT_BASE_UNCASED));
    assert.ok(text.endsWith('}\n'));
    assert.equal(result.config, 'written');
    assert.equal(result.vocab.action, 'linked');
    assert.equal(result.configVocabSize, 30522);

    // The model code reads it as BERT-base.
    const config = parseBertConfig(JSON.parse(text), 'bert_config.json');
    assert.equal(config.vocabSize, 30522);
    assert.equal(config.hiddenSize, 768);
    assert.equal(config.typeVocabSize, 2);
  });

  test('a second run keeps what is there; an existing bert_config.json is never rewritten', () => {
    const bamDir = join(scratch.dir, 'kept');
    const own = '{"vocab_size": 28996, "hidden_size": 1024}\n';
    writeTree(bamDir, { 'pretrained_models/mine/bert_config.json': own });
    const plan = planPretrainedStub(uncasedVocab.path, 'mine');
    for (let run = 0; run < 2; run++) {
      const result = applyPretrainedStub(plan, bamDir, { copy: true, force: true });
      assert.equal(result.config, 'kept');
      assert.equal(result.configVocabSize, 28996);
      assert.equal(result.vocab.action, run === 0 ? 'copied' : 'unchanged');
    }
    const modelDir = join(bamDir, 'pretrained_models', 'mine');
    assert.equal(readFileSync(join(modelDir, 'bert_config.json'), 'utf8'), own);
    assert.ok(lstatSync(join(modelDir, 'vocab.txt')).isFile());
    assert.ok(readFileSync(join(modelDir, 'vocab.txt')).equals(readFileSync(uncasedVocab.path)));
  });
});

describe('planPretrainedStub', () => {
  test('vocab_size is the line count, a last line without a newline included', () => {
    const vocab = join(scratch.dir, 'tiny-vocab.txt');
    writeTree(scratch.dir, { 'tiny-vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello' });
    const plan = planPretrainedStub(vocab, 'tiny');
    assert.equal(plan.vocabSize, 5);
    assert.deepEqual(plan.vocab, { source: vocab, dest: 'pretrained_models/tiny/vocab.txt' });
    const bamDir = join(scratch.dir, 'tiny');
    applyPretrainedStub(plan, bamDir, { copy: false, force: false });
    const written = JSON.parse(readFileSync(join(bamDir, 'pretrained_models/tiny/bert_config.json'), 'utf8'));
    assert.equal(written.vocab_size, 5);
  });

  test('rejects a missing or empty vocab and a model name that is not a folder name', () => {
    const missing = join(scratch.dir, 'no-vocab.txt');
    assertBamError(() => planPretrainedStub(missing, 'x'), missing, 'vocab file not found', '--vocab');
    writeTree(scratch.dir, { 'empty-vocab.txt': '' });
    assertBamError(() => planPretrainedStub(join(scratch.dir, 'empty-vocab.txt'), 'x'), 'empty-vocab.txt', 'is empty');
    for (const name of ['a/b', '..', '']) {
      assertBamError(() => planPretrainedStub(missing, name), '--pretrained-model-name', 'not a folder name');
    }
  });
});
