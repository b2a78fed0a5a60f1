/**
 * The share of each rank: `count` items (examples of a batch, of a dataset) split into `size` contiguous slices
 * that differ in length by at most one, rank r taking [start, end). The concatenation over ranks is the whole,
 * in order, which is what makes a gathered result that of one process.
 */
export function rankSlice(count: number, rank: number, size: number): { start: number; end: number } {
  const base = Math.floor(count / size);
  const extra = count % size;
  const start = rank * base + Math.min(rank, extra);
  return { start, end: start + base + (rank < extra ? 1 : 0) };
}
