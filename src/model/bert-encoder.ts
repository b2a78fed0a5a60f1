import type { Kernels } from '../engine/kernels.js';
import type { Parameter, ParameterArena } from './arena.js';
import type { BertConfig } from './bert-config.js';
import { denseBackward, denseForward } from './dense.js';
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
}

/**
 * Activations sized for a maximum shape; a smaller batch or a shorter sequence uses a prefix of every buffer (the
 * kernels take their sizes explicitly).
 */
class EncoderActivations {
  readonly max: Shape;
  /** Position ids of the rows, i mod seq, for the sequence length they were last filled for. */
  readonly positions: Int32Array;
  positionsSeq = 0;
  readonly embedSum: Float32Array;
  readonly embedMean: Float32Array;
  readonly embedRstd: Float32Array;
  readonly embedNormed: Float32Array;
  readonly embedOut: Float32Array;
  readonly embedMask: Uint8Array;
  readonly layers: LayerActivations[];
  readonly scratch: LayerScratch;
  readonly cls: Float32Array;
  readonly pooled: Float32Array;
  readonly gradA: Float32Array;
  readonly gradB: Float32Array;
  readonly dPooledPre: Float32Array;
  readonly dCls: Float32Array;

  constructor(c: BertConfig, max: Shape) {
    this.max = max;
    const rows = max.batch * max.seq;
    const H = c.hiddenSize;
    this.positions = new Int32Array(rows);
    this.embedSum = new Float32Array(rows * H);
    this.embedMean = new Float32Array(rows);
    this.embedRstd = new Float32Array(rows);
    this.embedNormed = new Float32Array(rows * H);
    this.embedOut = c.hiddenDropoutProb > 0 ? new Float32Array(rows * H) : this.embedNormed;
    this.embedMask = new Uint8Array(c.hiddenDropoutProb > 0 ? rows * H : 0);
    this.layers = Array.from({ length: c.numHiddenLayers }, () => new LayerActivations(c, max));
    this.scratch = new LayerScratch(c, max);
    this.cls = new Float32Array(max.batch * H);
    this.pooled = new Float32Array(max.batch * H);
    this.gradA = new Float32Array(rows * H);
    this.gradB = new Float32Array(rows * H);
    this.dPooledPre = new Float32Array(max.batch * H);
    this.dCls = new Float32Array(max.batch * H);
  }
}

/**
 * The BERT encoder and pooler (google-research/bert `BertModel`): embeddings → post-LN transformer layers → tanh
 * pooler on [CLS]. Forward keeps what backward needs; backward accumulates parameter gradients into the arena.
 */
export class BertEncoder {
  private readonly word: Parameter;
  private readonly tokenType: Parameter;
  private readonly position: Parameter;
  private readonly embedGamma: Parameter;
  private readonly embedBeta: Parameter;
  private readonly poolerKernel: Parameter;
  private readonly poolerBias: Parameter;
  private readonly layerParams: LayerParameters[];
  private acts: EncoderActivations | null = null;
  private layers: TransformerLayer[] = [];
  private shape: Shape = { batch: 0, seq: 0 };
  private inputs: EncoderInputs | null = null;
  private training = false;

  constructor(private readonly k: Kernels, readonly config: BertConfig, arena: ParameterArena) {
    this.word = arena.get('bert/embeddings/word_embeddings');
    this.tokenType = arena.get('bert/embeddings/token_type_embeddings');
    this.position = arena.get('bert/embeddings/position_embeddings');
    this.embedGamma = arena.get('bert/embeddings/LayerNorm/gamma');
    this.embedBeta = arena.get('bert/embeddings/LayerNorm/beta');
    this.poolerKernel = arena.get('bert/pooler/dense/kernel');
    this.poolerBias = arena.get('bert/pooler/dense/bias');
    this.layerParams = Array.from({ length: config.numHiddenLayers }, (_, i) => new LayerParameters(arena, i));
  }

  /**
   * Allocates activations for up to `batch` sequences of up to `seq` tokens; they are kept, and grow only when a
   * larger shape comes (reserve the largest shape up front to allocate once).
   */
  reserve(batch: number, seq: number): void {
    if (this.acts && this.acts.max.seq >= seq && this.acts.max.batch >= batch) return;
    const max = this.acts ? { batch: Math.max(batch, this.acts.max.batch), seq: Math.max(seq, this.acts.max.seq) } : { batch, seq };
    this.acts = new EncoderActivations(this.config, max);
    const acts = this.acts;
    this.layers = this.layerParams.map((p, i) => new TransformerLayer(this.k, this.config, i, p, acts.layers[i]));
  }

  /** Runs the encoder; returns [batch, hidden] pooled outputs (a view, valid until the next forward). */
  forward(inputs: EncoderInputs, training: boolean, stepSeed: number): Float32Array {
    const { k, config: c } = this;
    const { batch, seq } = inputs;
    if (seq > c.maxPositionEmbeddings) {
      throw new Error(`sequence length ${seq} exceeds max_position_embeddings ${c.maxPositionEmbeddings}`);
    }
    this.reserve(batch, seq);
    const a = this.acts as EncoderActivations;
    this.shape = { batch, seq };
    this.inputs = inputs;
    this.training = training;
    const rows = batch * seq;
    const H = c.hiddenSize;
    if (a.positionsSeq !== seq) {
      for (let i = 0; i < a.positions.length; i++) a.positions[i] = i % seq;
      a.positionsSeq = seq;
    }

    k.embeddingForward(this.word.value, inputs.inputIds, a.embedSum, rows, H);
    k.embeddingForward(this.tokenType.value, inputs.segmentIds, a.embedNormed, rows, H);
    k.add(a.embedSum, a.embedNormed, a.embedSum, rows * H);
    k.embeddingForward(this.position.value, a.positions, a.embedNormed, rows, H);
    k.add(a.embedSum, a.embedNormed, a.embedSum, rows * H);
    k.layerNormForward(a.embedSum, this.embedGamma.value, this.embedBeta.value, a.embedNormed, a.embedMean, a.embedRstd, rows, H, c.layerNormEps);
    let x = a.embedNormed;
    if (training && c.hiddenDropoutProb > 0) {
      k.dropoutForward(a.embedNormed, a.embedOut, a.embedMask, rows * H, c.hiddenDropoutProb, siteSeed(stepSeed, EMBEDDINGS_SITE));
      x = a.embedOut;
    }
    for (const layer of this.layers) x = layer.forward(x, inputs.inputMask, this.shape, a.scratch, training, stepSeed);

    for (let b = 0; b < batch; b++) a.cls.set(x.subarray(b * seq * H, b * seq * H + H), b * H);
    denseForward(k, a.cls, this.poolerKernel.value, this.poolerBias.value, a.pooled, batch, H, H);
    k.tanhForward(a.pooled, a.pooled, batch * H);
    return a.pooled;
  }

  /** The embedding output (after LayerNorm and dropout) of the last forward: [batch·seq, hidden]. */
  embeddingOutput(): Float32Array {
    const a = this.activations();
    return this.training && this.config.hiddenDropoutProb > 0 ? a.embedOut : a.embedNormed;
  }

  /** The last layer's output of the last forward: [batch·seq, hidden]. */
  sequenceOutput(): Float32Array {
    const a = this.activations();
    return a.layers.length > 0 ? a.layers[a.layers.length - 1].output : this.embeddingOutput();
  }

  /** Backward from the gradient of the pooled output [batch, hidden]; accumulates every parameter gradient. */
  backward(dPooled: Float32Array): void {
    const { k, config: c } = this;
    const a = this.activations();
    const inputs = this.inputs as EncoderInputs;
    const { batch, seq } = this.shape;
    const rows = batch * seq;
    const H = c.hiddenSize;

    k.tanhBackward(dPooled, a.pooled, a.dPooledPre, batch * H);
    denseBackward(k, a.cls, this.poolerKernel.value, a.dPooledPre, a.dCls, this.poolerKernel.grad, this.poolerBias.grad, batch, H, H);
    let dy = a.gradA;
    let dx = a.gradB;
    dy.fill(0, 0, rows * H);
    for (let b = 0; b < batch; b++) dy.set(a.dCls.subarray(b * H, b * H + H), b * seq * H);
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const input = i > 0 ? a.layers[i - 1].output : this.embeddingOutput();
      this.layers[i].backward(input, dy, dx, this.shape, a.scratch, this.training);
      [dy, dx] = [dx, dy];
    }
    if (this.training && c.hiddenDropoutProb > 0) k.dropoutBackward(dy, a.embedMask, dy, rows * H, c.hiddenDropoutProb);
    k.layerNormBackward(dy, a.embedSum, this.embedGamma.value, a.embedMean, a.embedRstd, dy, this.embedGamma.grad, this.embedBeta.grad, rows, H);
    k.embeddingBackward(dy, inputs.inputIds, this.word.grad, rows, H);
    k.embeddingBackward(dy, inputs.segmentIds, this.tokenType.grad, rows, H);
    k.embeddingBackward(dy, a.positions, this.position.grad, rows, H);
  }

  private activations(): EncoderActivations {
    if (!this.acts || !this.inputs) throw new Error('forward must run before this');
    return this.acts;
  }
}
