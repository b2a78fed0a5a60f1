import type { Kernels } from '../engine/kernels.js';

/** The per-example training signal of a batch; arrays are [batch] unless noted. */
export interface LossTargets {
  /** Index into the loss heads; ≥ the number of heads for a padding example (zero loss). */
  taskIds: Int32Array;
  /** Gold class index (classification examples). */
  labelIds: Int32Array;
  /** Gold regression target, already normalised (STS-B: score / 5). */
  regressionTargets: Float32Array;
  /** Teacher logits [batch, maxOutputs] (classification) when distilling. */
  teacherLogits?: Float32Array;
  /** Teacher regression predictions [batch] when distilling. */
  teacherPredictions?: Float32Array;
}

/** How one task's head is trained. */
export interface LossHead {
  numOutputs: number;
  regression: boolean;
  /** The task's loss weight (task_weights of the original). */
  weight: number;
}

/**
 * BAM's multi-task loss: Σ over the batch of task_weight × the loss of the example's own task head (padding examples
 * contribute nothing). Classification: soft-target cross-entropy with target g·onehot(gold) + (1 − g)·softmax(teacher
 * / T); regression: squared error with target g·gold + (1 − g)·teacher. g = 1 without distillation, λ = step/total
 * with teacher annealing, 1 − distill_weight without.
 */
export class MultitaskLoss {
  /** Each example's weighted loss from the last compute. */
  readonly perExample: Float32Array;
  private readonly rowsOf: Int32Array[];
  private readonly counts: Int32Array;
  private readonly logits: Float32Array;
  private readonly targets: Float32Array;
  private readonly weights: Float32Array;
  private readonly losses: Float32Array;
  private readonly grads: Float32Array;

  constructor(
    private readonly k: Kernels,
    private readonly heads: LossHead[],
    private readonly maxOutputs: number,
    maxBatch: number,
    /** Softmax temperature of the teacher's logits (the original's is 1). */
    private readonly temperature = 1,
  ) {
    this.perExample = new Float32Array(maxBatch);
    this.rowsOf = heads.map(() => new Int32Array(maxBatch));
    this.counts = new Int32Array(heads.length);
    this.logits = new Float32Array(maxBatch * maxOutputs);
    this.targets = new Float32Array(maxBatch * maxOutputs);
    this.weights = new Float32Array(maxBatch);
    this.losses = new Float32Array(maxBatch);
    this.grads = new Float32Array(maxBatch * maxOutputs);
  }

  /**
   * Loss of a batch given the head outputs [batch, maxOutputs]; writes dOutputs (same layout) and `perExample`.
   * `goldWeight` is g above. Returns the summed loss, accumulated in float64.
   */
  compute(outputs: Float32Array, t: LossTargets, batch: number, goldWeight: number, dOutputs: Float32Array): number {
    const { k, maxOutputs: M } = this;
    this.counts.fill(0);
    for (let i = 0; i < batch; i++) {
      const task = t.taskIds[i];
      if (task >= 0 && task < this.heads.length) this.rowsOf[task][this.counts[task]++] = i;
    }
    this.perExample.fill(0, 0, batch);
    dOutputs.fill(0, 0, batch * M);
    let total = 0;
    this.heads.forEach((head, task) => {
      const n = this.counts[task];
      if (n === 0) return;
      const rows = this.rowsOf[task];
      const C = head.numOutputs;
      this.weights.fill(head.weight, 0, n);
      for (let r = 0; r < n; r++) {
        const i = rows[r];
        this.logits.set(outputs.subarray(i * M, i * M + C), r * C);
        if (head.regression) this.targets[r] = this.regressionTarget(t, i, goldWeight);
        else this.classificationTarget(t, i, C, goldWeight, this.targets.subarray(r * C, r * C + C));
      }
      if (head.regression) k.squaredError(this.logits, this.targets, this.weights, n, this.losses, this.grads);
      else k.softCrossEntropy(this.logits, this.targets, this.weights, n, C, this.losses, this.grads);
      for (let r = 0; r < n; r++) {
        const i = rows[r];
        this.perExample[i] = this.losses[r];
        total += this.losses[r];
        dOutputs.set(this.grads.subarray(r * C, r * C + C), i * M);
      }
    });
    return total;
  }

  /**
   * Each task's own loss over its examples of the last compute, without the task weight: [sum, count] per head, in
   * head order (a task absent from the batch has count 0).
   */
  taskLosses(): { sum: number; count: number }[] {
    return this.heads.map((head, task) => {
      const n = this.counts[task];
      let sum = 0;
      for (let r = 0; r < n; r++) sum += this.perExample[this.rowsOf[task][r]];
      return { sum: head.weight === 0 ? 0 : sum / head.weight, count: n };
    });
  }

  private regressionTarget(t: LossTargets, i: number, goldWeight: number): number {
    if (!t.teacherPredictions) return t.regressionTargets[i];
    return goldWeight * t.regressionTargets[i] + (1 - goldWeight) * t.teacherPredictions[i];
  }

  private classificationTarget(t: LossTargets, i: number, C: number, goldWeight: number, out: Float32Array): void {
    out.fill(0);
    const teacher = t.teacherLogits;
    if (!teacher) {
      out[t.labelIds[i]] = 1;
      return;
    }
    const base = i * this.maxOutputs;
    const T = this.temperature;
    let max = -Infinity;
    for (let j = 0; j < C; j++) max = Math.max(max, teacher[base + j] / T);
    let sum = 0;
    for (let j = 0; j < C; j++) sum += Math.exp(teacher[base + j] / T - max);
    for (let j = 0; j < C; j++) out[j] = (1 - goldWeight) * Math.exp(teacher[base + j] / T - max) / sum;
    out[t.labelIds[i]] += goldWeight;
  }
}
