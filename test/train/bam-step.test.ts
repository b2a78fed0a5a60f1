import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { huggingFaceName } from '../../src/checkpoint/bert-names.js';
import { loadWeights, needsTranspose } from '../../src/checkpoint/load-weights.js';
import { openSafetensors } from '../../src/checkpoint/safetensors.js';
import type { Kernels } from '../../src/engine/backend.js';
import type { Parameter } from '../../src/model/arena.js';
import { readBertConfig } from '../../src/model/bert-config.js';
import { BertModel } from '../../src/model/bert-model.js';
import { MultitaskLoss } from '../../src/train/multitask-loss.js';
import { AdamWeightDecay } from '../../src/train/optimizer.js';
import { backends } from '../kernels-under-test.js';
import { sharedData } from '../shared-data.js';

const golden = sharedData('goldens', 'bam-step');

interface StepRecord {
  step: number;
  lambda: number;
  loss: number;
  per_example_weighted_loss: number[];
  global_grad_norm_before_clip: number;
  learning_rate: number;
}

interface BamStep {
  hparams: Record<string, number>;
  task_weights: Record<string, number>;
  tasks: string[];
  gold_label_ids: number[];
  gold_regression_normalized: number[];
  teacher_logits: number[][];
  teacher_predictions: number[];
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask: number[][];
  initial_heads: Record<string, number[][] | number[]>;
  steps: StepRecord[];
  after_3_steps: Record<string, unknown> & {
    heads: Record<string, number[][] | number[]>;
    word_embedding_rows: Record<string, number[]>;
    per_tensor_sum: Record<string, number>;
    per_tensor_l2: Record<string, number>;
  };
}

/** The tolerance: relative 1e-4, or absolute 1e-5 where the reference is below 0.1 in magnitude. */
function assertClose(actual: number, expected: number, what: string): void {
  const ok = Math.abs(expected) < 0.1 ? Math.abs(actual - expected) <= 1e-5 : Math.abs(actual - expected) <= 1e-4 * Math.abs(expected);
  assert.ok(ok, `${what}: got ${actual}, expected ${expected}`);
}

/** Our parameter for a name of the golden (Hugging Face names, or heads.<task>.kernel|bias as [in, out]). */
function ourParameter(model: BertModel, name: string): { p: Parameter; transpose: boolean } {
  const head = /^heads\.(\w+)\.(kernel|bias)$/.exec(name);
  if (head) return { p: model.arena.get(`task_specific/${head[1]}/dense/${head[2]}`), transpose: false };
  const p = model.arena.parameters.find((q) => huggingFaceName(q.name).name === name);
  assert.ok(p, `no parameter maps to ${name}`);
  return { p, transpose: needsTranspose(huggingFaceName(p.name), p) };
}

/** Element (i, j) of a tensor given in the golden's orientation, from a host copy of its values. */
function element(p: Parameter, value: Float32Array, transpose: boolean, i: number, j: number): number {
  return transpose ? value[j * p.shape[1] + i] : value[i * p.shape[1] + j];
}

function runGolden(kernels: Kernels): void {
  const ref = JSON.parse(readFileSync(join(golden.path, 'step.json'), 'utf8')) as BamStep;
  const config = readBertConfig(join(golden.path, 'config.json'));
  const taskNames = ['rte', 'sts'];
  const model = new BertModel(kernels, config, [{ task: 'rte', numOutputs: 2 }, { task: 'sts', numOutputs: 1 }]);
  const source = openSafetensors(join(golden.path, 'model.safetensors'));
  loadWeights(model.arena, source, 'huggingface');
  source.close();
  for (const [name, value] of Object.entries(ref.initial_heads)) {
    const { p } = ourParameter(model, name);
    const host = model.arena.read(p);
    host.set((value as number[] | number[][]).flat());
    model.arena.write(p, host);
  }

  const h = ref.hparams;
  const batch = ref.tasks.length;
  const seq = ref.input_ids[0].length;
  const M = model.heads.maxOutputs;
  const taskIds = Int32Array.from(ref.tasks.map((t) => taskNames.indexOf(t)));
  const labelIds = new Int32Array(batch);
  const regressionTargets = new Float32Array(batch);
  const teacherLogits = new Float32Array(batch * M);
  const teacherPredictions = new Float32Array(batch);
  let rte = 0;
  let sts = 0;
  ref.tasks.forEach((task, i) => {
    if (task === 'rte') {
      labelIds[i] = ref.gold_label_ids[rte];
      teacherLogits.set(ref.teacher_logits[rte], i * M);
      rte++;
    } else {
      regressionTargets[i] = ref.gold_regression_normalized[sts];
      teacherPredictions[i] = ref.teacher_predictions[sts];
      sts++;
    }
  });
  const loss = new MultitaskLoss(kernels, [
    { numOutputs: 2, regression: false, weight: ref.task_weights.rte },
    { numOutputs: 1, regression: true, weight: ref.task_weights.sts },
  ], M, batch);
  const optimizer = new AdamWeightDecay(kernels, model.arena, {
    learningRate: h.learning_rate,
    numTrainSteps: h.num_train_steps,
    warmupProportion: h.warmup_proportion,
    lrDecay: h.lr_decay,
    weightDecayRate: h.weight_decay_rate,
    numLayers: h.n_layers,
    beta1: h.beta_1,
    beta2: h.beta_2,
    epsilon: h.epsilon,
    clipNorm: h.clip_norm,
  });
  const inputs = {
    batch,
    seq,
    inputIds: Int32Array.from(ref.input_ids.flat()),
    segmentIds: Int32Array.from(ref.token_type_ids.flat()),
    inputMask: Float32Array.from(ref.attention_mask.flat()),
  };
  const outputs = kernels.allocFloat(batch * M);
  const dOutputs = kernels.allocFloat(batch * M);

  for (const record of ref.steps) {
    const lambda = record.step / h.num_train_steps;
    assertClose(lambda, record.lambda, `step ${record.step} lambda`);
    model.arena.zeroGrads();
    model.forward(inputs, taskIds, false, 0, outputs);
    const total = loss.compute(outputs, { taskIds, labelIds, regressionTargets, teacherLogits, teacherPredictions }, batch, lambda, dOutputs);
    model.backward(dOutputs);
    const learningRate = optimizer.step(record.step);
    const gradNorm = optimizer.lastGradientNorm();
    assertClose(total, record.loss, `step ${record.step} loss`);
    record.per_example_weighted_loss.forEach((v, i) => assertClose(loss.perExample[i], v, `step ${record.step} example ${i} loss`));
    assertClose(gradNorm, record.global_grad_norm_before_clip, `step ${record.step} gradient norm`);
    assertClose(learningRate, record.learning_rate, `step ${record.step} learning rate`);
  }

  const after = ref.after_3_steps;
  const full: Record<string, number[][] | number[]> = { ...after.heads };
  for (const [name, value] of Object.entries(after)) {
    if (name.startsWith('bert.')) full[name] = value as number[][] | number[];
  }
  for (const [name, value] of Object.entries(full)) {
    const { p, transpose } = ourParameter(model, name);
    const values = model.arena.read(p);
    const rows = (Array.isArray(value[0]) ? value : [value]) as number[][];
    const asMatrix = Array.isArray(value[0]);
    rows.forEach((row, i) => row.forEach((v, j) => {
      const actual = asMatrix ? element(p, values, transpose, i, j) : values[j];
      assertClose(actual, v, `${name}[${i},${j}] after 3 steps`);
    }));
  }
  const word = model.arena.read(model.arena.get('bert/embeddings/word_embeddings'));
  for (const [id, row] of Object.entries(after.word_embedding_rows)) {
    row.forEach((v, j) => assertClose(word[Number(id) * config.hiddenSize + j], v, `word embedding row ${id}[${j}]`));
  }
  for (const [name, expectedSum] of Object.entries(after.per_tensor_sum)) {
    const { p } = ourParameter(model, name);
    let sum = 0;
    let sq = 0;
    for (const x of model.arena.read(p)) {
      sum += x;
      sq += x * x;
    }
    assertClose(sum, expectedSum, `${name} sum after 3 steps`);
    assertClose(Math.sqrt(sq), after.per_tensor_l2[name], `${name} L2 norm after 3 steps`);
  }
  assert.equal(Object.keys(after.per_tensor_sum).length, model.arena.parameters.length);
}

describe('a BAM training step matches the float64 reference (goldens/bam-step: 3 steps, teacher annealing, AdamWeightDecay)', () => {
  for (const backend of backends) {
    test(`${backend.name} kernels`, { skip: golden.skip || backend.skip }, () => runGolden(backend.kernels!));
  }
});
