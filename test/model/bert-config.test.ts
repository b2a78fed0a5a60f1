import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BamError } from '../../src/errors.js';
import { bertConfigToJson, parseBertConfig } from '../../src/model/bert-config.js';

const BASE = {
  vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072,
  hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 512,
  type_vocab_size: 2, initializer_range: 0.02,
};

test('a Google bert_config.json is read field by field; absent fields take google-research/bert defaults', () => {
  const c = parseBertConfig(BASE, 'bert_config.json');
  assert.deepEqual(
    [c.vocabSize, c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.intermediateSize, c.maxPositionEmbeddings, c.typeVocabSize, c.layerNormEps],
    [30522, 768, 12, 12, 3072, 512, 2, 1e-12],
  );
  const minimal = parseBertConfig({ vocab_size: 100 }, 'x.json');
  assert.equal(minimal.typeVocabSize, 16);
  assert.equal(minimal.hiddenSize, 768);
  assert.deepEqual(parseBertConfig(bertConfigToJson(c), 'round trip'), c);
});

test('Hugging Face config.json extras are accepted (layer_norm_eps read, unrelated keys ignored)', () => {
  const c = parseBertConfig({ ...BASE, layer_norm_eps: 1e-5, model_type: 'bert', architectures: ['BertForSequenceClassification'] }, 'config.json');
  assert.equal(c.layerNormEps, 1e-5);
});

test('configs bam cannot run exactly are refused in one line naming the file and the key', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...BASE, vocab_size: undefined }, /^config\.json: missing "vocab_size"/],
    [{ ...BASE, hidden_size: 100 }, /^config\.json: hidden_size 100 is not a multiple of num_attention_heads 12$/],
    [{ ...BASE, hidden_act: 'gelu_new' }, /^config\.json: hidden_act "gelu_new" is not supported/],
    [{ ...BASE, position_embedding_type: 'relative_key' }, /^config\.json: position_embedding_type "relative_key" is not supported/],
    [{ ...BASE, num_hidden_layers: '12' }, /^config\.json: "num_hidden_layers" must be a number, got "12"$/],
    [{ ...BASE, hidden_dropout_prob: 1 }, /^config\.json: hiddenDropoutProb must be in \[0, 1\), got 1$/],
  ];
  for (const [json, message] of cases) {
    assert.throws(() => parseBertConfig(json, 'config.json'), (e: unknown) => e instanceof BamError && message.test(e.message));
  }
});
