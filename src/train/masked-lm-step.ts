import type { FloatBuffer } from '../engine/backend.js';
import type { BertMaskedLm } from '../model/bert-masked-lm.js';
import type { EncoderInputs } from '../model/bert-encoder.js';
import type { MaskedPositions } from '../model/masked-lm-head.js';
import { rankMaskedLmBatch } from '../parallel/masked-lm-slice.js';
import { allReduceBuffer, singleProcess, type Collective } from '../parallel/collective.js';
import type { MaskedLmLoss } from './masked-lm-loss.js';
import type { AdamWeightDecay } from './optimizer.js';

/** One masked-LM batch: encoder inputs, the masked rows (b·seq + position) and their original token ids. */
export interface MaskedLmBatch {
  inputs: EncoderInputs;
  positions: MaskedPositions;
  labels: Int32Array;
}

/** What one masked-LM step reports. */
export interface MaskedLmStepResult {
  /** Mean masked-LM loss of the batch. */
  loss: number;
  /** Masked positions predicted right, of `positions.count`. */
  correct: number;
  gradNorm: number;
  learningRate: number;
}

/**
 * One masked-LM optimisation step: zero the gradients, forward with dropout (masks from `seed`), the mean
 * masked-LM loss, backward, clipping and AdamWeightDecay at the pre-increment `step`. `logits` holds [count, vocab]
 * floats and is overwritten by their gradient. Data-parallel (collective.size > 1): this rank computes its slice of
 * the global batch with the mean taken over the GLOBAL masked count (MaskedLmLoss meanOver), so the gradient arena
 * summed across ranks is the global batch's gradient; loss and correct are summed too (the global batch's).
 */
export async function maskedLmTrainingStep(
  model: BertMaskedLm, batch: MaskedLmBatch, loss: MaskedLmLoss, optimizer: AdamWeightDecay, step: number, seed: number, logits: FloatBuffer,
  collective: Collective = singleProcess,
): Promise<MaskedLmStepResult> {
  const { inputs, positions, labels } = collective.size > 1 ? rankMaskedLmBatch(batch, collective) : batch;
  const V = model.config.vocabSize;
  model.arena.zeroGrads();
  model.forward(inputs, positions, true, seed, logits);
  const result = loss.compute(logits, labels, positions.count, V, logits, batch.positions.count);
  model.backward(logits);
  if (collective.size > 1) {
    await allReduceBuffer(model.kernels, collective, model.arena.grads);
    const totals = new Float32Array([result.loss, result.correct]);
    await collective.allReduceSum(totals);
    [result.loss, result.correct] = totals;
  }
  const learningRate = optimizer.step(step);
  return { loss: result.loss, correct: result.correct, gradNorm: optimizer.lastGradientNorm(), learningRate };
}
