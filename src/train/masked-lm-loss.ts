import type { Kernels } from '../engine/kernels.js';

/** What one batch's masked-LM loss reports. */
export interface MaskedLmLossResult {
  /** Mean cross-entropy over the masked positions (BERT's Σ w·nll / (Σ w + 1e-5), with w = 1 per real position). */
  loss: number;
  /** Masked positions whose highest logit is the original token. */
  correct: number;
}

/**
 * BERT's masked-LM loss (run_pretraining.py `get_masked_lm_output`) on the logits of the real masked positions only:
 * each position weighs 1 / (count + 1e-5), so the loss is the mean and its gradient that of the mean.
 */
export class MaskedLmLoss {
  private weights: Float32Array;
  private losses: Float32Array;
  private argmax: Int32Array;

  constructor(private readonly k: Kernels, maxPositions: number) {
    this.weights = new Float32Array(maxPositions);
    this.losses = new Float32Array(maxPositions);
    this.argmax = new Int32Array(maxPositions);
  }

  /**
   * Loss of `count` masked positions with logits [count, vocab] and gold token ids `labels`; writes the gradient
   * into dLogits (which may be the logits array itself). `meanOver` is the count the mean divides by: the global
   * batch's masked positions when these are one rank's share of them, so that the ranks' losses and gradients sum
   * to the global batch's mean and its gradient.
   */
  compute(logits: Float32Array, labels: Int32Array, count: number, vocab: number, dLogits: Float32Array, meanOver = count): MaskedLmLossResult {
    if (count > this.weights.length) {
      this.weights = new Float32Array(count);
      this.losses = new Float32Array(count);
      this.argmax = new Int32Array(count);
    }
    this.weights.fill(1 / (meanOver + 1e-5), 0, count);
    this.k.sparseCrossEntropy(logits, labels, this.weights, count, vocab, this.losses, dLogits, this.argmax);
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < count; i++) {
      loss += this.losses[i];
      if (this.argmax[i] === labels[i]) correct++;
    }
    return { loss, correct };
  }
}
