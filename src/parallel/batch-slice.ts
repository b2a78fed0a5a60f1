import { BamError } from '../errors.js';
import type { Batch } from '../train/batches.js';
import type { Collective } from './collective.js';
import { rankSlice } from './slices.js';

/**
 * This rank's share of a global training batch: rows [start, end) of every array, as views (no copy), with
 * inputs.firstRow = start so that dropout draws the masks one process draws for those rows. The sequence length
 * stays the global batch's, so every row is computed exactly as in the whole batch.
 */
export function rankBatch(batch: Batch, c: Collective): Batch {
  const { inputs, targets } = batch;
  if (inputs.batch < c.size) {
    throw new BamError(`train_batch_size ${inputs.batch} is below the ${c.size} MPI ranks; raise train_batch_size or start fewer ranks (mpirun -np)`);
  }
  const { start, end } = rankSlice(inputs.batch, c.rank, c.size);
  const { seq } = inputs;
  const rows = <T extends Int32Array | Float32Array>(a: T, width = 1): T => a.subarray(start * width, end * width) as T;
  // Teacher logits are [batch buffer, maxOutputs], beside the [batch buffer] task ids.
  const M = targets.teacherLogits ? targets.teacherLogits.length / targets.taskIds.length : 0;
  return {
    inputs: {
      batch: end - start,
      seq,
      inputIds: rows(inputs.inputIds, seq),
      segmentIds: rows(inputs.segmentIds, seq),
      inputMask: rows(inputs.inputMask, seq),
      firstRow: (inputs.firstRow ?? 0) + start,
    },
    targets: {
      taskIds: rows(targets.taskIds),
      labelIds: rows(targets.labelIds),
      regressionTargets: rows(targets.regressionTargets),
      teacherLogits: targets.teacherLogits ? rows(targets.teacherLogits, M) : undefined,
      teacherPredictions: targets.teacherPredictions ? rows(targets.teacherPredictions) : undefined,
    },
  };
}
