import { getKernels } from '../engine/index.js';
import { BertModel } from '../model/bert-model.js';
import { MultitaskLoss } from '../train/multitask-loss.js';
import { AdamWeightDecay } from '../train/optimizer.js';
import { stepSeed, trainingStep } from '../train/trainer.js';
import { BENCH_LABELS, BENCH_SEED, randomClassificationBatch } from './bench-batch.js';
import type { BenchShape } from './bench-options.js';
import { writeBenchOnnx } from './bench-onnx.js';
import { benchBertConfig, type BenchModel } from './model-sizes.js';
import { timeRuns } from './time-runs.js';
import type { WorkerResult } from './worker-result.js';

const TASK = 'bench';

/**
 * Times bam's training step exactly as the trainer composes it (zero gradients, forward with dropout, head, soft-target
 * cross-entropy, backward, global-norm clip and AdamWeightDecay) and inference twice: the fused inference path with
 * its last layer computing only the [CLS] rows, as bam predict and evaluation run it, then every row computed (the
 * work of the ONNX export's graph), each followed by the head; for a randomly initialised benchmark model with one
 * 2-label classification head. With `onnxOut`, then writes the ONNX export of the model and its logits there.
 */
export function measureBertStep(model: BenchModel, threads: number, shape: BenchShape, onnxOut?: string): WorkerResult<'train' | 'infer' | 'infer_all_rows'> {
  const { batch, seq, warmup, runs } = shape;
  const kernels = getKernels();
  kernels.setThreads(threads);
  const config = benchBertConfig(model);
  const bert = new BertModel(kernels, config, [{ task: TASK, numOutputs: BENCH_LABELS }]);
  bert.initialize(BENCH_SEED);
  const { inputs, targets } = randomClassificationBatch(config.vocabSize, batch, seq);
  const loss = new MultitaskLoss(kernels, [{ numOutputs: BENCH_LABELS, regression: false, weight: 1 }], bert.heads.maxOutputs, batch);
  const optimizer = new AdamWeightDecay(kernels, bert.arena, {
    learningRate: 1e-4, numTrainSteps: warmup + runs, warmupProportion: 0.1, lrDecay: 0.9, weightDecayRate: 0.01,
    numLayers: config.numHiddenLayers,
  });
  const buffers = { outputs: kernels.allocFloat(batch * bert.heads.maxOutputs), dOutputs: kernels.allocFloat(batch * bert.heads.maxOutputs) };

  const train = timeRuns(warmup, runs, batch, (step) => {
    trainingStep(bert, { inputs, targets }, loss, optimizer, step, stepSeed(BENCH_SEED, step), 1, buffers);
  });
  const infer = timeRuns(warmup, runs, batch, () => bert.infer(inputs, targets.taskIds, buffers.outputs));
  const inferAllRows = timeRuns(warmup, runs, batch, () => bert.infer(inputs, targets.taskIds, buffers.outputs, true));
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  if (onnxOut !== undefined) {
    bert.infer(inputs, targets.taskIds, buffers.outputs);
    writeBenchOnnx(onnxOut, bert, TASK, { batch, seq, labels: BENCH_LABELS, logits: Array.from(kernels.download(buffers.outputs)) });
  }
  return {
    backend: kernels.backend,
    threads: kernels.threads(),
    parameters: bert.arena.size,
    timings: { train, infer, infer_all_rows: inferAllRows },
    peak_rss_mb: peakRssMb,
  };
}
