import { getKernels } from '../engine/index.js';
import { BertMaskedLm } from '../model/bert-masked-lm.js';
import { MaskedLmLoss } from '../train/masked-lm-loss.js';
import { maskedLmTrainingStep } from '../train/masked-lm-step.js';
import { AdamWeightDecay } from '../train/optimizer.js';
import { stepSeed } from '../train/trainer.js';
import { BENCH_SEED, randomMaskedLmBatch } from './bench-batch.js';
import type { BenchShape } from './bench-options.js';
import { benchBertConfig, type BenchModel } from './model-sizes.js';
import { timeRuns } from './time-runs.js';
import type { WorkerResult } from './worker-result.js';

/**
 * Times bam's masked-LM pretraining step (zero gradients, forward with dropout, the masked-LM head on the masked
 * positions only — 20 per sequence, logits over the whole vocabulary —, mean cross-entropy, backward into the tied
 * word embeddings, global-norm clip and AdamWeightDecay without layer-wise decay, as BERT pretrains) for a randomly
 * initialised benchmark model.
 */
export function measureMaskedLmStep(model: BenchModel, threads: number, shape: BenchShape): WorkerResult<'train'> {
  const { batch, seq, warmup, runs } = shape;
  const kernels = getKernels();
  kernels.setThreads(threads);
  const config = benchBertConfig(model);
  const bert = new BertMaskedLm(kernels, config);
  bert.initialize(BENCH_SEED);
  const mlmBatch = randomMaskedLmBatch(config.vocabSize, batch, seq);
  const count = mlmBatch.positions.count;
  const loss = new MaskedLmLoss(kernels, count);
  const optimizer = new AdamWeightDecay(kernels, bert.arena, {
    learningRate: 1e-4, numTrainSteps: warmup + runs, warmupProportion: 0.1, lrDecay: 0, weightDecayRate: 0.01,
    numLayers: config.numHiddenLayers,
  });
  const logits = kernels.allocFloat(count * config.vocabSize);
  const train = timeRuns(warmup, runs, batch, (step) => {
    maskedLmTrainingStep(bert, mlmBatch, loss, optimizer, step, stepSeed(BENCH_SEED, step), logits);
  });
  return {
    backend: kernels.backend,
    threads: kernels.threads(),
    parameters: bert.arena.size,
    timings: { train },
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}
