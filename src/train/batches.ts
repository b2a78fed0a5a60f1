import type { FeaturizedDataset } from '../data/featurize.js';
import type { EncoderInputs } from '../model/bert-encoder.js';
import { encoderInputBuffers, packBatch, tokenRowAt } from '../model/encoder-batch.js';
import { Rng } from '../util/rng.js';
import type { LossTargets } from './multitask-loss.js';

/** Teacher outputs aligned with a featurized train set (row i = example i). */
export interface TeacherTargets {
  /** [n, maxOutputs] logits for classification examples. */
  logits: Float32Array;
  /** [n] predictions for regression examples. */
  predictions: Float32Array;
}

/** One training batch: encoder inputs and loss targets, in buffers reused from batch to batch. */
export interface Batch {
  inputs: EncoderInputs;
  targets: LossTargets;
}

/** Real tokens of each example (its input mask is 1 on a prefix of the row). */
export function sequenceLengths(data: FeaturizedDataset): Int32Array {
  const L = data.maxSeqLength;
  const lengths = new Int32Array(data.n);
  for (let i = 0; i < data.n; i++) {
    let len = 0;
    while (len < L && data.inputMask[i * L + len] !== 0) len++;
    lengths[i] = len;
  }
  return lengths;
}

/**
 * The training stream of the original, made deterministic: the train set is padded with dummy examples (task id =
 * number of tasks, zero loss) to a multiple of the batch size, and each epoch visits it in a fresh seeded
 * permutation. The original shuffles once and then reads through a 100-example buffer; a full shuffle per epoch
 * mixes better and makes batch s a pure function of (seed, s), which is what lets a resumed run match an
 * uninterrupted one bit for bit. Each batch is cut to its longest sequence: padding positions get no attention and
 * no gradient, so outputs and gradients are those of the max_seq_length batch (only the dropout masks drawn differ),
 * for a fraction of the work on short GLUE sentences.
 */
export class BatchStream {
  readonly paddedSize: number;
  private readonly batch: Batch;
  private permutation: Int32Array;
  private permutationEpoch = -1;
  private readonly lengths: Int32Array;

  constructor(
    private readonly data: FeaturizedDataset,
    private readonly teacher: TeacherTargets | null,
    private readonly numTasks: number,
    private readonly maxOutputs: number,
    readonly batchSize: number,
    private readonly seed: number,
  ) {
    this.paddedSize = Math.ceil(data.n / batchSize) * batchSize;
    this.permutation = new Int32Array(this.paddedSize);
    this.lengths = sequenceLengths(data);
    const L = data.maxSeqLength;
    this.batch = {
      inputs: encoderInputBuffers(batchSize, L),
      targets: {
        taskIds: new Int32Array(batchSize),
        labelIds: new Int32Array(batchSize),
        regressionTargets: new Float32Array(batchSize),
        teacherLogits: teacher ? new Float32Array(batchSize * maxOutputs) : undefined,
        teacherPredictions: teacher ? new Float32Array(batchSize) : undefined,
      },
    };
  }

  /** The longest a batch's sequences can be (each batch is cut to its own longest). */
  get maxSeqLength(): number {
    return this.data.maxSeqLength;
  }

  /** Batches per epoch. */
  get stepsPerEpoch(): number {
    return this.paddedSize / this.batchSize;
  }

  /** The batch of a (0-based) step; valid until the next call. */
  batchAt(step: number): Batch {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.permutationEpoch) {
      for (let i = 0; i < this.paddedSize; i++) this.permutation[i] = i;
      new Rng((this.seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0).shuffle(this.permutation);
      this.permutationEpoch = epoch;
    }
    const start = (step % this.stepsPerEpoch) * this.batchSize;
    const { data, teacher } = this;
    const { inputs, targets } = this.batch;
    const M = this.maxOutputs;
    const slots = Array.from(this.permutation.subarray(start, start + this.batchSize));
    packBatch(slots.map((i) => (i < data.n ? tokenRowAt(data, data.maxSeqLength, i, this.lengths[i]) : null)), inputs);
    for (let slot = 0; slot < this.batchSize; slot++) {
      const i = slots[slot];
      if (i >= data.n) {
        targets.taskIds[slot] = this.numTasks;
        targets.labelIds[slot] = 0;
        targets.regressionTargets[slot] = 0;
        continue;
      }
      targets.taskIds[slot] = data.taskIds[i];
      targets.labelIds[slot] = Math.max(0, data.labelIds[i]);
      targets.regressionTargets[slot] = data.regressionTargets[i];
      if (teacher && targets.teacherLogits && targets.teacherPredictions) {
        targets.teacherLogits.set(teacher.logits.subarray(i * M, i * M + M), slot * M);
        targets.teacherPredictions[slot] = teacher.predictions[i];
      }
    }
    return this.batch;
  }
}
