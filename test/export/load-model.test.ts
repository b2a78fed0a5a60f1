import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadModel, unusedTensorsNote } from '../../src/checkpoint/load-model.js';
import { openSafetensors, writeSafetensors, type Float32Tensor } from '../../src/checkpoint/safetensors.js';
import { getTask } from '../../src/data/tasks.js';
import { predict } from '../../src/predict.js';
import { saveTrainedModel } from '../../src/run/save-model.js';
import { assertBamError } from '../config/assert-bam-error.js';
import { sharedData } from '../shared-data.js';
import { glueDevPairs, trainTinyModel } from './trained-model.js';

const golden = sharedData('goldens', 'hf-tiny-random');
const vocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');
const tf = sharedData('tf-checkpoints', 'keras-bert-tiny');

function copyFolder(from: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) copyFileSync(join(from, f), join(to, f));
  return to;
}

function tensors(path: string): Float32Tensor[] {
  const file = openSafetensors(path);
  try {
    return file.list().map((t) => ({ name: t.name, shape: t.shape, data: file.readFloat32(t.name) }));
  } finally {
    file.close();
  }
}

describe('loadModel: every model folder bam meets, never silently wrong', { skip: golden.skip || vocab.skip || tf.skip }, () => {
  const root = mkdtempSync(join(tmpdir(), 'bam-load-'));
  let modelDir = '';
  after(() => rmSync(root, { recursive: true, force: true }));
  before(async () => {
    ({ modelDir } = await trainTinyModel('rte-sts-model', { task_names: ['rte', 'sts'] }));
  });

  test('a bam model: its tasks, labels, regression scale, trained length and casing, every tensor used', () => {
    const m = loadModel(modelDir);
    assert.equal(m.kind, 'bam');
    assert.deepEqual(m.tasks, [
      { name: 'rte', kind: 'classification', labels: ['entailment', 'not_entailment'], scale: 1 },
      { name: 'sts', kind: 'regression', labels: [], scale: 5 },
    ]);
    assert.equal(m.maxSeqLength, 32);
    assert.equal(m.doLowerCase, true);
    assert.deepEqual(m.unusedTensors, []);
    assert.equal(unusedTensorsNote(m), null);
  });

  test('saved, reloaded and predicted: bit-identical outputs', () => {
    const first = loadModel(modelDir);
    const pairs = glueDevPairs('RTE', 8);
    const options = { logits: true, pooled: true, hidden: true };
    const before = predict(first, pairs, options);
    const again = join(root, 'resaved');
    saveTrainedModel(again, first.model, [getTask('rte'), getTask('sts')], first.vocabPath, first.doLowerCase, first.maxSeqLength);
    assert.deepEqual(predict(loadModel(again), pairs, options), before);
  });

  test('the Hugging Face golden classifier through loadModel: logits equal PyTorch\'s within 1e-5 (the head is loaded)', () => {
    const m = loadModel(golden.path, { vocabPath: vocab.path });
    assert.equal(m.kind, 'huggingface-classifier');
    assert.deepEqual(m.tasks, [{ name: 'classifier', kind: 'classification', labels: ['LABEL_0', 'LABEL_1'], scale: 1 }]);
    const ref = JSON.parse(readFileSync(join(golden.path, 'forward.json'), 'utf8')) as { pairs: [string, string][]; logits: number[][] };
    const out = predict(m, ref.pairs.map(([textA, textB]) => ({ textA, textB })), { maxLength: 48, logits: true });
    const worst = Math.max(...out.flatMap((p, i) => (p.tasks.classifier.logits ?? []).map((v, j) => Math.abs(v - ref.logits[i][j]))));
    assert.ok(worst <= 1e-5, `max abs error ${worst}`);
  });

  test('a head the folder declares and the file lacks is an error naming the tensor', () => {
    const bamCopy = copyFolder(modelDir, join(root, 'no-head'));
    writeSafetensors(join(bamCopy, 'model.safetensors'), tensors(join(modelDir, 'model.safetensors')).filter((t) => !t.name.startsWith('task_specific.sts.')));
    assertBamError(() => loadModel(bamCopy), 'no-head/model.safetensors: missing tensor task_specific.sts.dense.weight (expected shape [1,32]) and 1 more');
    const hfCopy = copyFolder(golden.path, join(root, 'hf-no-head'));
    writeSafetensors(join(hfCopy, 'model.safetensors'), tensors(join(golden.path, 'model.safetensors')).filter((t) => !t.name.startsWith('classifier.')));
    assertBamError(() => loadModel(hfCopy, { vocabPath: vocab.path }), 'missing tensor classifier.weight (expected shape [2,32])');
  });

  test('tensors nothing uses are listed in one line: a masked-LM head, a TF checkpoint\'s optimizer slots', () => {
    const mlm = copyFolder(golden.path, join(root, 'mlm'));
    const encoder = tensors(join(golden.path, 'model.safetensors')).filter((t) => !t.name.startsWith('classifier.'));
    writeSafetensors(join(mlm, 'model.safetensors'), [...encoder, { name: 'cls.predictions.bias', shape: [30522], data: new Float32Array(30522) }]);
    const config = JSON.parse(readFileSync(join(golden.path, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(mlm, 'config.json'), JSON.stringify({ ...config, architectures: ['BertForMaskedLM'] }));
    const m = loadModel(mlm, { vocabPath: vocab.path });
    assert.equal(m.kind, 'huggingface-encoder');
    assert.deepEqual(m.tasks, []);
    assert.deepEqual(m.unusedTensors, ['cls.predictions.bias']);
    assert.equal(unusedTensorsNote(m), `${join(mlm, 'model.safetensors')}: 1 tensor that nothing uses: cls.predictions.bias`);
  });

  test('a Google TF checkpoint: an encoder without tasks; Adam slots and global_step reported unused', () => {
    const m = loadModel(tf.path);
    assert.equal(m.kind, 'tensorflow');
    assert.deepEqual(m.tasks, []);
    assert.ok(m.unusedTensors.includes('global_step'));
    assert.ok(m.unusedTensors.some((n) => n.endsWith('/adam_m')));
    assert.match(unusedTensorsNote(m) ?? '', /^[^\n]*: \d+ tensors that nothing uses: .*, and \d+ more$/);
    assertBamError(() => predict(m, [{ textA: 'a', textB: null }], { tasks: ['rte'] }), 'the model has no task "rte"; it has no task head (an encoder only)');
  });
});
