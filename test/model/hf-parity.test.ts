import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadWeights } from '../../src/checkpoint/load-weights.js';
import { openSafetensors } from '../../src/checkpoint/safetensors.js';
import { readBertConfig } from '../../src/model/bert-config.js';
import { BertModel } from '../../src/model/bert-model.js';
import { backends } from '../kernels-under-test.js';
import { sharedData } from '../shared-data.js';

const golden = sharedData('goldens', 'hf-tiny-random');

interface Forward {
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask: number[][];
  embedding_output: number[][][];
  last_hidden_state: number[][][];
  pooler_output: number[][];
  logits: number[][];
}

/** Largest |ours − reference| over the positions whose attention mask is 1. */
function maxErrorOnTokens(ours: Float32Array, ref: number[][][], mask: number[][]): number {
  const seq = mask[0].length;
  const H = ref[0][0].length;
  let worst = 0;
  ref.forEach((rows, b) => rows.forEach((row, j) => {
    if (mask[b][j] !== 1) return;
    row.forEach((v, h) => { worst = Math.max(worst, Math.abs(ours[(b * seq + j) * H + h] - v)); });
  }));
  return worst;
}

function maxError(ours: Float32Array, ref: number[][], stride: number): number {
  let worst = 0;
  ref.forEach((row, b) => row.forEach((v, h) => { worst = Math.max(worst, Math.abs(ours[b * stride + h] - v)); }));
  return worst;
}

const TOLERANCE = 1e-5;

describe('BERT forward matches Hugging Face BertForSequenceClassification (hf-tiny-random, eval mode)', () => {
  for (const backend of backends) {
    for (const path of ['forward', 'infer'] as const) {
      test(`${backend.name} kernels, ${path}: embeddings, last_hidden_state, pooler_output, logits within ${TOLERANCE}`, { skip: golden.skip || backend.skip }, () => {
        const ref = JSON.parse(readFileSync(join(golden.path, 'forward.json'), 'utf8')) as Forward;
        const config = readBertConfig(join(golden.path, 'config.json'));
        const model = new BertModel(backend.kernels!, config, [{ task: 'classifier', numOutputs: 2 }]);
        const source = openSafetensors(join(golden.path, 'model.safetensors'));
        const loaded = loadWeights(model.arena, source, 'huggingface', { headSources: { classifier: 'classifier' } });
        source.close();
        assert.equal(loaded.length, model.arena.parameters.length);

        const batch = ref.input_ids.length;
        const inputs = {
          batch,
          seq: ref.input_ids[0].length,
          inputIds: Int32Array.from(ref.input_ids.flat()),
          segmentIds: Int32Array.from(ref.token_type_ids.flat()),
          inputMask: Float32Array.from(ref.attention_mask.flat()),
        };
        const k = backend.kernels!;
        const logits = k.allocFloat(batch * model.heads.maxOutputs);
        if (path === 'forward') model.forward(inputs, new Int32Array(batch), false, 0, logits);
        else model.infer(inputs, new Int32Array(batch), logits, true);
        const pooled = k.download(model.heads.pooled());

        const errors = {
          embedding_output: maxErrorOnTokens(k.download(model.encoder.embeddingOutput()), ref.embedding_output, ref.attention_mask),
          last_hidden_state: maxErrorOnTokens(k.download(model.encoder.sequenceOutput()), ref.last_hidden_state, ref.attention_mask),
          pooler_output: maxError(pooled, ref.pooler_output, config.hiddenSize),
          logits: maxError(k.download(logits), ref.logits, model.heads.maxOutputs),
        };
        if (path === 'infer') {
          // The [CLS]-rows-only last layer gives the same pooler output and logits.
          model.infer(inputs, new Int32Array(batch), logits);
          errors.pooler_output = Math.max(errors.pooler_output, maxError(k.download(model.heads.pooled()), ref.pooler_output, config.hiddenSize));
          errors.logits = Math.max(errors.logits, maxError(k.download(logits), ref.logits, model.heads.maxOutputs));
        }
        for (const [name, error] of Object.entries(errors)) assert.ok(error <= TOLERANCE, `${name}: max abs error ${error} > ${TOLERANCE}`);
      });
    }
  }
});
