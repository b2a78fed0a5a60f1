import type { BertMaskedLm } from '../model/bert-masked-lm.js';
import type { EncoderInputs } from '../model/bert-encoder.js';
import type { MaskedPositions } from '../model/masked-lm-head.js';
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
 * floats and is overwritten by their gradient.
 */
export function maskedLmTrainingStep(
  model: BertMaskedLm, batch: MaskedLmBatch, loss: MaskedLmLoss, optimizer: AdamWeightDecay, step: number, seed: number, logits: Float32Array,
): MaskedLmStepResult {
  const { inputs, positions, labels } = batch;
  const V = model.config.vocabSize;
  model.arena.zeroGrads();
  model.forward(inputs, positions, true, seed, logits);
  const result = loss.compute(logits, labels, positions.count, V, logits);
  model.backward(logits);
  const { gradNorm, learningRate } = optimizer.step(step);
  return { loss: result.loss, correct: result.correct, gradNorm, learningRate };
}
