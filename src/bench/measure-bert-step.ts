import { getKernels } from '../engine/index.js';
import type { EncoderInputs } from '../model/bert-encoder.js';
import { BertModel } from '../model/bert-model.js';
import { MultitaskLoss, type LossTargets } from '../train/multitask-loss.js';
import { AdamWeightDecay } from '../train/optimizer.js';
import { stepSeed, trainingStep } from '../train/trainer.js';
import { Rng } from '../util/rng.js';
import type { BenchShape } from './bench-options.js';
import { benchBertConfig, type BenchModel } from './model-sizes.js';
import { median } from './stats.js';
import type { WorkerResult } from './worker-result.js';

const SEED = 12345;
const NUM_LABELS = 2;

/** Full-length random sequences (mask all ones): first half segment 0, second half segment 1; random labels. */
function randomBatch(vocabSize: number, batch: number, seq: number): { inputs: EncoderInputs; targets: LossTargets } {
  const rng = new Rng(SEED);
  const inputIds = new Int32Array(batch * seq);
  const segmentIds = new Int32Array(batch * seq);
  for (let i = 0; i < inputIds.length; i++) {
    inputIds[i] = rng.int(vocabSize);
    segmentIds[i] = i % seq < seq / 2 ? 0 : 1;
  }
  const labelIds = Int32Array.from({ length: batch }, () => rng.int(NUM_LABELS));
  return {
    inputs: { batch, seq, inputIds, segmentIds, inputMask: new Float32Array(batch * seq).fill(1) },
    targets: { taskIds: new Int32Array(batch), labelIds, regressionTargets: new Float32Array(batch) },
  };
}

/** Wall times of `runs` calls after `warmup` untimed ones, and CPU time over wall time across the timed calls. */
function timeRuns(warmup: number, runs: number, call: (i: number) => void): { ms: number[]; cpuPerWall: number } {
  for (let i = 0; i < warmup; i++) call(i);
  const ms: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = warmup; i < warmup + runs; i++) {
    const start = performance.now();
    call(i);
    ms.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = ms.reduce((a, b) => a + b, 0);
  return { ms, cpuPerWall: (cpu.user + cpu.system) / 1000 / wallMs };
}

/**
 * Times bam's training step exactly as the trainer composes it (zero gradients, forward with dropout, head, soft-target
 * cross-entropy, backward, global-norm clip and AdamWeightDecay) and inference (the fused inference path, its last
 * layer computing only the [CLS] rows, as bam predict and evaluation run it, then the head), for a
 * randomly initialised benchmark model with one 2-label classification head.
 */
export function measureBertStep(model: BenchModel, threads: number, shape: BenchShape): WorkerResult {
  const { batch, seq, warmup, runs } = shape;
  const kernels = getKernels();
  kernels.setThreads(threads);
  const config = benchBertConfig(model);
  const bert = new BertModel(kernels, config, [{ task: 'bench', numOutputs: NUM_LABELS }]);
  bert.initialize(SEED);
  const { inputs, targets } = randomBatch(config.vocabSize, batch, seq);
  const loss = new MultitaskLoss(kernels, [{ numOutputs: NUM_LABELS, regression: false, weight: 1 }], bert.heads.maxOutputs, batch);
  const optimizer = new AdamWeightDecay(kernels, bert.arena, {
    learningRate: 1e-4, numTrainSteps: warmup + runs, warmupProportion: 0.1, lrDecay: 0.9, weightDecayRate: 0.01,
    numLayers: config.numHiddenLayers,
  });
  const buffers = { outputs: new Float32Array(batch * bert.heads.maxOutputs), dOutputs: new Float32Array(batch * bert.heads.maxOutputs) };

  const train = timeRuns(warmup, runs, (step) => {
    trainingStep(bert, { inputs, targets }, loss, optimizer, step, stepSeed(SEED, step), 1, buffers);
  });
  const infer = timeRuns(warmup, runs, () => {
    bert.infer(inputs, targets.taskIds, buffers.outputs);
  });

  const trainMs = median(train.ms);
  const inferMs = median(infer.ms);
  return {
    backend: kernels.backend,
    threads: kernels.threads(),
    parameters: bert.arena.size,
    train_ms_median: trainMs,
    train_ms_all: train.ms,
    infer_ms_median: inferMs,
    infer_ms_all: infer.ms,
    examples_per_s_train: (batch * 1000) / trainMs,
    examples_per_s_infer: (batch * 1000) / inferMs,
    train_cpu_per_wall: train.cpuPerWall,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}
