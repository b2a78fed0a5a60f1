import type { KernelSet } from './kernels.js';

declare const bufferKind: unique symbol;

/**
 * A float32 buffer owned by the compute backend. Code above the engine holds buffers and passes them to kernels but
 * never reads or writes their elements: data crosses only through upload and download, at step boundaries (inputs
 * in; losses, metrics, checkpoints and saved weights out). The native and reference backends keep buffers in host
 * memory (a Float32Array under the type); another backend (a GPU's) keeps them where it computes.
 */
export interface FloatBuffer { readonly [bufferKind]: 'float32' }
/** An int32 buffer owned by the backend (token ids, row indices). */
export interface IntBuffer { readonly [bufferKind]: 'int32' }
/** A uint8 buffer owned by the backend (dropout masks). */
export interface ByteBuffer { readonly [bufferKind]: 'uint8' }

export type AnyBuffer = FloatBuffer | IntBuffer | ByteBuffer;

/** The operations on backend buffers that are not arithmetic of a layer: allocation, transfers, copies, gathers. */
export interface BufferOps {
  /** A zeroed buffer of n elements. */
  allocFloat(n: number): FloatBuffer;
  allocInt(n: number): IntBuffer;
  allocByte(n: number): ByteBuffer;
  /** The buffer's element count. */
  size(b: AnyBuffer): number;
  /** Elements [offset, offset + length) of b as a buffer of their own, sharing b's memory. */
  view<T extends AnyBuffer>(b: T, offset: number, length: number): T;

  /** Copies host data into dst from element `offset` on (0 when omitted). */
  upload(dst: FloatBuffer, src: Float32Array, offset?: number): void;
  upload(dst: IntBuffer, src: Int32Array, offset?: number): void;
  /** A host copy of `length` elements from `offset` (the whole buffer when omitted). */
  download(src: FloatBuffer, offset?: number, length?: number): Float32Array;
  download(src: IntBuffer, offset?: number, length?: number): Int32Array;
  /**
   * The buffer's own memory, when the backend computes in host memory (native, reference), so that a host library
   * (MPI) can work on it in place; null for a backend whose buffers live elsewhere, where upload/download serve.
   */
  hostMemory(b: FloatBuffer): Float32Array | null;

  /** b[offset, offset + length) = value. */
  fill(b: FloatBuffer, value: number, offset: number, length: number): void;
  /** dst[0, n) = src[0, n); the two must not overlap. */
  copy(src: FloatBuffer, dst: FloatBuffer, n: number): void;
  /** Row r of dst (dst[r·dstLd, +cols)) = row index[r] of src (src[index[r]·srcLd, +cols)), for r < n. */
  gatherRows(src: FloatBuffer, srcLd: number, index: IntBuffer, n: number, cols: number, dst: FloatBuffer, dstLd: number): void;
  /** Row index[r] of dst += row r of src, for r < n (rows as in gatherRows; repeated indices add up). */
  scatterAddRows(src: FloatBuffer, srcLd: number, index: IntBuffer, n: number, cols: number, dst: FloatBuffer, dstLd: number): void;
  /** out[i] = i mod seq for i < rows: each token's position in its sequence. */
  positionIds(out: IntBuffer, rows: number, seq: number): void;
  /** out[b] = b · seq for b < batch: the row of each sequence's first token ([CLS]) in a [batch·seq, …] tensor. */
  firstRows(out: IntBuffer, batch: number, seq: number): void;
  /**
   * Distillation targets of classification rows: out[i, :] = g · onehot(labels[i]) + (1 − g) · softmax(teacher[i, :] /
   * temperature), teacher rows `teacherLd` apart; with no teacher, the one-hot gold labels. Computed in float64,
   * stored as float32.
   */
  softTargets(teacher: FloatBuffer | null, teacherLd: number, labels: IntBuffer, rows: number, cols: number, goldWeight: number, temperature: number, out: FloatBuffer): void;
  /** out[i] = wa · a[i] + wb · b[i] for i < n, in float64 (regression targets between gold and teacher). */
  weightedSum(a: FloatBuffer, wa: number, b: FloatBuffer, wb: number, out: FloatBuffer, n: number): void;
}

/**
 * BERT's AdamWeightDecay as one device operation, clipping included: the global gradient norm is computed, clipped
 * to (tf.clip_by_global_norm's scale clip / max(norm, clip)) and written to gradNorm[0] without the host reading it
 * mid-step; then the update of KernelSet.adamWeightDecay runs with that scale.
 */
export interface ClippedAdam {
  adamWeightDecay(
    param: FloatBuffer, grad: FloatBuffer, m: FloatBuffer, v: FloatBuffer, segments: Float64Array,
    beta1: number, beta2: number, eps: number, clipNorm: number, gradNorm: FloatBuffer,
  ): void;
}

/**
 * What the model, training and checkpoint code compute with: the kernels over backend buffers, the buffer operations
 * and the clipped optimizer step. `getKernels()` gives the native or reference backend; tests add an opaque one.
 */
export type Kernels = Omit<KernelSet<FloatBuffer, IntBuffer, ByteBuffer>, 'sumSquares' | 'adamWeightDecay'> & BufferOps & ClippedAdam & {
  readonly backend: 'native' | 'reference' | 'opaque';
};
