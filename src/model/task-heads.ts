import type { ByteBuffer, FloatBuffer, IntBuffer, Kernels } from '../engine/backend.js';
import type { Parameter, ParameterArena } from './arena.js';
import type { EncoderInputs } from './bert-encoder.js';
import { denseBackward, denseForward } from './dense.js';
import { headsSite, siteSeed } from './dropout-sites.js';
import type { EncoderHead } from './encoder-head.js';
import { groupByTask } from './task-rows.js';
import { headPrefix } from './parameter-specs.js';

/** A task's head: `numOutputs` logits for classification, 1 for regression. */
export interface HeadSpec {
  task: string;
  numOutputs: number;
}

/** The original BAM applies dropout with keep-probability 0.9 to the pooled output before every head. */
export const HEAD_DROPOUT = 0.1;

interface Head {
  spec: HeadSpec;
  kernel: Parameter;
  bias: Parameter;
}

/**
 * BERT's pooler (tanh of a dense layer on each sequence's [CLS] row) and one dense layer per task on the pooled
 * output, as a head on the encoder's sequence output that reads only [CLS] rows. Each example runs only its own
 * task's head, which has the same result and gradient as the original's running every head and masking the losses
 * by task. The batch input is the examples' task ids: taskIds[i] indexes the head specs; a value ≥ the number of
 * heads marks a padding example, whose outputs are zero. Outputs are laid out [batch, maxOutputs]: example i's values
 * start at i · maxOutputs.
 */
export class TaskHeads implements EncoderHead<Int32Array> {
  readonly reads = 'cls';
  readonly heads: Head[];
  readonly maxOutputs: number;
  private readonly poolerKernel: Parameter;
  private readonly poolerBias: Parameter;
  /** Room for this many examples in the buffers below (-1: none allocated yet). */
  private capacity = -1;
  private clsIndex!: IntBuffer;
  private cls!: FloatBuffer;
  private pooledOut!: FloatBuffer;
  private dPooledPre!: FloatBuffer;
  private dCls!: FloatBuffer;
  private dropped!: FloatBuffer;
  private mask!: ByteBuffer;
  private gathered!: FloatBuffer;
  private gatheredGrad!: FloatBuffer;
  private input!: FloatBuffer;
  private headOut!: FloatBuffer;
  private dPooled!: FloatBuffer;
  /** The batch's example indices grouped by task (task 0's first), on the host and uploaded to `rowIndex`. */
  private rowOrder = new Int32Array(0);
  private rowIndex!: IntBuffer;
  /** Where each task's examples start in rowOrder, and how many there are. */
  private readonly starts: Int32Array;
  private readonly counts: Int32Array;
  private batch = 0;
  private training = false;

  constructor(private readonly k: Kernels, private readonly hiddenSize: number, private readonly numLayers: number, arena: ParameterArena, specs: HeadSpec[]) {
    this.poolerKernel = arena.get('bert/pooler/dense/kernel');
    this.poolerBias = arena.get('bert/pooler/dense/bias');
    this.heads = specs.map((spec) => ({
      spec,
      kernel: arena.get(`${headPrefix(spec.task)}/kernel`),
      bias: arena.get(`${headPrefix(spec.task)}/bias`),
    }));
    this.maxOutputs = Math.max(1, ...specs.map((s) => s.numOutputs));
    this.counts = new Int32Array(specs.length);
    this.starts = new Int32Array(specs.length);
  }

  private reserve(batch: number): void {
    if (this.capacity >= batch) return;
    const { k, hiddenSize: H } = this;
    this.capacity = batch;
    this.clsIndex = k.allocInt(batch);
    this.cls = k.allocFloat(batch * H);
    this.pooledOut = k.allocFloat(batch * H);
    this.dPooledPre = k.allocFloat(batch * H);
    this.dCls = k.allocFloat(batch * H);
    this.dropped = k.allocFloat(batch * H);
    this.mask = k.allocByte(batch * H);
    this.gathered = k.allocFloat(batch * H);
    this.gatheredGrad = k.allocFloat(batch * H);
    this.headOut = k.allocFloat(batch * this.maxOutputs);
    this.dPooled = k.allocFloat(batch * H);
    this.rowOrder = new Int32Array(batch);
    this.rowIndex = k.allocInt(batch);
  }

  /** Task t's example indices on the backend. */
  private rowsOf(t: number): IntBuffer {
    return this.k.view(this.rowIndex, this.starts[t], this.counts[t]);
  }

  /** The pooled outputs [batch, hidden] of the last forward (a view, valid until the next one). */
  pooled(): FloatBuffer {
    return this.k.view(this.pooledOut, 0, this.batch * this.hiddenSize);
  }

  forward(sequence: FloatBuffer, inputs: EncoderInputs, taskIds: Int32Array, training: boolean, stepSeed: number, outputs: FloatBuffer): void {
    const { k, hiddenSize: H, maxOutputs: M } = this;
    const { batch, seq } = inputs;
    this.reserve(batch);
    this.batch = batch;
    this.training = training;
    k.firstRows(this.clsIndex, batch, seq);
    k.embeddingForward(sequence, this.clsIndex, this.cls, batch, H);
    denseForward(k, this.cls, this.poolerKernel.value, this.poolerBias.value, this.pooledOut, batch, H, H);
    k.tanhForward(this.pooledOut, this.pooledOut, batch * H);
    let input = this.pooledOut;
    if (training) {
      k.dropoutForward(this.pooledOut, this.dropped, this.mask, batch * H, HEAD_DROPOUT, siteSeed(stepSeed, headsSite(this.numLayers), (inputs.firstRow ?? 0) * H));
      input = this.dropped;
    }
    this.input = input;
    // Grouped on the host from the batch's task ids and uploaded; the rows are gathered and scattered on the backend.
    const grouped = groupByTask(taskIds, batch, this.rowOrder, this.starts, this.counts);
    k.upload(this.rowIndex, this.rowOrder.subarray(0, grouped));
    // Each example's row is written once, so adding into zeros is a copy.
    k.fill(outputs, 0, 0, batch * M);
    this.heads.forEach((head, t) => {
      const n = this.counts[t];
      if (n === 0) return;
      const C = head.spec.numOutputs;
      const rows = this.rowsOf(t);
      k.gatherRows(input, H, rows, n, H, this.gathered, H);
      denseForward(k, this.gathered, head.kernel.value, head.bias.value, this.headOut, n, H, C);
      k.scatterAddRows(this.headOut, C, rows, n, C, outputs, M);
    });
  }

  backward(dOutputs: FloatBuffer, dSequence: FloatBuffer): void {
    const { k, hiddenSize: H, maxOutputs: M, batch } = this;
    k.fill(this.dPooled, 0, 0, batch * H);
    this.heads.forEach((head, t) => {
      const n = this.counts[t];
      if (n === 0) return;
      const C = head.spec.numOutputs;
      const rows = this.rowsOf(t);
      k.gatherRows(dOutputs, M, rows, n, C, this.headOut, C);
      k.gatherRows(this.input, H, rows, n, H, this.gathered, H);
      denseBackward(k, this.gathered, head.kernel.value, this.headOut, this.gatheredGrad, head.kernel.grad, head.bias.grad, n, H, C);
      k.scatterAddRows(this.gatheredGrad, H, rows, n, H, this.dPooled, H);
    });
    if (this.training) k.dropoutBackward(this.dPooled, this.mask, this.dPooled, batch * H, HEAD_DROPOUT);
    k.tanhBackward(this.dPooled, this.pooledOut, this.dPooledPre, batch * H);
    denseBackward(k, this.cls, this.poolerKernel.value, this.dPooledPre, this.dCls, this.poolerKernel.grad, this.poolerBias.grad, batch, H, H);
    k.embeddingBackward(this.dCls, this.clsIndex, dSequence, batch, H);
  }
}
