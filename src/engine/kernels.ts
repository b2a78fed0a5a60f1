/**
 * The compute kernels every layer is built from, over arrays of type F (float32), I (int32) and B (uint8): the host's
 * typed arrays for the two implementations, `reference` (plain TypeScript, the definition of each kernel's meaning)
 * and `native` (C++ on OpenBLAS, multi-threaded), which tests check against the reference. Code above the engine
 * sees them through `Kernels` (backend.ts), over buffers the backend owns.
 *
 * Conventions, for every kernel:
 * - Tensors are row-major float32 and contiguous; arguments are views (e.g. `subarray`s of an arena), and kernels
 *   never allocate their outputs. Sizes are passed explicitly; an array may be longer than what a kernel touches.
 * - Outputs named `out`, `dx`, `losses` are overwritten. Parameter gradients (`dgamma`, `dbeta`, `dbias`,
 *   `dtable`) are accumulated (+=), so one zeroing per step serves every path that feeds a parameter.
 * - An output may alias its input only where the kernel says so.
 */
export interface KernelSet<F, I, B> {
  /** Threads the kernels may use (OpenBLAS and the elementwise kernels); the reference backend always uses 1. */
  threads(): number;

  /** Sets the thread count; 0 means all cores. Results do not depend on it, bit for bit. */
  setThreads(n: number): void;

  /**
   * C = alpha · op(A) · op(B) + beta · C (+ bias on every row, when given). op(A) is [m, k], op(B) is [k, n], C is
   * [m, n]. A is stored [m, k], or [k, m] when transA; B is stored [k, n], or [n, k] when transB.
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: F, b: F, beta: number, c: F, bias?: F,
  ): void;

  /**
   * Batched gemms (no bias) over an [outer, inner] grid of matrices, e.g. batch × attention heads, each with rows
   * `ld` floats apart, so that per-head matrices are read and written in place inside [batch, seq, heads·headDim]
   * tensors. Matrix (o, i) of A starts at o·aLayout.outer + i·aLayout.inner (likewise B and C); each product is as
   * in gemm. The C matrices must not overlap.
   */
  gemmStrided(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: F, aLayout: MatrixLayout, b: F, bLayout: MatrixLayout,
    beta: number, c: F, cLayout: MatrixLayout, outer: number, inner: number,
  ): void;

  /** dbias[j] += Σ_i dy[i, j] over rows i < rows. */
  biasGrad(dy: F, rows: number, cols: number, dbias: F): void;

  /** out = a + b over n elements; out may alias a or b. */
  add(a: F, b: F, out: F, n: number): void;

  /**
   * Layer normalisation over the last axis: out = (x − mean) · rstd · gamma + beta with the biased variance,
   * rstd = 1 / sqrt(var + eps). Saves mean and rstd (one per row) for the backward pass.
   */
  layerNormForward(
    x: F, gamma: F, beta: F, out: F,
    mean: F, rstd: F, rows: number, cols: number, eps: number,
  ): void;

  /** Gradient of layerNormForward: dx overwritten; dgamma and dbeta accumulated. dx may alias dy. */
  layerNormBackward(
    dy: F, x: F, gamma: F, mean: F, rstd: F,
    dx: F, dgamma: F, dbeta: F, rows: number, cols: number,
  ): void;

  /** Exact GELU: out = x · ½ · (1 + erf(x / √2)). out may alias x. */
  geluForward(x: F, out: F, n: number): void;

  /** dx = dy · GELU'(x), x being the forward input. dx may alias dy. */
  geluBackward(dy: F, x: F, dx: F, n: number): void;

  /**
   * Fused epilogue of a dense layer without bias: x ← x + bias (bias broadcast over the rows of [rows, cols]; x is
   * then GELU's input, kept for the backward pass) and out = GELU(x). out may alias x.
   */
  biasGeluForward(x: F, bias: F, out: F, rows: number, cols: number): void;

  /**
   * Fused epilogue of a dense layer without bias, before a residual connection: out = dropout(x + bias) + residual
   * over [rows, cols], the bias broadcast over the rows, dropout exactly as dropoutForward (same mask for the same
   * seed and element index); p = 0 means no dropout and leaves the mask untouched. out may alias x or residual.
   * Backward: dresidual = dout; d(x + bias) = dropoutBackward(dout); dbias via biasGrad.
   */
  biasDropoutResidual(
    x: F, bias: F, residual: F, out: F, mask: B,
    rows: number, cols: number, p: number, seed: number,
  ): void;

  /** out = tanh(x). out may alias x. */
  tanhForward(x: F, out: F, n: number): void;

  /** dx = dy · (1 − y²), y being the forward output. dx may alias dy. */
  tanhBackward(dy: F, y: F, dx: F, n: number): void;

  /**
   * Attention softmax. scores and out are [batch, heads, rows, cols]; mask is [batch, cols] (1 = attend, 0 = pad).
   * out[b,h,i,j] = softmax_j(scale · scores[b,h,i,j] + (1 − mask[b,j]) · −10000). out may alias scores.
   */
  softmaxForward(
    scores: F, mask: F, out: F,
    batch: number, heads: number, rows: number, cols: number, scale: number,
  ): void;

  /** Gradient of softmaxForward w.r.t. its scores: dx = scale · y · (dy − Σ_j dy·y), per row of length cols. dx may alias dy. */
  softmaxBackward(dy: F, y: F, dx: F, rows: number, cols: number, scale: number): void;

  /** out[i, :] = table[ids[i], :] for i < n; rows are `dim` wide. */
  embeddingForward(table: F, ids: I, out: F, n: number, dim: number): void;

  /** dtable[ids[i], :] += dout[i, :] for i < n. */
  embeddingBackward(dout: F, ids: I, dtable: F, n: number, dim: number): void;

  /**
   * Inverted dropout with a counter-based RNG, so that both backends draw the same mask: element i is kept when
   * dropoutBits(seed, i) ≥ dropoutThreshold(p) (see below); out = kept ? x · dropoutScale(p) : 0 (a float32
   * product); mask[i] = kept ? 1 : 0.
   * out may alias x.
   */
  dropoutForward(x: F, out: F, mask: B, n: number, p: number, seed: number): void;

  /** dx = mask ? dy · dropoutScale(p) : 0. dx may alias dy. */
  dropoutBackward(dy: F, mask: B, dx: F, n: number, p: number): void;

  /**
   * Soft-target cross-entropy per row: losses[i] = −w_i · Σ_j t[i,j] · log_softmax(z[i])_j, and its gradient
   * dlogits[i,j] = w_i · (softmax(z[i])_j · Σ_j t[i,j] − t[i,j]). Rows with w_i = 0 get zero loss and gradient.
   */
  softCrossEntropy(
    logits: F, targets: F, weights: F, rows: number, cols: number,
    losses: F, dlogits: F,
  ): void;

  /**
   * Cross-entropy against one gold class per row (the masked-LM loss): losses[i] = −w_i · log_softmax(z[i])[labels[i]],
   * dlogits[i,j] = w_i · (softmax(z[i])_j − [j = labels[i]]), and argmax[i] = the first index of row i's largest logit.
   * Every label must lie in [0, cols). Rows with w_i = 0 get zero loss and gradient. dlogits may alias logits.
   */
  sparseCrossEntropy(
    logits: F, labels: I, weights: F, rows: number, cols: number,
    losses: F, dlogits: F, argmax: I,
  ): void;

  /** losses[i] = w_i · (p_i − t_i)², dpred[i] = 2 · w_i · (p_i − t_i). */
  squaredError(
    pred: F, targets: F, weights: F, n: number,
    losses: F, dpred: F,
  ): void;

  /** Σ x_i² over n elements, accumulated in float64. */
  sumSquares(x: F, n: number): number;

  /**
   * One post-LN BERT layer's forward pass for inference: no dropout, and nothing kept for a backward pass.
   *   y = LN((context · attnOut + attnOutBias) + x), context = attention(x · qkvᵀ + qkvBias) with the padding mask
   *   out = LN((gelu(y · inter + interBias) · out + outBias) + y)
   * x and out are [batch·seq, hidden] and must not overlap; mask is [batch, seq] (1 = attend, 0 = pad). The result
   * equals the training path's kernels composed without dropout (TransformerLayer.forward), to float rounding.
   * clsOnly: only each sequence's first row ([CLS], all the pooler reads) is computed and written, from keys and
   * values of every row; out's other rows are left as they were.
   */
  encoderLayerInference(
    x: F, mask: F, weights: EncoderLayerWeights<F>, out: F,
    batch: number, seq: number, heads: number, hidden: number, intermediate: number, eps: number, clsOnly: boolean,
  ): void;

  /**
   * One fused AdamWeightDecay pass (BERT's: no bias correction) over an arena. `segments` holds, per named tensor,
   * four numbers: offset, length, learning rate, weight-decay rate. For every element of every segment:
   *   g = gradScale · grad;  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;
   *   param −= lr · (m / (√v + eps) + wd · param).
   */
  adamWeightDecay(
    param: F, grad: F, m: F, v: F, segments: Float64Array,
    beta1: number, beta2: number, eps: number, gradScale: number,
  ): void;
}

/** The kernels over host memory: what the native addon and the reference implement. */
export type HostKernels = KernelSet<Float32Array, Int32Array, Uint8Array> & { readonly backend: 'native' | 'reference' };

/** One BERT layer's weights for encoderLayerInference: dense kernels stored [in, out], except qkv. */
export interface EncoderLayerWeights<F = Float32Array> {
  /** Query, key and value kernels stored [out, in] one after another: [3·hidden, hidden]; their biases: [3·hidden]. */
  qkv: F; qkvBias: F;
  /** Attention output projection [hidden, hidden], its bias, and the LayerNorm after it. */
  attnOut: F; attnOutBias: F; attnGamma: F; attnBeta: F;
  /** Feed-forward: [hidden, intermediate] and [intermediate, hidden] kernels, biases, and the last LayerNorm. */
  inter: F; interBias: F;
  out: F; outBias: F; outGamma: F; outBeta: F;
}

/** Where the matrices of a gemmStrided operand are: row stride, and offsets between grid neighbours. */
export interface MatrixLayout {
  /** Floats from one row of a matrix to the next (at least its stored width). */
  ld: number;
  /** Floats from matrix (o, i) to matrix (o + 1, i). */
  outer: number;
  /** Floats from matrix (o, i) to matrix (o, i + 1). */
  inner: number;
}

/** 32-bit integer mixer (the "lowbias32" hash): a bijection on [0, 2³²) with good avalanche. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The random 32 bits dropout draws for element i under a seed: mix32(mix32(seed) + i · 0x9E3779B9 mod 2³²). */
export function dropoutBits(seed: number, i: number): number {
  return mix32((mix32(seed >>> 0) + Math.imul(i, 0x9e3779b9)) >>> 0);
}

/** Elements whose bits are ≥ this are kept: floor(p · 2³²), so P(keep) = 1 − p. */
export function dropoutThreshold(p: number): number {
  return Math.min(Math.floor(p * 4294967296), 4294967295);
}

/** The factor kept elements are scaled by: 1 / (1 − p) rounded to float32, as float32 frameworks apply it. */
export function dropoutScale(p: number): number {
  return Math.fround(1 / (1 - p));
}
