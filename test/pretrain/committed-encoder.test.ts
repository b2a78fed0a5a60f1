import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { float32ToHalfBits } from '../../src/checkpoint/float16.js';
import { loadModel } from '../../src/checkpoint/load-model.js';
import { loadWeights } from '../../src/checkpoint/load-weights.js';
import { findPretrainedFiles } from '../../src/checkpoint/pretrained-files.js';
import { openSafetensors } from '../../src/checkpoint/safetensors.js';
import { referenceKernels } from '../../src/engine/reference.js';
import { readRecipe } from '../../src/experiment/recipe.js';
import { readBertConfig } from '../../src/model/bert-config.js';
import { BertModel } from '../../src/model/bert-model.js';
import { predict } from '../../src/predict.js';

/** The encoder the README's main job fine-tunes from, committed by `bam experiment` with the committed recipe. */
const DIR = 'pretrained/bam-small-mlm';

test('the committed encoder is what the recipe asks for, stored as float16 in under 20 MB, with its log and held-out result', () => {
  const recipe = readRecipe('experiments/glue-small.json');
  const h = recipe.pretrain?.hparams as Record<string, number>;
  const config = readBertConfig(join(DIR, 'config.json'));
  assert.deepEqual([config.hiddenSize, config.numHiddenLayers, config.numAttentionHeads, config.intermediateSize, config.maxPositionEmbeddings],
    [h.hidden_size, h.num_hidden_layers, h.num_attention_heads, h.intermediate_size, h.max_position_embeddings]);
  assert.deepEqual(JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')).architectures, ['BertForMaskedLM']);
  assert.ok(statSync(join(DIR, 'model.safetensors')).size <= 20 * 2 ** 20);
  const file = openSafetensors(join(DIR, 'model.safetensors'));
  for (const info of file.list()) assert.equal(info.dtype, 'float16', info.name);
  file.close();
  const results = JSON.parse(readFileSync(join(DIR, 'pretrain_results.json'), 'utf8')) as { steps: number; heldout: { mlm_loss: number; mlm_accuracy: number } };
  assert.equal(results.steps, h.num_train_steps);
  const log = readFileSync(join(DIR, 'training_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; heldout?: unknown });
  const lastEval = log.filter((r) => r.type === 'eval').at(-1);
  assert.deepEqual(lastEval?.heldout, results.heldout);
  assert.equal(lastEval?.step, h.num_train_steps);
  assert.ok(results.heldout.mlm_accuracy > 0 && results.heldout.mlm_loss < Math.log(30522), 'the held-out loss is below chance');
});

test('the committed encoder loads as bam run loads a pretrained model, and through loadModel / predict', () => {
  const files = findPretrainedFiles(DIR);
  assert.equal(files.format, 'huggingface');
  const model = new BertModel(referenceKernels, readBertConfig(files.configPath), [{ task: 'sst', numOutputs: 2 }]);
  const source = openSafetensors(files.weightsPath);
  const loaded = loadWeights(model.arena, source, 'huggingface');
  const stored = source.readFloat32('bert.encoder.layer.0.output.dense.weight');
  source.close();
  assert.equal(loaded.length, model.arena.parameters.length - 2, 'every encoder tensor loads (the task head starts fresh)');
  // A loaded value is its stored half, exactly.
  const p = model.arena.get('bert/encoder/layer_0/output/dense/kernel');
  const value = model.arena.read(p);
  const [inDim, outDim] = p.shape;
  assert.equal(value[1 * outDim + 2], stored[2 * inDim + 1]);
  // Every loaded value is a half: converting it to half bits and back is exact.
  const halves = new Float32Array(1);
  for (let i = 0; i < value.length; i += 101) {
    const bits = float32ToHalfBits(value[i]);
    const sign = bits & 0x8000 ? -1 : 1;
    const e = (bits >> 10) & 0x1f;
    const f = bits & 0x3ff;
    halves[0] = e === 0 ? sign * f * 2 ** -24 : sign * (1 + f / 1024) * 2 ** (e - 15);
    assert.equal(halves[0], value[i]);
  }
  const m = loadModel(DIR, { kernels: referenceKernels });
  assert.equal(m.kind, 'huggingface-encoder');
  assert.ok(m.unusedTensors.some((t) => t.startsWith('cls.predictions.')), 'the masked-LM head is reported as unused, not dropped silently');
  const [out] = predict(m, [{ textA: 'a fine film .', textB: null }], { pooled: true });
  assert.equal(out.pooled_output?.length, 128);
  assert.ok(out.pooled_output?.every((v) => Number.isFinite(v)));
});
