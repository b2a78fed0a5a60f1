import type { EncoderInputs } from '../model/bert-encoder.js';
import { encoderInputBuffers, packBatch, tokenRowAt } from '../model/encoder-batch.js';
import { Rng } from '../util/rng.js';
import { epochOrderSeed, type MaskedInstances, type PretrainingData } from './pretraining-data.js';

/** One masked-LM batch, in buffers reused from batch to batch. */
export interface MlmBatch {
  /** Cut to the batch's longest row (inputs.seq); segment ids are all 0. */
  inputs: EncoderInputs;
  /** [batch, maxPredictions] positions within each row (all below inputs.seq). */
  maskedPositions: Int32Array;
  /** [batch, maxPredictions] the ids to predict there. */
  maskedIds: Int32Array;
  /** [batch, maxPredictions] 1 for a real prediction, 0 for an unused slot or a padding row. */
  maskedWeights: Float32Array;
}

/** Batch buffers for up to `batchSize` rows of `seqLength` tokens and `maxPredictions` predictions. */
class MlmBatchBuffers {
  readonly batch: MlmBatch;

  constructor(
    readonly batchSize: number,
    seqLength: number,
    private readonly maxPredictions: number,
  ) {
    this.batch = {
      inputs: encoderInputBuffers(batchSize, seqLength),
      maskedPositions: new Int32Array(batchSize * maxPredictions),
      maskedIds: new Int32Array(batchSize * maxPredictions),
      maskedWeights: new Float32Array(batchSize * maxPredictions),
    };
  }

  /**
   * Fills the batch with `rows[0..count)` of `data`, a row index ≥ data.n standing for a padding row (no tokens, no
   * predictions). Padding positions get no attention and no gradient, so cutting the batch to its longest row
   * leaves outputs and gradients those of the full-length batch, as in src/train/batches.ts.
   */
  fill(data: MaskedInstances, rows: ArrayLike<number>, from: number, count: number): MlmBatch {
    const P = this.maxPredictions;
    const slots = Array.from({ length: count }, (_, slot) => rows[from + slot]);
    packBatch(slots.map((i) => (i < data.n ? tokenRowAt(data, data.seqLength, i, data.lengths[i]) : null)), this.batch.inputs);
    for (let slot = 0; slot < count; slot++) {
      const i = slots[slot];
      if (i >= data.n) {
        this.batch.maskedPositions.fill(0, slot * P, slot * P + P);
        this.batch.maskedIds.fill(0, slot * P, slot * P + P);
        this.batch.maskedWeights.fill(0, slot * P, slot * P + P);
        continue;
      }
      this.batch.maskedPositions.set(data.maskedPositions.subarray(i * P, i * P + P), slot * P);
      this.batch.maskedIds.set(data.maskedIds.subarray(i * P, i * P + P), slot * P);
      this.batch.maskedWeights.set(data.maskedWeights.subarray(i * P, i * P + P), slot * P);
    }
    return this.batch;
  }
}

/**
 * The pretraining stream, addressed by step alone as BatchStream is for fine-tuning: the training instances are
 * padded with empty rows to a multiple of the batch size, epoch e = floor(step / stepsPerEpoch) visits them in a
 * permutation seeded by (seed, e) and with the masks of PretrainingData.maskEpoch(e). So the batch of step s is a
 * pure function of (text, options, s), and a resumed run sees exactly the batches an uninterrupted one would.
 */
export class MlmBatchStream {
  readonly paddedSize: number;
  private readonly buffers: MlmBatchBuffers;
  private readonly permutation: Int32Array;
  private epoch = -1;
  private epochData: MaskedInstances | null = null;

  constructor(
    private readonly data: PretrainingData,
    readonly batchSize: number,
  ) {
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
      throw new Error(`MlmBatchStream: batchSize must be a positive integer, got ${batchSize}`);
    }
    this.paddedSize = Math.ceil(data.train.n / batchSize) * batchSize;
    this.permutation = new Int32Array(this.paddedSize);
    this.buffers = new MlmBatchBuffers(batchSize, data.train.seqLength, data.options.maxPredictionsPerSeq);
  }

  /** Batches per epoch. */
  get stepsPerEpoch(): number {
    return this.paddedSize / this.batchSize;
  }

  /** The batch of a (0-based) step; valid until the next call. */
  batchAt(step: number): MlmBatch {
    if (!(Number.isInteger(step) && step >= 0)) throw new Error(`batchAt: step must be a non-negative integer, got ${step}`);
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.epoch || this.epochData === null) {
      for (let i = 0; i < this.paddedSize; i++) this.permutation[i] = i;
      new Rng(epochOrderSeed(this.data.options.seed, epoch)).shuffle(this.permutation);
      this.epochData = this.data.maskEpoch(epoch);
      this.epoch = epoch;
    }
    const start = (step % this.stepsPerEpoch) * this.batchSize;
    return this.buffers.fill(this.epochData, this.permutation, start, this.batchSize);
  }
}

/**
 * The rows of `data` in order, `batchSize` at a time (the last batch holds the rest), for held-out evaluation. The
 * batches share one set of buffers: each is valid until the next is taken.
 */
export function* sequentialBatches(data: MaskedInstances, batchSize: number): Generator<MlmBatch> {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new Error(`sequentialBatches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const buffers = new MlmBatchBuffers(batchSize, data.seqLength, data.maxPredictions);
  const rows = Int32Array.from({ length: data.n }, (_, i) => i);
  for (let from = 0; from < data.n; from += batchSize) {
    yield buffers.fill(data, rows, from, Math.min(batchSize, data.n - from));
  }
}
