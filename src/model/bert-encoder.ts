import type { ByteBuffer, FloatBuffer, IntBuffer, Kernels } from '../engine/backend.js';
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
  readonly positions: IntBuffer;
  positionsSeq = 0;
  readonly sum: FloatBuffer;
  readonly mean: FloatBuffer;
  readonly rstd: FloatBuffer;
  readonly normed: FloatBuffer;

  constructor(k: Kernels, readonly rows: number, H: number) {
    this.positions = k.allocInt(rows);
    this.sum = k.allocFloat(rows * H);
    this.mean = k.allocFloat(rows);
    this.rstd = k.allocFloat(rows);
    this.normed = k.allocFloat(rows * H);
  }
}

/** A batch's inputs on the backend, for up to `rows` rows: what the host's EncoderInputs upload into. */
class InputBuffers {
  readonly inputIds: IntBuffer;
  readonly segmentIds: IntBuffer;
  readonly inputMask: FloatBuffer;

  constructor(k: Kernels, readonly rows: number) {
    this.inputIds = k.allocInt(rows);
    this.segmentIds = k.allocInt(rows);
    this.inputMask = k.allocFloat(rows);
  }
}

/**
 * Training activations sized for a maximum shape; a smaller batch or a shorter sequence uses a prefix of every
 * buffer (the kernels take their sizes explicitly).
 */
class EncoderActivations {
  readonly max: Shape;
  readonly embed: EmbeddingBuffers;
  readonly embedOut: FloatBuffer;
  readonly embedMask: ByteBuffer;
  readonly layers: LayerActivations[];
  readonly scratch: LayerScratch;
  /** The gradient of the sequence output (heads add into it), then of each layer's input in turn, with gradB. */
  readonly gradA: FloatBuffer;
  readonly gradB: FloatBuffer;

  constructor(k: Kernels, c: BertConfig, max: Shape) {
    this.max = max;
    const rows = max.batch * max.seq;
    const H = c.hiddenSize;
    this.embed = new EmbeddingBuffers(k, rows, H);
    this.embedOut = c.hiddenDropoutProb > 0 ? k.allocFloat(rows * H) : this.embed.normed;
    this.embedMask = k.allocByte(c.hiddenDropoutProb > 0 ? rows * H : 0);
    this.layers = Array.from({ length: c.numHiddenLayers }, () => new LayerActivations(k, c, max));
    this.scratch = new LayerScratch(k, c, max);
    this.gradA = k.allocFloat(rows * H);
    this.gradB = k.allocFloat(rows * H);
  }
}

/** The inference path's buffers: the embeddings, and two [rows, hidden] buffers the layers' outputs alternate between. */
class InferenceBuffers {
  readonly embed: EmbeddingBuffers;
  readonly layerOutputs: [FloatBuffer, FloatBuffer];

  constructor(k: Kernels, c: BertConfig, readonly max: Shape) {
    const rows = max.batch * max.seq;
    const H = c.hiddenSize;
    this.embed = new EmbeddingBuffers(k, rows, H);
    this.layerOutputs = [k.allocFloat(rows * H), k.allocFloat(rows * H)];
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
  private device: InputBuffers | null = null;
  private layers: TransformerLayer[] = [];
  private shape: Shape = { batch: 0, seq: 0 };
  /** The inputs of the last training-path forward; null after an inference pass (backward then refuses). */
  private inputs: InputBuffers | null = null;
  private training = false;
  /** The embedding output and last layer's output of the last pass, either path. */
  private embedded: FloatBuffer | null = null;
  private sequence: FloatBuffer | null = null;

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
    const acts = new EncoderActivations(this.k, this.config, max);
    this.acts = acts;
    this.layers = this.layerParams.map((p, i) => new TransformerLayer(this.k, this.config, i, p, acts.layers[i]));
  }

  /**
   * The training path: runs the encoder keeping every activation backward needs, with dropout when `training`;
   * returns the sequence output [batch·seq, hidden] (a view, valid until the next pass).
   */
  forward(inputs: EncoderInputs, training: boolean, stepSeed: number): FloatBuffer {
    const { k, config: c } = this;
    const { batch, seq } = inputs;
    this.checkLength(seq);
    this.reserve(batch, seq);
    const a = this.acts as EncoderActivations;
    const firstRow = inputs.firstRow ?? 0;
    this.shape = { batch, seq, firstRow };
    const device = this.upload(inputs);
    this.inputs = device;
    this.training = training;
    const rows = batch * seq;
    let x = this.embed(device, batch, seq, a.embed);
    if (training && c.hiddenDropoutProb > 0) {
      k.dropoutForward(x, a.embedOut, a.embedMask, rows * c.hiddenSize, c.hiddenDropoutProb, siteSeed(stepSeed, EMBEDDINGS_SITE, firstRow * seq * c.hiddenSize));
      x = a.embedOut;
    }
    this.embedded = x;
    for (const layer of this.layers) x = layer.forward(x, device.inputMask, this.shape, a.scratch, training, stepSeed);
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
  infer(inputs: EncoderInputs, rows: 'cls' | 'all' = 'all'): FloatBuffer {
    const { k, config: c } = this;
    const { batch, seq } = inputs;
    this.checkLength(seq);
    const max = grownShape(this.inference?.max, batch, seq);
    if (max) this.inference = new InferenceBuffers(k, c, max);
    const buffers = this.inference as InferenceBuffers;
    this.inputs = null;
    const device = this.upload(inputs);
    let x = this.embed(device, batch, seq, buffers.embed);
    this.embedded = x;
    const last = this.layerParams.length - 1;
    this.layerParams.forEach((p, i) => {
      const y = buffers.layerOutputs[i % 2];
      const clsOnly = i === last && rows === 'cls';
      k.encoderLayerInference(x, device.inputMask, p.weights, y, batch, seq, c.numAttentionHeads, c.hiddenSize, c.intermediateSize, c.layerNormEps, clsOnly);
      x = y;
    });
    this.sequence = rows === 'all' || last < 0 ? x : null;
    return x;
  }

  /** The embedding output (after LayerNorm, and dropout when training) of the last pass: [batch·seq, hidden]. */
  embeddingOutput(): FloatBuffer {
    if (!this.embedded) throw new Error('forward or infer must run before this');
    return this.embedded;
  }

  /** The last layer's output of the last pass: [batch·seq, hidden]. */
  sequenceOutput(): FloatBuffer {
    if (!this.sequence) throw new Error("sequenceOutput needs a forward pass, or infer(inputs, 'all') (infer(inputs, 'cls') computes only [CLS] rows)");
    return this.sequence;
  }

  /**
   * The gradient buffer of the last training-path forward's sequence output, [batch·seq, hidden], zeroed: heads add
   * their input gradients into it (EncoderHead.backward), then backward() runs from it.
   */
  outputGradient(): FloatBuffer {
    const a = this.activations();
    const n = this.shape.batch * this.shape.seq * this.config.hiddenSize;
    this.k.fill(a.gradA, 0, 0, n);
    return this.k.view(a.gradA, 0, n);
  }

  /** Backward from the gradient in outputGradient(); accumulates every parameter gradient of the encoder. */
  backward(): void {
    const { k, config: c } = this;
    const a = this.activations();
    const inputs = this.inputs as InputBuffers;
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

  private trainingEmbeddingOutput(a: EncoderActivations): FloatBuffer {
    return this.training && this.config.hiddenDropoutProb > 0 ? a.embedOut : a.embed.normed;
  }

  private checkLength(seq: number): void {
    if (seq > this.config.maxPositionEmbeddings) {
      throw new Error(`sequence length ${seq} exceeds max_position_embeddings ${this.config.maxPositionEmbeddings}`);
    }
  }

  /** Copies the batch's ids and mask to the backend (the one host-to-backend transfer of a pass). */
  private upload(inputs: EncoderInputs): InputBuffers {
    const rows = inputs.batch * inputs.seq;
    if (!this.device || this.device.rows < rows) this.device = new InputBuffers(this.k, Math.max(rows, this.device?.rows ?? 0));
    const d = this.device;
    this.k.upload(d.inputIds, inputs.inputIds.subarray(0, rows));
    this.k.upload(d.segmentIds, inputs.segmentIds.subarray(0, rows));
    this.k.upload(d.inputMask, inputs.inputMask.subarray(0, rows));
    return d;
  }

  /** Word + token-type + position embeddings, then LayerNorm, into e.normed (returned). */
  private embed(inputs: InputBuffers, batch: number, seq: number, e: EmbeddingBuffers): FloatBuffer {
    const { k, config: c } = this;
    const rows = batch * seq;
    const H = c.hiddenSize;
    if (e.positionsSeq !== seq) {
      k.positionIds(e.positions, e.rows, seq);
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
