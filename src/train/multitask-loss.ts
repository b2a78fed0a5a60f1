import type { FloatBuffer, IntBuffer, Kernels } from '../engine/backend.js';
import { groupByTask } from '../model/task-rows.js';

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
  /** Each example's weighted loss from the last compute (host memory). */
  readonly perExample: Float32Array;
  /** The examples grouped by task (task 0's first), and where each task's run starts and how long it is. */
  private readonly rowOrder: Int32Array;
  private readonly starts: Int32Array;
  private readonly counts: Int32Array;
  /** Host staging of the batch's data in that order: gold labels, regression golds, teacher logits and predictions. */
  private readonly hostLabels: Int32Array;
  private readonly hostGold: Float32Array;
  private readonly hostTeacher: Float32Array;
  private readonly hostTeacherPredictions: Float32Array;
  /** On the backend, in task order: row indices, labels, regression golds and teacher outputs, then the loss inputs and outputs. */
  private readonly rowIndex: IntBuffer;
  private readonly labels: IntBuffer;
  private readonly gold: FloatBuffer;
  private readonly teacher: FloatBuffer;
  private readonly teacherPredictions: FloatBuffer;
  private readonly logits: FloatBuffer;
  private readonly targets: FloatBuffer;
  private readonly weights: FloatBuffer;
  private readonly losses: FloatBuffer;
  private readonly grads: FloatBuffer;

  constructor(
    private readonly k: Kernels,
    private readonly heads: LossHead[],
    private readonly maxOutputs: number,
    maxBatch: number,
    /** Softmax temperature of the teacher's logits (the original's is 1). */
    private readonly temperature = 1,
  ) {
    this.perExample = new Float32Array(maxBatch);
    this.rowOrder = new Int32Array(maxBatch);
    this.starts = new Int32Array(heads.length);
    this.counts = new Int32Array(heads.length);
    this.hostLabels = new Int32Array(maxBatch);
    this.hostGold = new Float32Array(maxBatch);
    this.hostTeacher = new Float32Array(maxBatch * maxOutputs);
    this.hostTeacherPredictions = new Float32Array(maxBatch);
    this.rowIndex = k.allocInt(maxBatch);
    this.labels = k.allocInt(maxBatch);
    this.gold = k.allocFloat(maxBatch);
    this.teacher = k.allocFloat(maxBatch * maxOutputs);
    this.teacherPredictions = k.allocFloat(maxBatch);
    this.logits = k.allocFloat(maxBatch * maxOutputs);
    this.targets = k.allocFloat(maxBatch * maxOutputs);
    this.weights = k.allocFloat(maxBatch);
    this.losses = k.allocFloat(maxBatch);
    this.grads = k.allocFloat(maxBatch * maxOutputs);
  }

  /**
   * Loss of a batch given the head outputs [batch, maxOutputs]; writes dOutputs (same layout) and `perExample`.
   * `goldWeight` is g above. Returns the summed loss, accumulated in float64. The batch's host data (task ids,
   * labels, teacher outputs) is staged in task order and uploaded; targets, losses and gradients are computed on
   * the backend, and only the per-example losses come back.
   */
  compute(outputs: FloatBuffer, t: LossTargets, batch: number, goldWeight: number, dOutputs: FloatBuffer): number {
    const { k, maxOutputs: M } = this;
    const used = this.stage(t, batch);
    k.fill(dOutputs, 0, 0, batch * M);
    this.heads.forEach((head, task) => {
      const n = this.counts[task];
      if (n === 0) return;
      const at = this.starts[task];
      const C = head.numOutputs;
      const rows = k.view(this.rowIndex, at, n);
      const logits = k.view(this.logits, at * M, n * C);
      const targets = k.view(this.targets, at * M, n * C);
      const grads = k.view(this.grads, at * M, n * C);
      const weights = k.view(this.weights, at, n);
      const losses = k.view(this.losses, at, n);
      k.fill(weights, head.weight, 0, n);
      k.gatherRows(outputs, M, rows, n, C, logits, C);
      if (head.regression) {
        const gold = k.view(this.gold, at, n);
        if (t.teacherPredictions) k.weightedSum(gold, goldWeight, k.view(this.teacherPredictions, at, n), 1 - goldWeight, targets, n);
        else k.copy(gold, targets, n);
        k.squaredError(logits, targets, weights, n, losses, grads);
      } else {
        const teacher = t.teacherLogits ? k.view(this.teacher, at * M, n * C) : null;
        k.softTargets(teacher, C, k.view(this.labels, at, n), n, C, goldWeight, this.temperature, targets);
        k.softCrossEntropy(logits, targets, weights, n, C, losses, grads);
      }
      k.scatterAddRows(grads, C, rows, n, C, dOutputs, M);
    });
    const losses = k.download(this.losses, 0, used);
    this.perExample.fill(0, 0, batch);
    let total = 0;
    for (let p = 0; p < used; p++) {
      this.perExample[this.rowOrder[p]] = losses[p];
      total += losses[p];
    }
    return total;
  }

  /**
   * Groups the batch's examples by task and uploads, in that order, their row indices, labels, regression golds and
   * teacher outputs (task t's teacher logits [n, C] from element starts[t]·maxOutputs on, as its logits, targets and
   * gradients). Returns how many examples have a head (padding examples have none).
   */
  private stage(t: LossTargets, batch: number): number {
    const { k, maxOutputs: M } = this;
    const used = groupByTask(t.taskIds, batch, this.rowOrder, this.starts, this.counts);
    this.heads.forEach((head, task) => {
      const C = head.numOutputs;
      for (let r = 0; r < this.counts[task]; r++) {
        const p = this.starts[task] + r;
        const i = this.rowOrder[p];
        if (head.regression) {
          this.hostGold[p] = t.regressionTargets[i];
          if (t.teacherPredictions) this.hostTeacherPredictions[p] = t.teacherPredictions[i];
        } else {
          this.hostLabels[p] = t.labelIds[i];
          if (t.teacherLogits) this.hostTeacher.set(t.teacherLogits.subarray(i * M, i * M + C), this.starts[task] * M + r * C);
        }
      }
    });
    k.upload(this.rowIndex, this.rowOrder.subarray(0, used));
    k.upload(this.labels, this.hostLabels.subarray(0, used));
    k.upload(this.gold, this.hostGold.subarray(0, used));
    if (t.teacherLogits) k.upload(this.teacher, this.hostTeacher.subarray(0, used * M));
    if (t.teacherPredictions) k.upload(this.teacherPredictions, this.hostTeacherPredictions.subarray(0, used));
    return used;
  }

  /**
   * Each task's own loss over its examples of the last compute, without the task weight: [sum, count] per head, in
   * head order (a task absent from the batch has count 0).
   */
  taskLosses(): { sum: number; count: number }[] {
    return this.heads.map((head, task) => {
      const n = this.counts[task];
      let sum = 0;
      for (let r = 0; r < n; r++) sum += this.perExample[this.rowOrder[this.starts[task] + r]];
      return { sum: head.weight === 0 ? 0 : sum / head.weight, count: n };
    });
  }
}
