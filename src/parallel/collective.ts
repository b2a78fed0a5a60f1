import type { FloatBuffer, Kernels } from '../engine/backend.js';

/**
 * The collective operations data-parallel training needs, behind one small interface so that a GPU library (NCCL)
 * can implement it beside MPI. Buffers are host float32 arrays (allReduceBuffer and broadcastBuffer take the
 * backend's); every rank must call the same operations in the same order with buffers of the same length.
 */
export interface Collective {
  /** This process's rank, 0 ≤ rank < size; rank 0 writes every file. */
  readonly rank: number;
  /** How many processes train together. */
  readonly size: number;
  /** How many of them run on this machine (they share its cores). */
  readonly localSize: number;
  /** Sums the buffer element-wise across ranks, in place: afterwards every rank holds the same sums. */
  allReduceSum(buffer: Float32Array): Promise<void>;
  /** Copies root's buffer into every other rank's, in place. */
  broadcast(buffer: Float32Array, root: number): Promise<void>;
  /** Ends every rank of the job with a non-zero status, after printing the message (a fault no rank can recover). */
  abort(message: string): never;
  /** Releases the collective at the end of the process; no operation may follow. */
  close(): void;
}

/** One process alone: size 1, and every collective is the identity. */
export const singleProcess: Collective = Object.freeze({
  rank: 0,
  size: 1,
  localSize: 1,
  allReduceSum: async (): Promise<void> => {},
  broadcast: async (): Promise<void> => {},
  abort(message: string): never {
    process.stderr.write(`bam: ${message}\n`);
    process.exit(1);
  },
  close(): void {},
});

/** The buffer's memory for a host collective: its own when the backend computes in host memory, else a downloaded copy. */
function hostArray(k: Kernels, b: FloatBuffer): { array: Float32Array; copied: boolean } {
  const own = k.hostMemory(b);
  return own ? { array: own, copied: false } : { array: k.download(b), copied: true };
}

/** allReduceSum on a backend buffer (the gradient arena): in place in host memory, or through a host copy. */
export async function allReduceBuffer(k: Kernels, c: Collective, b: FloatBuffer): Promise<void> {
  if (c.size === 1) return;
  const { array, copied } = hostArray(k, b);
  await c.allReduceSum(array);
  if (copied) k.upload(b, array);
}

/** broadcast on a backend buffer (parameters and moments at the start), as allReduceBuffer. */
export async function broadcastBuffer(k: Kernels, c: Collective, b: FloatBuffer, root: number): Promise<void> {
  if (c.size === 1) return;
  const { array, copied } = hostArray(k, b);
  await c.broadcast(array, root);
  if (copied) k.upload(b, array);
}
