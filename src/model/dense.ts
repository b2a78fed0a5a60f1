import type { FloatBuffer, Kernels } from '../engine/backend.js';

/** y[rows, out] = x[rows, in] · W[in, out] + b. */
export function denseForward(
  k: Kernels, x: FloatBuffer, weight: FloatBuffer, bias: FloatBuffer, y: FloatBuffer,
  rows: number, fanIn: number, fanOut: number,
): void {
  k.gemm(false, false, rows, fanOut, fanIn, 1, x, weight, 0, y, bias);
}

/**
 * Gradients of denseForward: dW += xᵀ·dy, db += Σ_rows dy, and dx = dy·Wᵀ (dx += … when accumulateDx, e.g. for the
 * three projections that share the attention input). dx may be null when the input needs no gradient.
 */
export function denseBackward(
  k: Kernels, x: FloatBuffer, weight: FloatBuffer, dy: FloatBuffer,
  dx: FloatBuffer | null, dWeight: FloatBuffer, dBias: FloatBuffer,
  rows: number, fanIn: number, fanOut: number, accumulateDx = false,
): void {
  k.gemm(true, false, fanIn, fanOut, rows, 1, x, dy, 1, dWeight);
  k.biasGrad(dy, rows, fanOut, dBias);
  if (dx) k.gemm(false, true, rows, fanIn, fanOut, 1, dy, weight, accumulateDx ? 1 : 0, dx);
}
