import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ort from 'onnxruntime-node';
import { loadModel, type LoadedModel } from '../../src/checkpoint/load-model.js';
import { exportModel } from '../../src/export/export-model.js';
import { ONNX_OPSET } from '../../src/export/bert-onnx.js';
import { encodePairs, runHeads } from '../../src/predict.js';
import type { EncodedInput } from '../../src/tokenization/index.js';
import { assertBamError } from '../config/assert-bam-error.js';
import { sharedData } from '../shared-data.js';
import { glueDevPairs, trainTinyModel } from './trained-model.js';

const golden = sharedData('goldens', 'hf-tiny-random');
const vocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');
const glue = sharedData('glue', 'RTE', 'dev.tsv');

/** A padded int64 batch of encoded inputs, cut to the batch's longest sequence (shorter rows padded with 0). */
function feeds(encoded: EncodedInput[]): Record<string, ort.Tensor> {
  const seq = Math.max(...encoded.map((e) => e.length));
  const tensor = (pick: (e: EncodedInput) => Int32Array): ort.Tensor =>
    new ort.Tensor('int64', BigInt64Array.from(encoded.flatMap((e) => Array.from(pick(e).subarray(0, seq))), BigInt), [encoded.length, seq]);
  return { input_ids: tensor((e) => e.inputIds), attention_mask: tensor((e) => e.inputMask), token_type_ids: tensor((e) => e.segmentIds) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const root = mkdtempSync(join(tmpdir(), 'bam-export-'));
const temp = (): string => mkdtempSync(join(root, 'case-'));

describe('bam export --format onnx, run by onnxruntime-node', { skip: golden.skip || vocab.skip || glue.skip }, () => {
  let trained: LoadedModel;
  let out = '';

  after(() => rmSync(root, { recursive: true, force: true }));
  before(async () => {
    const { modelDir } = await trainTinyModel('rte-sts-model', { task_names: ['rte', 'sts'] });
    trained = loadModel(modelDir);
    out = join(temp(), 'exported');
    exportModel(trained, { tasks: 'all', format: 'onnx', outDir: out });
  });

  test('the Hugging Face golden classifier: logits equal PyTorch\'s within 1e-5 on its 8 padded RTE pairs', async () => {
    const dir = join(temp(), 'golden');
    exportModel(loadModel(golden.path, { vocabPath: vocab.path }), { tasks: ['classifier'], format: 'onnx', outDir: dir });
    const ref = JSON.parse(readFileSync(join(golden.path, 'forward.json'), 'utf8')) as { input_ids: number[][]; attention_mask: number[][]; token_type_ids: number[][]; logits: number[][] };
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
    assert.deepEqual(session.inputNames, ['input_ids', 'attention_mask', 'token_type_ids']);
    assert.deepEqual(session.outputNames, ['logits']);
    const B = ref.input_ids.length;
    const S = ref.input_ids[0].length;
    const t = (rows: number[][]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [B, S]);
    const { logits } = await session.run({ input_ids: t(ref.input_ids), attention_mask: t(ref.attention_mask), token_type_ids: t(ref.token_type_ids) });
    assert.deepEqual(logits.dims, [B, 2]);
    const worst = maxAbsDiff(logits.data as Float32Array, ref.logits.flat());
    assert.ok(worst <= 1e-5, `max abs difference ${worst}`);
  });

  for (const [task, folder] of [['rte', 'RTE'], ['sts', 'STS-B']] as const) {
    test(`${task}: onnxruntime's logits equal bam's within 1e-4 on 24 real GLUE dev pairs, in padded batches of 1, 5 and 24`, async () => {
      // The longest sequence the model takes (64), so that the pairs differ in length and batches carry padding.
      const encoded = encodePairs(trained, glueDevPairs(folder, 24), trained.config.maxPositionEmbeddings);
      const bam = runHeads(trained, encoded, { tasks: [task] });
      const scale = trained.tasks.find((t) => t.name === task)?.scale ?? NaN;
      const expected = Array.from(bam.outputs[0], (v) => v * scale);
      const session = await ort.InferenceSession.create(join(out, task, 'onnx', 'model.onnx'));
      const C = task === 'rte' ? 2 : 1;
      for (const batch of [1, 5, 24]) {
        const got: number[] = [];
        for (let start = 0; start < encoded.length; start += batch) {
          const { logits } = await session.run(feeds(encoded.slice(start, start + batch)));
          got.push(...(logits.data as Float32Array));
        }
        const worst = maxAbsDiff(got, expected);
        assert.ok(worst <= 1e-4, `batch ${batch}: max abs difference ${worst}`);
      }
      // The batches really were padded: lengths differ within them.
      assert.ok(new Set(encoded.map((e) => e.length)).size > 5, `lengths ${encoded.map((e) => e.length).join(" ")}`);
      // Regression logits are STS-B scores (bam's head regresses score / 5).
      if (task === 'sts') assert.ok(expected.every((v, i) => Math.abs(v - 5 * bam.outputs[0][i]) < 1e-6));
      assert.equal(expected.length, 24 * C);
    });
  }

  test('the folder: Hugging Face files, id2label/label2id, problem_type, opset 17 in the ONNX file', () => {
    assert.deepEqual(readdirSync(out).sort(), ['rte', 'sts']);
    const files = readdirSync(join(out, 'rte')).sort();
    assert.deepEqual(files, ['config.json', 'model.safetensors', 'onnx', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const rte = JSON.parse(readFileSync(join(out, 'rte', 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(rte.architectures, ['BertForSequenceClassification']);
    assert.deepEqual(rte.id2label, { 0: 'entailment', 1: 'not_entailment' });
    assert.deepEqual(rte.label2id, { entailment: 0, not_entailment: 1 });
    assert.equal(rte.problem_type, 'single_label_classification');
    const sts = JSON.parse(readFileSync(join(out, 'sts', 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(sts.problem_type, 'regression');
    // ModelProto.opset_import (field 8) = { domain "" (field 1), version 17 (field 2) }: bytes 42 04 0a 00 10 11 at the end.
    const onnx = readFileSync(join(out, 'rte', 'onnx', 'model.onnx'));
    assert.deepEqual([...onnx.subarray(onnx.length - 6)], [0x42, 0x04, 0x0a, 0x00, 0x10, ONNX_OPSET]);
    // The Hugging Face folder loads back into bam with the same task and head.
    const back = loadModel(join(out, 'rte'));
    assert.equal(back.kind, 'huggingface-classifier');
    assert.deepEqual(back.tasks, [{ name: 'rte', kind: 'classification', labels: ['entailment', 'not_entailment'], scale: 1 }]);
    assert.deepEqual(back.unusedTensors, []);
  });

  test('wrong requests are one-line errors and write nothing', () => {
    const dir = temp();
    const target = join(dir, 'x');
    assertBamError(() => exportModel(trained, { tasks: ['cola'], format: 'onnx', outDir: target }), 'no task "cola"', 'its tasks are rte, sts');
    assertBamError(() => exportModel(trained, { tasks: ['rte'], format: 'onnx', outDir: out }), 'exists and is not empty', 'remove it or pass another --out');
    assertBamError(() => loadModel(dir), 'no model found', "Hugging Face's (config.json + model.safetensors)");
    assert.equal(existsSync(target), false);
    assert.deepEqual(readdirSync(dir), []);
  });
});
