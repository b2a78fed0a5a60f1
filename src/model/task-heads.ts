import type { Kernels } from '../engine/kernels.js';
import type { Parameter, ParameterArena } from './arena.js';
import type { EncoderInputs } from './bert-encoder.js';
import { denseBackward, denseForward } from './dense.js';
import { headsSite, siteSeed } from './dropout-sites.js';
import { clsRows, type EncoderHead } from './encoder-head.js';
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
  private clsIndex = new Int32Array(0);
  private cls = new Float32Array(0);
  private pooledOut = new Float32Array(0);
  private dPooledPre = new Float32Array(0);
  private dCls = new Float32Array(0);
  private dropped = new Float32Array(0);
  private mask = new Uint8Array(0);
  private gathered = new Float32Array(0);
  private gatheredGrad = new Float32Array(0);
  private input: Float32Array = new Float32Array(0);
  private headOut = new Float32Array(0);
  private dPooled = new Float32Array(0);
  private rowsOf: Int32Array[] = [];
  private counts: Int32Array;
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
  }

  private reserve(batch: number): void {
    if (this.clsIndex.length >= batch) return;
    const H = this.hiddenSize;
    this.clsIndex = new Int32Array(batch);
    this.cls = new Float32Array(batch * H);
    this.pooledOut = new Float32Array(batch * H);
    this.dPooledPre = new Float32Array(batch * H);
    this.dCls = new Float32Array(batch * H);
    this.dropped = new Float32Array(batch * H);
    this.mask = new Uint8Array(batch * H);
    this.gathered = new Float32Array(batch * H);
    this.gatheredGrad = new Float32Array(batch * H);
    this.headOut = new Float32Array(batch * this.maxOutputs);
    this.dPooled = new Float32Array(batch * H);
    this.rowsOf = this.heads.map(() => new Int32Array(batch));
  }

  /** The pooled outputs [batch, hidden] of the last forward (a view, valid until the next one). */
  pooled(): Float32Array {
    return this.pooledOut.subarray(0, this.batch * this.hiddenSize);
  }

  forward(sequence: Float32Array, inputs: EncoderInputs, taskIds: Int32Array, training: boolean, stepSeed: number, outputs: Float32Array): void {
    const { k, hiddenSize: H, maxOutputs: M } = this;
    const { batch, seq } = inputs;
    this.reserve(batch);
    this.batch = batch;
    this.training = training;
    k.embeddingForward(sequence, clsRows(batch, seq, this.clsIndex), this.cls, batch, H);
    denseForward(k, this.cls, this.poolerKernel.value, this.poolerBias.value, this.pooledOut, batch, H, H);
    k.tanhForward(this.pooledOut, this.pooledOut, batch * H);
    let input = this.pooledOut;
    if (training) {
      k.dropoutForward(this.pooledOut, this.dropped, this.mask, batch * H, HEAD_DROPOUT, siteSeed(stepSeed, headsSite(this.numLayers), (inputs.firstRow ?? 0) * H));
      input = this.dropped;
    }
    this.input = input;
    this.counts.fill(0);
    for (let i = 0; i < batch; i++) {
      const t = taskIds[i];
      if (t >= 0 && t < this.heads.length) this.rowsOf[t][this.counts[t]++] = i;
    }
    outputs.fill(0, 0, batch * M);
    this.heads.forEach((head, t) => {
      const n = this.counts[t];
      if (n === 0) return;
      const C = head.spec.numOutputs;
      const rows = this.rowsOf[t];
      for (let r = 0; r < n; r++) this.gathered.set(input.subarray(rows[r] * H, rows[r] * H + H), r * H);
      denseForward(k, this.gathered, head.kernel.value, head.bias.value, this.headOut, n, H, C);
      for (let r = 0; r < n; r++) outputs.set(this.headOut.subarray(r * C, r * C + C), rows[r] * M);
    });
  }

  backward(dOutputs: Float32Array, dSequence: Float32Array): void {
    const { k, hiddenSize: H, maxOutputs: M, batch } = this;
    this.dPooled.fill(0, 0, batch * H);
    this.heads.forEach((head, t) => {
      const n = this.counts[t];
      if (n === 0) return;
      const C = head.spec.numOutputs;
      const rows = this.rowsOf[t];
      for (let r = 0; r < n; r++) {
        this.headOut.set(dOutputs.subarray(rows[r] * M, rows[r] * M + C), r * C);
        this.gathered.set(this.input.subarray(rows[r] * H, rows[r] * H + H), r * H);
      }
      denseBackward(k, this.gathered, head.kernel.value, this.headOut, this.gatheredGrad, head.kernel.grad, head.bias.grad, n, H, C);
      for (let r = 0; r < n; r++) this.dPooled.set(this.gatheredGrad.subarray(r * H, r * H + H), rows[r] * H);
    });
    if (this.training) k.dropoutBackward(this.dPooled, this.mask, this.dPooled, batch * H, HEAD_DROPOUT);
    k.tanhBackward(this.dPooled, this.pooledOut, this.dPooledPre, batch * H);
    denseBackward(k, this.cls, this.poolerKernel.value, this.dPooledPre, this.dCls, this.poolerKernel.grad, this.poolerBias.grad, batch, H, H);
    k.embeddingBackward(this.dCls, this.clsIndex, dSequence, batch, H);
  }
}
