import type { FeaturizedDataset } from '../data/featurize.js';
import type { MetricName, Task } from '../data/tasks.js';
import type { BertModel } from '../model/bert-model.js';
import { encoderInputBuffers, packBatch, tokenRowAt, type TokenRow } from '../model/encoder-batch.js';
import { sequenceLengths } from '../train/batches.js';

/**
 * Runs the model in eval mode (no dropout) over a featurized dataset in batches of `batchSize`, the last batch
 * possibly smaller (the original silently dropped a remainder when predict_batch_size did not divide the padded
 * count). Returns the head outputs [n, maxOutputs].
 */
export function predictDataset(model: BertModel, data: FeaturizedDataset, batchSize: number): Float32Array {
  const L = data.maxSeqLength;
  const M = model.heads.maxOutputs;
  const result = new Float32Array(data.n * M);
  const lengths = sequenceLengths(data);
  const inputs = encoderInputBuffers(batchSize, L);
  for (let start = 0; start < data.n; start += batchSize) {
    const end = Math.min(start + batchSize, data.n);
    const rows: TokenRow[] = [];
    for (let i = start; i < end; i++) rows.push(tokenRowAt(data, L, i, lengths[i]));
    packBatch(rows, inputs);
    model.infer(inputs, data.taskIds.subarray(start, end), result.subarray(start * M, end * M));
  }
  return result;
}

/** The task's metrics on a dev set from the model's outputs; the loss is the unweighted gold loss (λ = 1). */
export function scoreOutputs(task: Task, data: FeaturizedDataset, outputs: Float32Array, maxOutputs: number): [MetricName, number][] {
  const scorer = task.createScorer();
  for (let i = 0; i < data.n; i++) {
    const offset = i * maxOutputs;
    scorer.update(task.prediction(outputs, offset), task.gold(data, i), task.goldLoss(outputs, offset, data, i));
  }
  return scorer.results();
}
