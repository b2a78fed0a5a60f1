import type { FloatBuffer, IntBuffer, Kernels } from '../engine/backend.js';

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
  private capacity = -1;
  private labels!: IntBuffer;
  private weights!: FloatBuffer;
  private losses!: FloatBuffer;
  private argmax!: IntBuffer;

  constructor(private readonly k: Kernels, maxPositions: number) {
    this.reserve(maxPositions);
  }

  private reserve(count: number): void {
    if (this.capacity >= count) return;
    const { k } = this;
    this.capacity = count;
    this.labels = k.allocInt(count);
    this.weights = k.allocFloat(count);
    this.losses = k.allocFloat(count);
    this.argmax = k.allocInt(count);
  }

  /**
   * Loss of `count` masked positions with logits [count, vocab] and gold token ids `labels` (host data); writes the
   * gradient into dLogits (which may be the logits buffer itself). `meanOver` is the count the mean divides by: the
   * global batch's masked positions when these are one rank's share of them, so that the ranks' losses and
   * gradients sum to the global batch's mean and its gradient. The per-position losses and predictions are read
   * back: they are the step's metrics.
   */
  compute(logits: FloatBuffer, labels: Int32Array, count: number, vocab: number, dLogits: FloatBuffer, meanOver = count): MaskedLmLossResult {
    const { k } = this;
    this.reserve(count);
    k.upload(this.labels, labels.subarray(0, count));
    k.fill(this.weights, 1 / (meanOver + 1e-5), 0, count);
    k.sparseCrossEntropy(logits, this.labels, this.weights, count, vocab, this.losses, dLogits, this.argmax);
    const losses = k.download(this.losses, 0, count);
    const argmax = k.download(this.argmax, 0, count);
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < count; i++) {
      loss += losses[i];
      if (argmax[i] === labels[i]) correct++;
    }
    return { loss, correct };
  }
}
