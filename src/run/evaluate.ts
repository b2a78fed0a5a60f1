import type { FeaturizedDataset } from '../data/featurize.js';
import type { MetricName, Task } from '../data/tasks.js';
import type { EncoderInputs } from '../model/bert-encoder.js';
import type { BertModel } from '../model/bert-model.js';
import { packExample, sequenceLengths } from '../train/batches.js';

/**
 * Runs the model in eval mode (no dropout) over a featurized dataset in batches of `batchSize`, the last batch
 * possibly smaller (the original silently dropped a remainder when predict_batch_size did not divide the padded
 * count). Returns the head outputs [n, maxOutputs].
 */
export function predictDataset(model: BertModel, data: FeaturizedDataset, batchSize: number): Float32Array {
  const result = new Float32Array(data.n * model.heads.maxOutputs);
  for (const _ of predictBatches(model, data, batchSize, result));
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
  for (const done of predictBatches(model, data, batchSize, result)) {
    onBatch(done);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (stopped()) return null;
  }
  return result;
}

/** Fills `result` batch by batch, yielding the number of examples done after each. */
function* predictBatches(model: BertModel, data: FeaturizedDataset, batchSize: number, result: Float32Array): Generator<number> {
  const L = data.maxSeqLength;
  const M = model.heads.maxOutputs;
  const lengths = sequenceLengths(data);
  const inputs: EncoderInputs = {
    batch: 0, seq: L, inputIds: new Int32Array(batchSize * L), segmentIds: new Int32Array(batchSize * L), inputMask: new Float32Array(batchSize * L),
  };
  for (let start = 0; start < data.n; start += batchSize) {
    const end = Math.min(start + batchSize, data.n);
    // Each batch is cut to its longest sequence: padding changes nothing but the work.
    let seq = 1;
    for (let i = start; i < end; i++) seq = Math.max(seq, lengths[i]);
    inputs.batch = end - start;
    inputs.seq = seq;
    for (let i = start; i < end; i++) packExample(data, i, inputs, i - start, seq);
    model.infer(inputs, data.taskIds.subarray(start, end), result.subarray(start * M, end * M));
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
