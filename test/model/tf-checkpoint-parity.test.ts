import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadWeights } from '../../src/checkpoint/load-weights.js';
import { openTfCheckpoint } from '../../src/checkpoint/tf/tensor-bundle.js';
import { BamError } from '../../src/errors.js';
import { readBertConfig } from '../../src/model/bert-config.js';
import { BertModel } from '../../src/model/bert-model.js';
import { backends } from '../kernels-under-test.js';
import { sharedData } from '../shared-data.js';

const checkpointDir = sharedData('tf-checkpoints', 'keras-bert-tiny');
const golden = sharedData('goldens', 'keras-bert-forward');
const skip = checkpointDir.skip || golden.skip;

interface Forward {
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask: number[][];
  last_hidden_state: number[][][];
  pooler_output: number[][];
}

describe('a Google BERT TF checkpoint (keras-bert-tiny) loads and matches Hugging Face on it (keras-bert-forward)', () => {
  for (const backend of backends) {
    test(`${backend.name} kernels: last_hidden_state and pooler_output within 1e-5, training and inference paths`, { skip: skip || backend.skip }, () => {
      const ref = JSON.parse(readFileSync(join(golden.path, 'forward.json'), 'utf8')) as Forward;
      const config = readBertConfig(join(checkpointDir.path, 'bert_config.json'));
      const model = new BertModel(backend.kernels!, config, []);
      const checkpoint = openTfCheckpoint(join(checkpointDir.path, 'bert_model.ckpt'));
      // Adam slots, global_step and pretraining heads are in the file and must be skipped.
      assert.ok(checkpoint.has('bert/embeddings/word_embeddings/adam_m') && checkpoint.has('global_step'));
      const loaded = loadWeights(model.arena, checkpoint, 'tensorflow');
      checkpoint.close();
      assert.equal(loaded.length, model.arena.parameters.length);

      const batch = ref.input_ids.length;
      const seq = ref.input_ids[0].length;
      const inputs = {
        batch, seq,
        inputIds: Int32Array.from(ref.input_ids.flat()),
        segmentIds: Int32Array.from(ref.token_type_ids.flat()),
        inputMask: Float32Array.from(ref.attention_mask.flat()),
      };
      const k = backend.kernels!;
      for (const path of ['forward', 'infer'] as const) {
        const outputs = k.allocFloat(batch);
        if (path === 'forward') model.forward(inputs, new Int32Array(batch), false, 0, outputs);
        else model.infer(inputs, new Int32Array(batch), outputs, true);
        const pooled = k.download(model.heads.pooled());
        const hidden = k.download(model.encoder.sequenceOutput());
        const H = config.hiddenSize;
        let worst = 0;
        ref.last_hidden_state.forEach((rows, b) => rows.forEach((row, j) => {
          if (ref.attention_mask[b][j] !== 1) return;
          row.forEach((v, h) => { worst = Math.max(worst, Math.abs(hidden[(b * seq + j) * H + h] - v)); });
        }));
        ref.pooler_output.forEach((row, b) => row.forEach((v, h) => { worst = Math.max(worst, Math.abs(pooled[b * H + h] - v)); }));
        assert.ok(worst <= 1e-5, `${path}: max abs error ${worst}`);
      }
    });
  }
});

describe('a checkpoint that does not match the config is refused in one line', () => {
  test('too many layers in the config: the first missing tensor is named, with its shape and the count of the others', { skip }, () => {
    const config = { ...readBertConfig(join(checkpointDir.path, 'bert_config.json')), numHiddenLayers: 3 };
    const model = new BertModel(backends[0].kernels!, config, []);
    const checkpoint = openTfCheckpoint(join(checkpointDir.path, 'bert_model.ckpt'));
    assert.throws(() => loadWeights(model.arena, checkpoint, 'tensorflow'), (e: unknown) => {
      assert.ok(e instanceof BamError);
      assert.match(e.message, /missing tensor bert\/encoder\/layer_2\/attention\/self\/query\/kernel \(expected shape \[4, ?4\]\) and 15 more/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    checkpoint.close();
  });

  test('another hidden size: the tensor with the wrong shape is named with both shapes', { skip }, () => {
    const config = { ...readBertConfig(join(checkpointDir.path, 'bert_config.json')), intermediateSize: 8 };
    const model = new BertModel(backends[0].kernels!, config, []);
    const checkpoint = openTfCheckpoint(join(checkpointDir.path, 'bert_model.ckpt'));
    assert.throws(() => loadWeights(model.arena, checkpoint, 'tensorflow'),
      /tensor bert\/encoder\/layer_0\/intermediate\/dense\/kernel has shape \[4, ?16\], expected \[4, ?8\]/);
    checkpoint.close();
  });

  test('a checkpoint copied without its data file is refused with the missing shard named', { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bam-ckpt-'));
    for (const f of readdirSync(checkpointDir.path)) if (f.endsWith('.index')) copyFileSync(join(checkpointDir.path, f), join(dir, f));
    writeFileSync(join(dir, 'bert_config.json'), readFileSync(join(checkpointDir.path, 'bert_config.json')));
    assert.throws(() => {
      const checkpoint = openTfCheckpoint(join(dir, 'bert_model.ckpt'));
      const model = new BertModel(backends[0].kernels!, readBertConfig(join(dir, 'bert_config.json')), []);
      loadWeights(model.arena, checkpoint, 'tensorflow');
    }, /data-00000-of-00001/);
  });
});
