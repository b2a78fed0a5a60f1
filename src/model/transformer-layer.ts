import type { ByteBuffer, FloatBuffer, Kernels } from '../engine/backend.js';
import type { EncoderLayerWeights, MatrixLayout } from '../engine/kernels.js';
import type { Parameter, ParameterArena } from './arena.js';
import type { BertConfig } from './bert-config.js';
import { denseBackward } from './dense.js';
import { attentionOutputSite, attentionProbsSite, layerOutputSite, siteSeed } from './dropout-sites.js';
import { layerPrefix } from './parameter-specs.js';

/** The shape of one forward pass: `batch` sequences of `seq` tokens. */
export interface Shape {
  batch: number;
  seq: number;
  /** The global index of the first sequence, when the batch is a rank's slice (see EncoderInputs.firstRow). */
  firstRow?: number;
}

/** A view over consecutive parameters of the arena: their values and their gradients. */
export interface FusedView {
  value: FloatBuffer;
  grad: FloatBuffer;
}

/**
 * Where attention's per-(sequence, head) matrices live, for gemmStrided over a [batch, heads] grid: queries, keys and
 * values inside the [rows, 3·hidden] projection output, scores and probabilities in their own [batch, heads, seq,
 * seq] arrays, and the context written straight into [rows, hidden] (so no head split or merge copies are needed).
 */
function attentionLayouts(seq: number, heads: number, headDim: number): { qkv: MatrixLayout; scores: MatrixLayout; context: MatrixLayout } {
  const H = heads * headDim;
  return {
    qkv: { ld: 3 * H, outer: seq * 3 * H, inner: headDim },
    scores: { ld: seq, outer: heads * seq * seq, inner: seq * seq },
    context: { ld: H, outer: seq * H, inner: headDim },
  };
}

/** The sizes a layer's forward and backward passes work with. */
function layerDims(c: BertConfig, shape: Shape): { rows: number; H: number; I: number; heads: number; hd: number } {
  const heads = c.numAttentionHeads;
  return { rows: shape.batch * shape.seq, H: c.hiddenSize, I: c.intermediateSize, heads, hd: c.hiddenSize / heads };
}

/** One post-LN BERT layer's parameters, looked up once. */
export class LayerParameters {
  /** Query, key and value kernels as one [3·hidden, hidden] matrix ([out, in]), and their biases as one [3·hidden]. */
  readonly qkv: FusedView; readonly qkvBias: FusedView;
  readonly attnOut: Parameter; readonly attnOutBias: Parameter;
  readonly attnGamma: Parameter; readonly attnBeta: Parameter;
  readonly inter: Parameter; readonly interBias: Parameter;
  readonly out: Parameter; readonly outBias: Parameter;
  readonly outGamma: Parameter; readonly outBeta: Parameter;
  /** The same arrays, as encoderLayerInference takes them. */
  readonly weights: EncoderLayerWeights<FloatBuffer>;

  constructor(arena: ParameterArena, index: number) {
    const p = layerPrefix(index);
    const get = (name: string): Parameter => arena.get(`${p}/${name}`);
    const projections = ['query', 'key', 'value'];
    this.qkv = arena.adjacent(projections.map((n) => get(`attention/self/${n}/kernel`)));
    this.qkvBias = arena.adjacent(projections.map((n) => get(`attention/self/${n}/bias`)));
    this.attnOut = get('attention/output/dense/kernel'); this.attnOutBias = get('attention/output/dense/bias');
    this.attnGamma = get('attention/output/LayerNorm/gamma'); this.attnBeta = get('attention/output/LayerNorm/beta');
    this.inter = get('intermediate/dense/kernel'); this.interBias = get('intermediate/dense/bias');
    this.out = get('output/dense/kernel'); this.outBias = get('output/dense/bias');
    this.outGamma = get('output/LayerNorm/gamma'); this.outBeta = get('output/LayerNorm/beta');
    this.weights = {
      qkv: this.qkv.value, qkvBias: this.qkvBias.value,
      attnOut: this.attnOut.value, attnOutBias: this.attnOutBias.value, attnGamma: this.attnGamma.value, attnBeta: this.attnBeta.value,
      inter: this.inter.value, interBias: this.interBias.value,
      out: this.out.value, outBias: this.outBias.value, outGamma: this.outGamma.value, outBeta: this.outBeta.value,
    };
  }
}

/** What one layer keeps from its forward pass for the backward pass, sized for a maximum shape. */
export class LayerActivations {
  /** Queries, keys and values side by side: [rows, 3·hidden]; head h's query is columns h·headDim onwards. */
  readonly qkv: FloatBuffer;
  /** Attention probabilities after softmax, and after dropout (the same buffer when no dropout): [batch, heads, seq, seq]. */
  readonly probs: FloatBuffer; readonly probsDropped: FloatBuffer; readonly probsMask: ByteBuffer;
  /** Attention context with heads merged: [rows, hidden]. */
  readonly context: FloatBuffer;
  readonly attnMask: ByteBuffer;
  /** Input of the first LayerNorm (residual sum) and its output, with the LN statistics. */
  readonly attnResidual: FloatBuffer; readonly attnNormed: FloatBuffer;
  readonly attnMean: FloatBuffer; readonly attnRstd: FloatBuffer;
  /** Intermediate pre-activation and GELU output: [rows, intermediate]. */
  readonly interPre: FloatBuffer; readonly interAct: FloatBuffer;
  readonly outMask: ByteBuffer;
  readonly outResidual: FloatBuffer; readonly output: FloatBuffer;
  readonly outMean: FloatBuffer; readonly outRstd: FloatBuffer;

  constructor(k: Kernels, c: BertConfig, max: Shape) {
    const rows = max.batch * max.seq;
    const H = c.hiddenSize;
    const scores = max.batch * c.numAttentionHeads * max.seq * max.seq;
    this.qkv = k.allocFloat(rows * 3 * H);
    this.probs = k.allocFloat(scores);
    this.probsDropped = c.attentionProbsDropoutProb > 0 ? k.allocFloat(scores) : this.probs;
    this.probsMask = k.allocByte(c.attentionProbsDropoutProb > 0 ? scores : 0);
    this.context = k.allocFloat(rows * H);
    this.attnMask = k.allocByte(c.hiddenDropoutProb > 0 ? rows * H : 0);
    this.attnResidual = k.allocFloat(rows * H); this.attnNormed = k.allocFloat(rows * H);
    this.attnMean = k.allocFloat(rows); this.attnRstd = k.allocFloat(rows);
    this.interPre = k.allocFloat(rows * c.intermediateSize); this.interAct = k.allocFloat(rows * c.intermediateSize);
    this.outMask = k.allocByte(c.hiddenDropoutProb > 0 ? rows * H : 0);
    this.outResidual = k.allocFloat(rows * H); this.output = k.allocFloat(rows * H);
    this.outMean = k.allocFloat(rows); this.outRstd = k.allocFloat(rows);
  }
}

/** Scratch shared by all layers (nothing in it outlives one layer's forward or backward). */
export class LayerScratch {
  readonly a: FloatBuffer; readonly b: FloatBuffer;
  /** Gradient of the queries, keys and values: [rows, 3·hidden]. */
  readonly qkvGrad: FloatBuffer;
  readonly scores: FloatBuffer;
  readonly inter: FloatBuffer;

  constructor(k: Kernels, cfg: BertConfig, max: Shape) {
    const rows = max.batch * max.seq;
    const H = cfg.hiddenSize;
    const scores = max.batch * cfg.numAttentionHeads * max.seq * max.seq;
    this.a = k.allocFloat(rows * H); this.b = k.allocFloat(rows * H);
    this.qkvGrad = k.allocFloat(rows * 3 * H);
    this.scores = k.allocFloat(scores);
    this.inter = k.allocFloat(rows * cfg.intermediateSize);
  }
}

/** Buffer b from element `from` on: the keys and values inside a [rows, 3·hidden] projection, say. */
function from(k: Kernels, b: FloatBuffer, offset: number): FloatBuffer {
  return k.view(b, offset, k.size(b) - offset);
}

/** A BERT layer: y = LN(drop(dense(attn(x))) + x); z = LN(drop(dense(gelu(dense(y)))) + y). */
export class TransformerLayer {
  constructor(
    private readonly k: Kernels,
    private readonly c: BertConfig,
    private readonly index: number,
    readonly params: LayerParameters,
    readonly acts: LayerActivations,
  ) {}

  forward(x: FloatBuffer, mask: FloatBuffer, shape: Shape, s: LayerScratch, training: boolean, stepSeed: number): FloatBuffer {
    const { k, c, params: p, acts: a } = this;
    const { batch, seq } = shape;
    const { rows, H, I, heads, hd } = layerDims(c, shape);
    const nScores = batch * heads * seq * seq;
    const firstRow = shape.firstRow ?? 0;

    const layouts = attentionLayouts(seq, heads, hd);
    k.gemm(false, true, rows, 3 * H, H, 1, x, p.qkv.value, 0, a.qkv, p.qkvBias.value);
    k.gemmStrided(false, true, seq, seq, hd, 1, a.qkv, layouts.qkv, from(k, a.qkv, H), layouts.qkv, 0, s.scores, layouts.scores, batch, heads);
    k.softmaxForward(s.scores, mask, a.probs, batch, heads, seq, seq, 1 / Math.sqrt(hd));
    let probs = a.probs;
    if (training && c.attentionProbsDropoutProb > 0) {
      k.dropoutForward(a.probs, a.probsDropped, a.probsMask, nScores, c.attentionProbsDropoutProb, siteSeed(stepSeed, attentionProbsSite(this.index), firstRow * heads * seq * seq));
      probs = a.probsDropped;
    }
    k.gemmStrided(false, false, seq, hd, seq, 1, probs, layouts.scores, from(k, a.qkv, 2 * H), layouts.qkv, 0, a.context, layouts.context, batch, heads);

    // Biases are added in the fused epilogues (bias + dropout + residual, bias + GELU) rather than by the gemms,
    // saving a pass over each output.
    const dropHidden = training ? c.hiddenDropoutProb : 0;
    k.gemm(false, false, rows, H, H, 1, a.context, p.attnOut.value, 0, s.a);
    k.biasDropoutResidual(s.a, p.attnOutBias.value, x, a.attnResidual, a.attnMask, rows, H, dropHidden, siteSeed(stepSeed, attentionOutputSite(this.index), firstRow * seq * H));
    k.layerNormForward(a.attnResidual, p.attnGamma.value, p.attnBeta.value, a.attnNormed, a.attnMean, a.attnRstd, rows, H, c.layerNormEps);

    k.gemm(false, false, rows, I, H, 1, a.attnNormed, p.inter.value, 0, a.interPre);
    k.biasGeluForward(a.interPre, p.interBias.value, a.interAct, rows, I);
    k.gemm(false, false, rows, H, I, 1, a.interAct, p.out.value, 0, s.a);
    k.biasDropoutResidual(s.a, p.outBias.value, a.attnNormed, a.outResidual, a.outMask, rows, H, dropHidden, siteSeed(stepSeed, layerOutputSite(this.index), firstRow * seq * H));
    k.layerNormForward(a.outResidual, p.outGamma.value, p.outBeta.value, a.output, a.outMean, a.outRstd, rows, H, c.layerNormEps);
    return a.output;
  }

  /**
   * Backward through the layer: dy (gradient of the output, overwritten) → dx (gradient of the input x, overwritten).
   * Parameter gradients are accumulated into the arena.
   */
  backward(x: FloatBuffer, dy: FloatBuffer, dx: FloatBuffer, shape: Shape, s: LayerScratch, training: boolean): void {
    const { k, c, params: p, acts: a } = this;
    const { batch, seq } = shape;
    const { rows, H, I, heads, hd } = layerDims(c, shape);
    const n = rows * H;
    const dropHidden = training && c.hiddenDropoutProb > 0;

    // Output block. dy → d(outResidual) in place; it is also the gradient of attnNormed through the residual.
    k.layerNormBackward(dy, a.outResidual, p.outGamma.value, a.outMean, a.outRstd, dy, p.outGamma.grad, p.outBeta.grad, rows, H);
    let dOut = dy;
    if (dropHidden) {
      k.dropoutBackward(dy, a.outMask, s.a, n, c.hiddenDropoutProb);
      dOut = s.a;
    }
    denseBackward(k, a.interAct, p.out.value, dOut, s.inter, p.out.grad, p.outBias.grad, rows, I, H);
    k.geluBackward(s.inter, a.interPre, s.inter, rows * I);
    // dAttnNormed = dy (residual) + dInter·Wiᵀ
    k.gemm(false, true, rows, H, I, 1, s.inter, p.inter.value, 1, dy);
    k.gemm(true, false, H, I, rows, 1, a.attnNormed, s.inter, 1, p.inter.grad);
    k.biasGrad(s.inter, rows, I, p.interBias.grad);

    // Attention block. dy → d(attnResidual) in place, which is also dx's residual part.
    k.layerNormBackward(dy, a.attnResidual, p.attnGamma.value, a.attnMean, a.attnRstd, dy, p.attnGamma.grad, p.attnBeta.grad, rows, H);
    k.copy(dy, dx, n);
    let dAttnOut = dy;
    if (dropHidden) {
      k.dropoutBackward(dy, a.attnMask, s.a, n, c.hiddenDropoutProb);
      dAttnOut = s.a;
    }
    denseBackward(k, a.context, p.attnOut.value, dAttnOut, s.b, p.attnOut.grad, p.attnOutBias.grad, rows, H, H);

    const layouts = attentionLayouts(seq, heads, hd);
    const probsUsed = training && c.attentionProbsDropoutProb > 0 ? a.probsDropped : a.probs;
    const dQkv = s.qkvGrad;
    // context = P·V: dP = dC·Vᵀ, dV = Pᵀ·dC
    k.gemmStrided(false, true, seq, seq, hd, 1, s.b, layouts.context, from(k, a.qkv, 2 * H), layouts.qkv, 0, s.scores, layouts.scores, batch, heads);
    k.gemmStrided(true, false, seq, hd, seq, 1, probsUsed, layouts.scores, s.b, layouts.context, 0, from(k, dQkv, 2 * H), layouts.qkv, batch, heads);
    const nScores = batch * heads * seq * seq;
    if (training && c.attentionProbsDropoutProb > 0) k.dropoutBackward(s.scores, a.probsMask, s.scores, nScores, c.attentionProbsDropoutProb);
    k.softmaxBackward(s.scores, a.probs, s.scores, batch * heads * seq, seq, 1 / Math.sqrt(hd));
    // scores = Q·Kᵀ: dQ = dS·K, dK = dSᵀ·Q
    k.gemmStrided(false, false, seq, hd, seq, 1, s.scores, layouts.scores, from(k, a.qkv, H), layouts.qkv, 0, dQkv, layouts.qkv, batch, heads);
    k.gemmStrided(true, false, seq, hd, seq, 1, s.scores, layouts.scores, a.qkv, layouts.qkv, 0, from(k, dQkv, H), layouts.qkv, batch, heads);
    // The fused projection: W is [3H, H] ([out, in]), so dW += dQKVᵀ·x and dx += dQKV·W.
    k.gemm(true, false, 3 * H, H, rows, 1, dQkv, x, 1, p.qkv.grad);
    k.biasGrad(dQkv, rows, 3 * H, p.qkvBias.grad);
    k.gemm(false, false, rows, H, 3 * H, 1, dQkv, p.qkv.value, 1, dx);
  }
}
