import type { EncoderInputs } from './bert-encoder.js';

/** One example's tokens, its arrays at least as long as any batch it goes into (longer ones are cut). */
export interface TokenRow {
  inputIds: Int32Array;
  /** Omitted for one-segment inputs (masked-LM instances): all 0. */
  segmentIds?: Int32Array;
  /** 1 on real tokens, 0 on padding. */
  inputMask: Float32Array | Int32Array;
  /** Real tokens (the mask is 1 on this prefix). */
  length: number;
}

/** Row `i` of token arrays laid out [n, rowLength] (a featurized dataset's, or the masked-LM instances'). */
export function tokenRowAt(
  arrays: { inputIds: Int32Array; segmentIds?: Int32Array; inputMask: Float32Array },
  rowLength: number,
  i: number,
  length: number,
): TokenRow {
  const from = i * rowLength;
  const to = from + rowLength;
  return {
    inputIds: arrays.inputIds.subarray(from, to),
    segmentIds: arrays.segmentIds?.subarray(from, to),
    inputMask: arrays.inputMask.subarray(from, to),
    length,
  };
}

/** Encoder input buffers with room for `batchSize` rows of up to `seq` tokens. */
export function encoderInputBuffers(batchSize: number, seq: number): EncoderInputs {
  return {
    batch: batchSize,
    seq,
    inputIds: new Int32Array(batchSize * seq),
    segmentIds: new Int32Array(batchSize * seq),
    inputMask: new Float32Array(batchSize * seq),
  };
}

/**
 * Lays `rows` into `inputs` as one batch [rows.length, seq], seq the longest row's length (at least 1); a null row
 * is a padding row (no tokens, no attention). Padding positions get no attention and no gradient, so cutting the
 * batch to its longest row changes nothing but the work. Returns `inputs`.
 */
export function packBatch(rows: readonly (TokenRow | null)[], inputs: EncoderInputs): EncoderInputs {
  let seq = 1;
  for (const row of rows) if (row) seq = Math.max(seq, row.length);
  inputs.batch = rows.length;
  inputs.seq = seq;
  rows.forEach((row, slot) => {
    const at = slot * seq;
    if (!row) {
      inputs.inputIds.fill(0, at, at + seq);
      inputs.segmentIds.fill(0, at, at + seq);
      inputs.inputMask.fill(0, at, at + seq);
      return;
    }
    inputs.inputIds.set(row.inputIds.subarray(0, seq), at);
    if (row.segmentIds) inputs.segmentIds.set(row.segmentIds.subarray(0, seq), at);
    else inputs.segmentIds.fill(0, at, at + seq);
    inputs.inputMask.set(row.inputMask.subarray(0, seq), at);
  });
  return inputs;
}
