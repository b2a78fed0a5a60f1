import type { FeaturizedDataset } from '../data/featurize.js';
import type { MetricName, Task } from '../data/tasks.js';
import type { BertModel } from '../model/bert-model.js';
import { encoderInputBuffers, packBatch, tokenRowAt, type TokenRow } from '../model/encoder-batch.js';
import { sequenceLengths } from '../train/batches.js';

/**
 * Runs the model in eval mode (no dropout) over a featurized dataset in batches of `batchSize`, the last batch
 * possibly smaller (the original silently dropped a remainder when predict_batch_size did not divide the padded
 * count). Returns the head outputs [n, maxOutputs]. With `rows`, only examples [start, end) are run (one rank's
 * share) and the other outputs stay 0, so that summing the ranks' results gathers the whole.
 */
export function predictDataset(model: BertModel, data: FeaturizedDataset, batchSize: number, rows = { start: 0, end: data.n }): Float32Array {
  const result = new Float32Array(data.n * model.heads.maxOutputs);
  for (const _ of predictBatches(model, data, batchSize, result, rows));
  return result;
}

/**
 * predictDataset that reports the examples done after every batch (for progress lines) and gives the event loop a
 * turn between batches, so that Ctrl-C is seen during a long evaluation: `stopped()` true ends it with null.
 */
export async function predictDatasetAsync(
  model: BertModel, data: FeaturizedDataset, batchSize: number, onBatch: (done: number) => void, stopped: () => boolean,
): Promise<Float32Array | null> {
  const result = new Float32Array(data.n * model.heads.maxOutputs);
  for (const done of predictBatches(model, data, batchSize, result, { start: 0, end: data.n })) {
    onBatch(done);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (stopped()) return null;
  }
  return result;
}

/** Fills `result` batch by batch over examples [rows.start, rows.end), yielding the number of examples done after each. */
function* predictBatches(model: BertModel, data: FeaturizedDataset, batchSize: number, result: Float32Array, rows: { start: number; end: number }): Generator<number> {
  const L = data.maxSeqLength;
  const M = model.heads.maxOutputs;
  const lengths = sequenceLengths(data);
  const inputs = encoderInputBuffers(batchSize, L);
  const outputs = model.kernels.allocFloat(batchSize * M);
  for (let start = rows.start; start < rows.end; start += batchSize) {
    const end = Math.min(start + batchSize, rows.end);
    const batchRows: TokenRow[] = [];
    for (let i = start; i < end; i++) batchRows.push(tokenRowAt(data, L, i, lengths[i]));
    packBatch(batchRows, inputs);
    model.infer(inputs, data.taskIds.subarray(start, end), outputs);
    result.set(model.kernels.download(outputs, 0, (end - start) * M), start * M);
    yield end;
  }
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
