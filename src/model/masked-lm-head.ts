import type { FloatBuffer, IntBuffer, Kernels } from '../engine/backend.js';
import type { Parameter, ParameterArena } from './arena.js';
import type { BertConfig } from './bert-config.js';
import type { EncoderInputs } from './bert-encoder.js';
import { denseBackward } from './dense.js';
import type { EncoderHead } from './encoder-head.js';
import { MASKED_LM_PREFIX } from './parameter-specs.js';

/** The masked positions of a batch (host data): `count` rows of the [batch·seq, hidden] sequence output, as b·seq + position. */
export interface MaskedPositions {
  count: number;
  rows: Int32Array;
}

/**
 * BERT's masked-LM head, on the masked positions only (a sparse output: the [count, vocab] logits, not [batch·seq,
 * vocab]): gather the rows, h = LayerNorm(GELU(x·W + b)), logits = h · word_embeddingsᵀ + output_bias. The decoder
 * is the encoder's word-embedding table, so its gradient adds to the embedding's. No dropout, as in BERT.
 */
export class MaskedLmHead implements EncoderHead<MaskedPositions> {
  readonly reads = 'all';
  private readonly kernel: Parameter;
  private readonly bias: Parameter;
  private readonly gamma: Parameter;
  private readonly beta: Parameter;
  private readonly outputBias: Parameter;
  private readonly word: Parameter;
  private readonly H: number;
  private readonly V: number;
  /** Room for this many positions in the buffers below (-1: none allocated yet). */
  private capacity = -1;
  private count = 0;
  /** The masked rows, uploaded. */
  private rows!: IntBuffer;
  private gathered!: FloatBuffer;
  /** The transform's pre-activation (x·W + b), GELU's input. */
  private pre!: FloatBuffer;
  private activated!: FloatBuffer;
  private normed!: FloatBuffer;
  private mean!: FloatBuffer;
  private rstd!: FloatBuffer;
  private dNormed!: FloatBuffer;
  private dGathered!: FloatBuffer;

  constructor(private readonly k: Kernels, private readonly config: BertConfig, arena: ParameterArena) {
    this.kernel = arena.get(`${MASKED_LM_PREFIX}/transform/dense/kernel`);
    this.bias = arena.get(`${MASKED_LM_PREFIX}/transform/dense/bias`);
    this.gamma = arena.get(`${MASKED_LM_PREFIX}/transform/LayerNorm/gamma`);
    this.beta = arena.get(`${MASKED_LM_PREFIX}/transform/LayerNorm/beta`);
    this.outputBias = arena.get(`${MASKED_LM_PREFIX}/output_bias`);
    this.word = arena.get('bert/embeddings/word_embeddings');
    this.H = config.hiddenSize;
    this.V = config.vocabSize;
  }

  private reserve(count: number): void {
    if (this.capacity >= count) return;
    const { k, H } = this;
    const n = count * H;
    this.capacity = count;
    this.rows = k.allocInt(count);
    this.gathered = k.allocFloat(n);
    this.pre = k.allocFloat(n);
    this.activated = k.allocFloat(n);
    this.normed = k.allocFloat(n);
    this.mean = k.allocFloat(count);
    this.rstd = k.allocFloat(count);
    this.dNormed = k.allocFloat(n);
    this.dGathered = k.allocFloat(n);
  }

  /** Writes logits [count, vocab] for the masked positions. */
  forward(sequence: FloatBuffer, inputs: EncoderInputs, positions: MaskedPositions, _training: boolean, _stepSeed: number, logits: FloatBuffer): void {
    const { k, H, V } = this;
    const n = positions.count;
    if (n > inputs.batch * inputs.seq) throw new Error(`${n} masked positions for a batch of ${inputs.batch * inputs.seq} rows`);
    this.reserve(n);
    this.count = n;
    k.upload(this.rows, positions.rows.subarray(0, n));
    k.embeddingForward(sequence, this.rows, this.gathered, n, H);
    k.gemm(false, false, n, H, H, 1, this.gathered, this.kernel.value, 0, this.pre);
    k.biasGeluForward(this.pre, this.bias.value, this.activated, n, H);
    k.layerNormForward(this.activated, this.gamma.value, this.beta.value, this.normed, this.mean, this.rstd, n, H, this.config.layerNormEps);
    k.gemm(false, true, n, V, H, 1, this.normed, this.word.value, 0, logits, this.outputBias.value);
  }

  /** dLogits [count, vocab]: accumulates the head's gradients and the word embeddings', adds into dSequence's rows. */
  backward(dLogits: FloatBuffer, dSequence: FloatBuffer): void {
    const { k, H, V, count: n } = this;
    k.biasGrad(dLogits, n, V, this.outputBias.grad);
    k.gemm(true, false, V, H, n, 1, dLogits, this.normed, 1, this.word.grad);
    k.gemm(false, false, n, H, V, 1, dLogits, this.word.value, 0, this.dNormed);
    k.layerNormBackward(this.dNormed, this.activated, this.gamma.value, this.mean, this.rstd, this.dNormed, this.gamma.grad, this.beta.grad, n, H);
    k.geluBackward(this.dNormed, this.pre, this.dNormed, n * H);
    denseBackward(k, this.gathered, this.kernel.value, this.dNormed, this.dGathered, this.kernel.grad, this.bias.grad, n, H, H);
    k.embeddingBackward(this.dGathered, this.rows, dSequence, n, H);
  }
}
