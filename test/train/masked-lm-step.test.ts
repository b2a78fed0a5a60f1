import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { huggingFaceName } from '../../src/checkpoint/bert-names.js';
import { loadWeights, needsTranspose } from '../../src/checkpoint/load-weights.js';
import { openSafetensors } from '../../src/checkpoint/safetensors.js';
import type { Kernels } from '../../src/engine/backend.js';
import type { Parameter } from '../../src/model/arena.js';
import { parseBertConfig } from '../../src/model/bert-config.js';
import { BertMaskedLm } from '../../src/model/bert-masked-lm.js';
import { MaskedLmLoss } from '../../src/train/masked-lm-loss.js';
import { maskedLmTrainingStep } from '../../src/train/masked-lm-step.js';
import { AdamWeightDecay } from '../../src/train/optimizer.js';
import { backends } from '../kernels-under-test.js';

const FIXTURE = 'test/fixtures/mlm-step';
const SCRIPT = 'scripts/mlm_step_golden.py';
const PYTHON = '/usr/bin/python3';

interface Golden {
  config: Record<string, unknown>;
  schedule: Record<string, number>;
  batch: { input_ids: number[][]; input_mask: number[][]; positions: number[]; labels: number[] };
  steps: { step: number; loss: number; correct: number; grad_norm: number; learning_rate: number }[];
  after: { sums: Record<string, number>; norms: Record<string, number>; full: Record<string, number[]> };
}

/** float32 against a float64 reference: relative 1e-4, or absolute 1e-5 below 0.1 in magnitude (as goldens/bam-step). */
function assertClose(actual: number, expected: number, what: string): void {
  const ok = Math.abs(expected) < 0.1 ? Math.abs(actual - expected) <= 1e-5 : Math.abs(actual - expected) <= 1e-4 * Math.abs(expected);
  assert.ok(ok, `${what}: got ${actual}, expected ${expected}`);
}

/** Our parameter under a Hugging Face BertForMaskedLM name, with whether the golden stores it transposed. */
function ours(model: BertMaskedLm, name: string): { p: Parameter; transpose: boolean } {
  const p = model.arena.parameters.find((q) => huggingFaceName(q.name).name === name);
  assert.ok(p, `no parameter maps to ${name}`);
  return { p, transpose: needsTranspose(huggingFaceName(p.name), p) };
}

/** Runs the golden's three steps on `kernels` from the fixture's parameters and checks every recorded value. */
async function checkAgainst(dir: string, kernels: Kernels): Promise<void> {
  const ref = JSON.parse(readFileSync(join(dir, 'step.json'), 'utf8')) as Golden;
  const config = parseBertConfig(ref.config, 'step.json');
  const model = new BertMaskedLm(kernels, config);
  const source = openSafetensors(join(dir, 'model.safetensors'));
  loadWeights(model.arena, source, 'huggingface');
  source.close();
  const s = ref.schedule;
  const optimizer = new AdamWeightDecay(kernels, model.arena, {
    learningRate: s.learning_rate, numTrainSteps: s.num_train_steps, warmupProportion: 0, warmupSteps: s.num_warmup_steps,
    lrDecay: 0, weightDecayRate: s.weight_decay_rate, numLayers: config.numHiddenLayers,
    beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, clipNorm: s.clip_norm,
  });
  const b = ref.batch;
  const batch = {
    inputs: {
      batch: b.input_ids.length, seq: b.input_ids[0].length,
      inputIds: Int32Array.from(b.input_ids.flat()), segmentIds: new Int32Array(b.input_ids.flat().length), inputMask: Float32Array.from(b.input_mask.flat()),
    },
    positions: { count: b.positions.length, rows: Int32Array.from(b.positions) },
    labels: Int32Array.from(b.labels),
  };
  const loss = new MaskedLmLoss(kernels, b.positions.length);
  const logits = kernels.allocFloat(b.positions.length * config.vocabSize);
  for (const record of ref.steps) {
    const r = await maskedLmTrainingStep(model, batch, loss, optimizer, record.step, 0, logits);
    assertClose(r.loss, record.loss, `step ${record.step} loss`);
    assert.equal(r.correct, record.correct, `step ${record.step} correct`);
    assertClose(r.gradNorm, record.grad_norm, `step ${record.step} gradient norm`);
    assertClose(r.learningRate, record.learning_rate, `step ${record.step} learning rate`);
  }
  for (const [name, expected] of Object.entries(ref.after.sums)) {
    const { p } = ours(model, name);
    let sum = 0;
    let sq = 0;
    for (const v of model.arena.read(p)) { sum += v; sq += v * v; }
    assertClose(sum, expected, `${name} sum`);
    assertClose(Math.sqrt(sq), ref.after.norms[name], `${name} L2 norm`);
  }
  for (const [name, values] of Object.entries(ref.after.full)) {
    const { p, transpose } = ours(model, name);
    const value = model.arena.read(p);
    const [rows, cols] = p.shape.length === 2 ? p.shape : [1, p.shape[0]];
    values.forEach((expected, i) => {
      // The golden is row-major in its own orientation; ours is the transpose when `transpose`.
      const at = transpose ? (i % rows) * cols + Math.floor(i / rows) : i;
      assertClose(value[at], expected, `${name}[${i}]`);
    });
  }
}

/**
 * One full masked-LM training step (forward, loss, backward, clipping, AdamWeightDecay with warmup) three times,
 * against the float64 PyTorch computation of scripts/mlm_step_golden.py committed in test/fixtures/mlm-step.
 */
describe('a masked-LM training step matches the float64 PyTorch reference (3 steps, warmup, clipping, AdamWeightDecay)', () => {
  for (const backend of backends) {
    test(`${backend.name} kernels, committed golden`, { skip: backend.skip }, () => checkAgainst(FIXTURE, backend.kernels!));
  }

  const torch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  test('the committed golden is what the script computes now (where PyTorch is installed)', { skip: torch ? false : 'PyTorch (python3-torch) is not installed' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bam-mlm-golden-'));
    try {
      const run = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.ok(existsSync(join(dir, 'step.json')));
      assert.deepEqual(readFileSync(join(dir, 'model.safetensors')), readFileSync(join(FIXTURE, 'model.safetensors')));
      const fresh = JSON.parse(readFileSync(join(dir, 'step.json'), 'utf8')) as Golden & { torch: string };
      const committed = JSON.parse(readFileSync(join(FIXTURE, 'step.json'), 'utf8')) as Golden & { torch: string };
      fresh.steps.forEach((st, i) => assertClose(st.loss, committed.steps[i].loss, `step ${i} loss`));
      await checkAgainst(dir, backends[0].kernels!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
