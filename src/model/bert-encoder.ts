import type { Kernels } from '../engine/kernels.js';
import type { Parameter, ParameterArena } from './arena.js';
import type { BertConfig } from './bert-config.js';
import { EMBEDDINGS_SITE, siteSeed } from './dropout-sites.js';
import { LayerActivations, LayerParameters, LayerScratch, TransformerLayer, type Shape } from './transformer-layer.js';

/** A batch of featurized inputs: `batch` sequences of `seq` tokens, row-major [batch, seq]. */
export interface EncoderInputs {
  batch: number;
  seq: number;
  inputIds: Int32Array;
  segmentIds: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  inputMask: Float32Array;
  /**
   * When these sequences are one rank's slice of a global batch (data-parallel training): the global index of the
   * first, so that dropout draws the global batch's masks for them. Absent: 0.
   */
  firstRow?: number;
}

/** The embedding layer's buffers for up to `rows` rows: its sum, LayerNorm output and statistics, position ids. */
class EmbeddingBuffers {
  /** Position ids of the rows, i mod seq, for the sequence length they were last filled for. */
  readonly positions: Int32Array;
  positionsSeq = 0;
  readonly sum: Float32Array;
  readonly mean: Float32Array;
  readonly rstd: Float32Array;
  readonly normed: Float32Array;

  constructor(rows: number, H: number) {
    this.positions = new Int32Array(rows);
    this.sum = new Float32Array(rows * H);
    this.mean = new Float32Array(rows);
    this.rstd = new Float32Array(rows);
    this.normed = new Float32Array(rows * H);
  }
}

/**
 * Training activations sized for a maximum shape; a smaller batch or a shorter sequence uses a prefix of every
 * buffer (the kernels take their sizes explicitly).
 */
class EncoderActivations {
  readonly max: Shape;
  readonly embed: EmbeddingBuffers;
  readonly embedOut: Float32Array;
  readonly embedMask: Uint8Array;
  readonly layers: LayerActivations[];
  readonly scratch: LayerScratch;
  /** The gradient of the sequence output (heads add into it), then of each layer's input in turn, with gradB. */
  readonly gradA: Float32Array;
  readonly gradB: Float32Array;

  constructor(c: BertConfig, max: Shape) {
    this.max = max;
    const rows = max.batch * max.seq;
    const H = c.hiddenSize;
    this.embed = new EmbeddingBuffers(rows, H);
    this.embedOut = c.hiddenDropoutProb > 0 ? new Float32Array(rows * H) : this.embed.normed;
    this.embedMask = new Uint8Array(c.hiddenDropoutProb > 0 ? rows * H : 0);
    this.layers = Array.from({ length: c.numHiddenLayers }, () => new LayerActivations(c, max));
    this.scratch = new LayerScratch(c, max);
    this.gradA = new Float32Array(rows * H);
    this.gradB = new Float32Array(rows * H);
  }
}

/** The inference path's buffers: the embeddings, and two [rows, hidden] buffers the layers' outputs alternate between. */
class InferenceBuffers {
  readonly embed: EmbeddingBuffers;
  readonly layerOutputs: [Float32Array, Float32Array];

  constructor(c: BertConfig, readonly max: Shape) {
    const rows = max.batch * max.seq;
    const H = c.hiddenSize;
    this.embed = new EmbeddingBuffers(rows, H);
    this.layerOutputs = [new Float32Array(rows * H), new Float32Array(rows * H)];
  }
}

/** Whether buffers sized for `max` hold `batch` sequences of `seq` tokens, and the shape covering both when not. */
function grownShape(max: Shape | undefined, batch: number, seq: number): Shape | null {
  if (max && max.seq >= seq && max.batch >= batch) return null;
  return max ? { batch: Math.max(batch, max.batch), seq: Math.max(seq, max.seq) } : { batch, seq };
}

/**
 * The BERT encoder (google-research/bert `BertModel` up to its sequence output): embeddings → post-LN transformer
 * layers. Heads (src/model/encoder-head.ts), the pooler among them, read its sequence output. Forward keeps what
 * backward needs; backward accumulates parameter gradients into the arena.
 */
export class BertEncoder {
  private readonly word: Parameter;
  private readonly tokenType: Parameter;
  private readonly position: Parameter;
  private readonly embedGamma: Parameter;
  private readonly embedBeta: Parameter;
  private readonly layerParams: LayerParameters[];
  private acts: EncoderActivations | null = null;
  private inference: InferenceBuffers | null = null;
  private layers: TransformerLayer[] = [];
  private shape: Shape = { batch: 0, seq: 0 };
  /** The inputs of the last training-path forward; null after an inference pass (backward then refuses). */
  private inputs: EncoderInputs | null = null;
  private training = false;
  /** The embedding output and last layer's output of the last pass, either path. */
  private embedded: Float32Array | null = null;
  private sequence: Float32Array | null = null;

  constructor(private readonly k: Kernels, readonly config: BertConfig, arena: ParameterArena) {
    this.word = arena.get('bert/embeddings/word_embeddings');
    this.tokenType = arena.get('bert/embeddings/token_type_embeddings');
    this.position = arena.get('bert/embeddings/position_embeddings');
    this.embedGamma = arena.get('bert/embeddings/LayerNorm/gamma');
    this.embedBeta = arena.get('bert/embeddings/LayerNorm/beta');
    this.layerParams = Array.from({ length: config.numHiddenLayers }, (_, i) => new LayerParameters(arena, i));
  }

  /**
   * Allocates training activations for up to `batch` sequences of up to `seq` tokens; they are kept, and grow only
   * when a larger shape comes (reserve the largest shape up front to allocate once).
   */
  reserve(batch: number, seq: number): void {
    const max = grownShape(this.acts?.max, batch, seq);
    if (!max) return;
    const acts = new EncoderActivations(this.config, max);
    this.acts = acts;
    this.layers = this.layerParams.map((p, i) => new TransformerLayer(this.k, this.config, i, p, acts.layers[i]));
  }

  /**
   * The training path: runs the encoder keeping every activation backward needs, with dropout when `training`;
   * returns the sequence output [batch·seq, hidden] (a view, valid until the next pass).
   */
  forward(inputs: EncoderInputs, training: boolean, stepSeed: number): Float32Array {
    const { k, config: c } = this;
    const { batch, seq } = inputs;
    this.checkLength(seq);
    this.reserve(batch, seq);
    const a = this.acts as EncoderActivations;
    const firstRow = inputs.firstRow ?? 0;
    this.shape = { batch, seq, firstRow };
    this.inputs = inputs;
    this.training = training;
    const rows = batch * seq;
    let x = this.embed(inputs, a.embed);
    if (training && c.hiddenDropoutProb > 0) {
      k.dropoutForward(x, a.embedOut, a.embedMask, rows * c.hiddenSize, c.hiddenDropoutProb, siteSeed(stepSeed, EMBEDDINGS_SITE, firstRow * seq * c.hiddenSize));
      x = a.embedOut;
    }
    this.embedded = x;
    for (const layer of this.layers) x = layer.forward(x, inputs.inputMask, this.shape, a.scratch, training, stepSeed);
    this.sequence = x;
    return x;
  }

  /**
   * The inference path: the same function as forward(inputs, false), through the fused one-kernel-per-layer
   * encoderLayerInference, keeping nothing for backward (two [rows, hidden] buffers serve every layer). With
   * rows 'cls' the last layer computes only each sequence's [CLS] row (all that pooled heads read; the other rows of
   * the result are stale and sequenceOutput() refuses); with 'all', every row. Returns the sequence output
   * [batch·seq, hidden] (a view, valid until the next pass).
   */
  infer(inputs: EncoderInputs, rows: 'cls' | 'all' = 'all'): Float32Array {
    const { k, config: c } = this;
    const { batch, seq } = inputs;
    this.checkLength(seq);
    const max = grownShape(this.inference?.max, batch, seq);
    if (max) this.inference = new InferenceBuffers(c, max);
    const buffers = this.inference as InferenceBuffers;
    this.inputs = null;
    let x = this.embed(inputs, buffers.embed);
    this.embedded = x;
    const last = this.layerParams.length - 1;
    this.layerParams.forEach((p, i) => {
      const y = buffers.layerOutputs[i % 2];
      const clsOnly = i === last && rows === 'cls';
      k.encoderLayerInference(x, inputs.inputMask, p.weights, y, batch, seq, c.numAttentionHeads, c.hiddenSize, c.intermediateSize, c.layerNormEps, clsOnly);
      x = y;
    });
    this.sequence = rows === 'all' || last < 0 ? x : null;
    return x;
  }

  /** The embedding output (after LayerNorm, and dropout when training) of the last pass: [batch·seq, hidden]. */
  embeddingOutput(): Float32Array {
    if (!this.embedded) throw new Error('forward or infer must run before this');
    return this.embedded;
  }

  /** The last layer's output of the last pass: [batch·seq, hidden]. */
  sequenceOutput(): Float32Array {
    if (!this.sequence) throw new Error("sequenceOutput needs a forward pass, or infer(inputs, 'all') (infer(inputs, 'cls') computes only [CLS] rows)");
    return this.sequence;
  }

  /**
   * The gradient buffer of the last training-path forward's sequence output, [batch·seq, hidden], zeroed: heads add
   * their input gradients into it (EncoderHead.backward), then backward() runs from it.
   */
  outputGradient(): Float32Array {
    const a = this.activations();
    const dy = a.gradA.subarray(0, this.shape.batch * this.shape.seq * this.config.hiddenSize);
    dy.fill(0);
    return dy;
  }

  /** Backward from the gradient in outputGradient(); accumulates every parameter gradient of the encoder. */
  backward(): void {
    const { k, config: c } = this;
    const a = this.activations();
    const inputs = this.inputs as EncoderInputs;
    const { batch, seq } = this.shape;
    const rows = batch * seq;
    const H = c.hiddenSize;
    let dy = a.gradA;
    let dx = a.gradB;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const input = i > 0 ? a.layers[i - 1].output : this.trainingEmbeddingOutput(a);
      this.layers[i].backward(input, dy, dx, this.shape, a.scratch, this.training);
      [dy, dx] = [dx, dy];
    }
    if (this.training && c.hiddenDropoutProb > 0) k.dropoutBackward(dy, a.embedMask, dy, rows * H, c.hiddenDropoutProb);
    const e = a.embed;
    k.layerNormBackward(dy, e.sum, this.embedGamma.value, e.mean, e.rstd, dy, this.embedGamma.grad, this.embedBeta.grad, rows, H);
    k.embeddingBackward(dy, inputs.inputIds, this.word.grad, rows, H);
    k.embeddingBackward(dy, inputs.segmentIds, this.tokenType.grad, rows, H);
    k.embeddingBackward(dy, e.positions, this.position.grad, rows, H);
  }

  private activations(): EncoderActivations {
    if (!this.acts || !this.inputs) throw new Error('backward needs a forward pass (infer keeps nothing for it)');
    return this.acts;
  }

  private trainingEmbeddingOutput(a: EncoderActivations): Float32Array {
    return this.training && this.config.hiddenDropoutProb > 0 ? a.embedOut : a.embed.normed;
  }

  private checkLength(seq: number): void {
    if (seq > this.config.maxPositionEmbeddings) {
      throw new Error(`sequence length ${seq} exceeds max_position_embeddings ${this.config.maxPositionEmbeddings}`);
    }
  }

  /** Word + token-type + position embeddings, then LayerNorm, into e.normed (returned). */
  private embed(inputs: EncoderInputs, e: EmbeddingBuffers): Float32Array {
    const { k, config: c } = this;
    const { batch, seq } = inputs;
    const rows = batch * seq;
    const H = c.hiddenSize;
    if (e.positionsSeq !== seq) {
      for (let i = 0; i < e.positions.length; i++) e.positions[i] = i % seq;
      e.positionsSeq = seq;
    }
    k.embeddingForward(this.word.value, inputs.inputIds, e.sum, rows, H);
    k.embeddingForward(this.tokenType.value, inputs.segmentIds, e.normed, rows, H);
    k.add(e.sum, e.normed, e.sum, rows * H);
    k.embeddingForward(this.position.value, e.positions, e.normed, rows, H);
    k.add(e.sum, e.normed, e.sum, rows * H);
    k.layerNormForward(e.sum, this.embedGamma.value, this.embedBeta.value, e.normed, e.mean, e.rstd, rows, H, c.layerNormEps);
    return e.normed;
  }
}
