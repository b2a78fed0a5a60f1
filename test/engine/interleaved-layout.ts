import type { MatrixLayout } from '../../src/engine/kernels.js';

/**
 * An outer × inner grid of [rows, cols] matrices laid out as attention lays out heads: the inner matrices side by
 * side within each row, one spare float at the end of every row (so ld exceeds the width), outer blocks one after
 * another. Returns the layout and the array size it needs.
 */
export function interleaved(rows: number, cols: number, outer: number, inner: number): { layout: MatrixLayout; size: number } {
  const ld = inner * cols + 1;
  return { layout: { ld, outer: rows * ld, inner: cols }, size: outer * rows * ld };
}
