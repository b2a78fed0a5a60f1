import { BamError } from '../errors.js';
import type { MaskedLmBatch } from '../train/masked-lm-step.js';
import type { Collective } from './collective.js';
import { rankSlice } from './slices.js';

/**
 * This rank's share of a global masked-LM batch: sequences [start, end) (views, inputs.firstRow = start for the
 * dropout masks) and the masked positions that fall in them, their rows rebased to the slice.
 */
export function rankMaskedLmBatch(batch: MaskedLmBatch, c: Collective): MaskedLmBatch {
  const { inputs, positions, labels } = batch;
  if (inputs.batch < c.size) {
    throw new BamError(`train_batch_size ${inputs.batch} is below the ${c.size} MPI ranks; raise train_batch_size or start fewer ranks (mpirun -np)`);
  }
  const { start, end } = rankSlice(inputs.batch, c.rank, c.size);
  const { seq } = inputs;
  const rows: number[] = [];
  const ownLabels: number[] = [];
  for (let i = 0; i < positions.count; i++) {
    const row = positions.rows[i];
    if (row >= start * seq && row < end * seq) {
      rows.push(row - start * seq);
      ownLabels.push(labels[i]);
    }
  }
  return {
    inputs: {
      batch: end - start,
      seq,
      inputIds: inputs.inputIds.subarray(start * seq, end * seq),
      segmentIds: inputs.segmentIds.subarray(start * seq, end * seq),
      inputMask: inputs.inputMask.subarray(start * seq, end * seq),
      firstRow: (inputs.firstRow ?? 0) + start,
    },
    positions: { count: rows.length, rows: Int32Array.from(rows) },
    labels: Int32Array.from(ownLabels),
  };
}
