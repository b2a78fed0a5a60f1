import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Kernels } from '../../src/engine/backend.js';
import { referenceKernels } from '../../src/engine/reference.js';
import { loadModel } from '../../src/checkpoint/load-model.js';
import type { Example } from '../../src/data/example.js';
import { featurize } from '../../src/data/featurize.js';
import { getTask } from '../../src/data/tasks.js';
import { parseBertConfig, type BertConfig } from '../../src/model/bert-config.js';
import { BertMaskedLm } from '../../src/model/bert-masked-lm.js';
import { BertModel } from '../../src/model/bert-model.js';
import type { Collective } from '../../src/parallel/collective.js';
import { savePretrainedModel } from '../../src/pretrain/save-pretrained.js';
import { runHeads } from '../../src/predict.js';
import { predictDataset } from '../../src/run/evaluate.js';
import { saveTrainedModel } from '../../src/run/save-model.js';
import { encodeExample, FullTokenizer } from '../../src/tokenization/index.js';
import { BatchStream } from '../../src/train/batches.js';
import { MaskedLmLoss } from '../../src/train/masked-lm-loss.js';
import { maskedLmTrainingStep } from '../../src/train/masked-lm-step.js';
import { MultitaskLoss } from '../../src/train/multitask-loss.js';
import { AdamWeightDecay } from '../../src/train/optimizer.js';
import { train, trainingStep, type TrainerOptions } from '../../src/train/trainer.js';
import { restoreTrainingCheckpoint, trainingCheckpointPath } from '../../src/train/training-checkpoint.js';
import { tempDir } from '../checkpoint/temp-dir.js';
import { fixtureVocab } from '../fixture-vocab.js';
import { HostAccessError, opaqueKernels } from './opaque-backend.js';

// The training step, the whole training loop with its checkpoints, evaluation, saving and loading, and a masked-LM
// step, run on the opaque backend and on the reference backend: every number and every file must be identical, and
// the opaque backend throws on any host access but upload and download. So nothing above the engine reads or writes
// a buffer behind the backend's back, as a GPU backend requires.

const tokenizer = FullTokenizer.fromVocabFile(fixtureVocab.uncased, true);
const TASKS = ['rte', 'sts'];
const MAX_SEQ = 16;

function tinyConfig(): BertConfig {
  return parseBertConfig({
    vocab_size: tokenizer.vocab.idToToken.length, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2,
    intermediate_size: 16, max_position_embeddings: MAX_SEQ, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1,
  }, 'tiny config');
}

const texts = ['a cat sat.', 'the dog ran.', 'nobody moved.', 'a cat is sitting.', 'the cat ran to the dog.'];
const examples: Example[] = Array.from({ length: 10 }, (_, i) => i % 2 === 0
  ? { eid: i, task: 'rte', split: 'train', textA: texts[i % 5], textB: texts[(i + 2) % 5], label: i % 4 === 0 ? 'entailment' : 'not_entailment' }
  : { eid: i, task: 'sts', split: 'train', textA: texts[i % 5], textB: texts[(i + 1) % 5], label: String((i % 5) + 0.5) });
const data = featurize(examples, TASKS, tokenizer, MAX_SEQ);
const maxOutputs = 2;
/** Teacher outputs for distillation, so the soft-target and regression-blend kernels run. */
const teacher = {
  logits: Float32Array.from({ length: data.n * maxOutputs }, (_, i) => Math.sin(i) * 2),
  predictions: Float32Array.from({ length: data.n }, (_, i) => 0.2 + 0.05 * i),
};
const tasks = TASKS.map((name) => getTask(name));

function newModel(k: Kernels): BertModel {
  const model = new BertModel(k, tinyConfig(), tasks.map((t) => ({ task: t.name, numOutputs: t.kind === 'regression' ? 1 : t.labelList.length })));
  model.initialize(7);
  return model;
}

/** Trains 6 steps of BAM (teacher annealing, two tasks, dropout) through the training loop; checkpoints every 2. */
async function trainRun(k: Kernels, dir: string): Promise<{ model: BertModel; losses: number[] }> {
  const model = newModel(k);
  const stream = new BatchStream(data, teacher, TASKS.length, maxOutputs, 4, 3);
  const loss = new MultitaskLoss(k, tasks.map((t) => ({ numOutputs: t.kind === 'regression' ? 1 : 2, regression: t.kind === 'regression', weight: 1 })), maxOutputs, 4);
  const optimizer = new AdamWeightDecay(k, model.arena, {
    learningRate: 1e-2, numTrainSteps: 6, warmupProportion: 0.2, lrDecay: 0.9, weightDecayRate: 0.01, numLayers: 2, clipNorm: 0.5,
  });
  const losses: number[] = [];
  const options: TrainerOptions = {
    numTrainSteps: 6, seed: 11, distillation: { kind: 'annealing' }, taskNames: TASKS, checkpointDir: dir,
    saveEverySteps: 2, saveFinal: true, logEverySteps: 100, run: { fingerprint: 'opaque-test', numTrainSteps: 6 },
    log: () => {}, afterStep: (_s, l) => { losses.push(l); },
  };
  await train(model, stream, loss, optimizer, options);
  return { model, losses };
}

const arenaValues = (model: BertModel | BertMaskedLm): Float32Array => model.arena.kernels.download(model.arena.values);

/** Two ranks in one process: each collective call waits for the other rank's, then both hold the result. */
function inProcessRanks(): [Collective, Collective] {
  let waiting: { buffer: Float32Array; rank: number; done: () => void } | null = null;
  /** root null: sum the two buffers into both; else copy the root rank's buffer into the other's. */
  const meet = (buffer: Float32Array, rank: number, root: number | null): Promise<void> => new Promise((resolve) => {
    if (!waiting) {
      waiting = { buffer, rank, done: resolve };
      return;
    }
    const other = waiting;
    waiting = null;
    for (let i = 0; i < buffer.length; i++) {
      const value = root === null ? buffer[i] + other.buffer[i] : root === rank ? buffer[i] : other.buffer[i];
      buffer[i] = value;
      other.buffer[i] = value;
    }
    other.done();
    resolve();
  });
  const rank = (r: number): Collective => ({
    rank: r, size: 2, localSize: 2,
    allReduceSum: (buffer) => meet(buffer, r, null),
    broadcast: (buffer, root) => meet(buffer, r, root),
    abort(message: string): never { throw new Error(message); },
    close() {},
  });
  return [rank(0), rank(1)];
}

describe('the opaque-buffer backend', () => {
  test('refuses every host access to its buffers, and host arrays where buffers belong', () => {
    const k = opaqueKernels();
    const b = k.allocFloat(4);
    const asArray = b as unknown as Float32Array;
    assert.throws(() => asArray[0], HostAccessError);
    assert.throws(() => { asArray[0] = 1; }, HostAccessError);
    assert.throws(() => asArray.length, HostAccessError);
    assert.throws(() => asArray.subarray(0, 1), HostAccessError);
    assert.throws(() => [...asArray], HostAccessError);
    assert.throws(() => asArray instanceof Float32Array, HostAccessError);
    assert.throws(() => k.add(new Float32Array(4) as never, b, b, 4), HostAccessError);
    assert.equal(k.hostMemory(b), null);
    k.upload(b, new Float32Array([1, 2, 3, 4]));
    k.add(b, b, b, 4);
    assert.deepEqual([...k.download(b)], [2, 4, 6, 8]);
    assert.deepEqual([...k.download(k.view(b, 1, 2))], [4, 6]);
    assert.deepEqual(k.transfers, { uploads: 1, downloads: 2, downloadedElements: 6 });
  });

  test('a training step reads back only its per-example losses', async () => {
    const k = opaqueKernels();
    const model = newModel(k);
    const stream = new BatchStream(data, teacher, TASKS.length, maxOutputs, 4, 3);
    const loss = new MultitaskLoss(k, [{ numOutputs: 2, regression: false, weight: 1 }, { numOutputs: 1, regression: true, weight: 1 }], maxOutputs, 4);
    const optimizer = new AdamWeightDecay(k, model.arena, { learningRate: 1e-2, numTrainSteps: 2, warmupProportion: 0, lrDecay: 0, weightDecayRate: 0, numLayers: 2 });
    const buffers = { outputs: k.allocFloat(4 * maxOutputs), dOutputs: k.allocFloat(4 * maxOutputs) };
    const before = { ...k.transfers };
    await trainingStep(model, stream.batchAt(0), loss, optimizer, 0, 5, 0.5, buffers);
    assert.equal(k.transfers.downloads - before.downloads, 1, 'one download per step');
    assert.equal(k.transfers.downloadedElements - before.downloadedElements, 4, 'the batch\'s 4 per-example losses');
  });

  test('training with BAM distillation, checkpoints, evaluation, saving and loading equal the reference backend', async () => {
    const opaque = opaqueKernels();
    const [refDir, opaqueDir] = [tempDir(), tempDir()];
    const ref = await trainRun(referenceKernels, refDir);
    const run = await trainRun(opaque, opaqueDir);
    assert.deepEqual(run.losses, ref.losses, 'per-step losses');
    assert.ok(ref.losses.every((l) => Number.isFinite(l) && l > 0));
    assert.deepEqual(arenaValues(run.model), arenaValues(ref.model), 'parameters after training');
    assert.deepEqual(opaque.download(run.model.arena.adamV), referenceKernels.download(ref.model.arena.adamV), 'Adam moments');
    assert.ok(readFileSync(trainingCheckpointPath(opaqueDir)).equals(readFileSync(trainingCheckpointPath(refDir))), 'checkpoint files');

    const restored = newModel(opaqueKernels());
    assert.equal(restoreTrainingCheckpoint(opaqueDir, restored.arena, { fingerprint: 'opaque-test', numTrainSteps: 6 }), 6);
    assert.deepEqual(arenaValues(restored), arenaValues(ref.model), 'parameters restored from the checkpoint');

    const predicted = predictDataset(run.model, data, 3);
    assert.deepEqual(predicted, predictDataset(ref.model, data, 3), 'evaluation outputs');

    const [refSaved, opaqueSaved] = [join(tempDir(), 'model'), join(tempDir(), 'model')];
    saveTrainedModel(refSaved, ref.model, tasks, fixtureVocab.uncased, true, MAX_SEQ);
    saveTrainedModel(opaqueSaved, run.model, tasks, fixtureVocab.uncased, true, MAX_SEQ);
    assert.ok(readFileSync(join(opaqueSaved, 'model.safetensors')).equals(readFileSync(join(refSaved, 'model.safetensors'))), 'saved weights');
    const loaded = loadModel(opaqueSaved, { kernels: opaqueKernels() });
    assert.deepEqual(predictDataset(loaded.model, data, 4), predicted, 'a saved and reloaded model predicts the same');

    // bam predict's path, with pooled outputs and hidden states read back.
    const encoded = texts.map((t, i) => encodeExample(tokenizer, t, texts[(i + 1) % 5], MAX_SEQ));
    const options = { batchSize: 2, pooled: true, hidden: true };
    const fromOpaque = runHeads(loaded, encoded, options);
    const fromReference = runHeads(loadModel(refSaved, { kernels: referenceKernels }), encoded, options);
    assert.deepEqual(fromOpaque.outputs, fromReference.outputs, 'predicted head outputs');
    assert.deepEqual(fromOpaque.pooled, fromReference.pooled, 'pooled outputs');
    assert.deepEqual(fromOpaque.hidden, fromReference.hidden, 'hidden states');
  });

  test('a data-parallel step over two ranks (gradients summed through download and upload) equals the reference backend', async () => {
    const twoRanks = async (make: () => Kernels): Promise<Float32Array[]> => {
      const collectives = inProcessRanks();
      const stream = new BatchStream(data, teacher, TASKS.length, maxOutputs, 4, 3);
      const ranks = collectives.map((c) => {
        const k = make();
        const model = newModel(k);
        const loss = new MultitaskLoss(k, [{ numOutputs: 2, regression: false, weight: 1 }, { numOutputs: 1, regression: true, weight: 1 }], maxOutputs, 4);
        const optimizer = new AdamWeightDecay(k, model.arena, { learningRate: 1e-2, numTrainSteps: 2, warmupProportion: 0, lrDecay: 0, weightDecayRate: 0, numLayers: 2 });
        const buffers = { outputs: k.allocFloat(4 * maxOutputs), dOutputs: k.allocFloat(4 * maxOutputs) };
        return { c, model, loss, optimizer, buffers };
      });
      await Promise.all(ranks.map((r) => trainingStep(r.model, stream.batchAt(0), r.loss, r.optimizer, 0, 5, 0.5, r.buffers, r.c)));
      return ranks.map((r) => arenaValues(r.model));
    };
    const ref = await twoRanks(() => referenceKernels);
    const opaque = await twoRanks(opaqueKernels);
    assert.deepEqual(ref[1], ref[0], 'both ranks take the same step');
    assert.deepEqual(opaque[0], ref[0]);
    assert.deepEqual(opaque[1], ref[1]);
    assert.notDeepEqual(ref[0], arenaValues(newModel(referenceKernels)), 'the step changed the parameters');
  });

  test('a masked-LM step, and the pretrained model it saves, equal the reference backend', async () => {
    const run = async (k: Kernels): Promise<{ model: BertMaskedLm; loss: number; gradNorm: number; file: Buffer }> => {
      const model = new BertMaskedLm(k, tinyConfig());
      model.initialize(3);
      const batch = 2;
      const seq = 8;
      const inputs = {
        batch, seq,
        inputIds: Int32Array.from({ length: batch * seq }, (_, i) => 5 + ((i * 7) % (tokenizer.vocab.idToToken.length - 5))),
        segmentIds: new Int32Array(batch * seq), inputMask: Float32Array.from({ length: batch * seq }, (_, i) => (i % seq < 6 ? 1 : 0)),
      };
      const positions = { count: 3, rows: Int32Array.from([1, 4, 9]) };
      const labels = Int32Array.from([6, 7, 8]);
      const optimizer = new AdamWeightDecay(k, model.arena, { learningRate: 1e-3, numTrainSteps: 2, warmupProportion: 0, lrDecay: 0, weightDecayRate: 0.01, numLayers: 2 });
      const logits = k.allocFloat(3 * model.config.vocabSize);
      const r = await maskedLmTrainingStep(model, { inputs, positions, labels }, new MaskedLmLoss(k, 3), optimizer, 0, 9, logits);
      const dir = tempDir();
      savePretrainedModel(dir, model, fixtureVocab.uncased, true);
      return { model, loss: r.loss, gradNorm: r.gradNorm, file: readFileSync(join(dir, 'model.safetensors')) };
    };
    const ref = await run(referenceKernels);
    const opaque = await run(opaqueKernels());
    assert.equal(opaque.loss, ref.loss);
    assert.equal(opaque.gradNorm, ref.gradNorm);
    assert.ok(ref.gradNorm > 0);
    assert.deepEqual(arenaValues(opaque.model), arenaValues(ref.model));
    assert.ok(opaque.file.equals(ref.file), 'saved pretrained weights');
  });
});
