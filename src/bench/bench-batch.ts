import type { EncoderInputs } from '../model/bert-encoder.js';
import type { LossTargets } from '../train/multitask-loss.js';
import type { MaskedLmBatch } from '../train/masked-lm-step.js';
import { Rng } from '../util/rng.js';

/** The seed of every benchmark model and batch, so that separate processes build the same ones. */
export const BENCH_SEED = 12345;
/** Labels of the benchmark's classification head. */
export const BENCH_LABELS = 2;
/** BERT pretraining's max_predictions_per_seq at sequence 128. */
export const MASKED_PER_SEQUENCE = 20;

/** Full-length random sequences (mask all ones): first half segment 0, second half segment 1. */
function randomInputs(rng: Rng, vocabSize: number, batch: number, seq: number): EncoderInputs {
  const inputIds = new Int32Array(batch * seq);
  const segmentIds = new Int32Array(batch * seq);
  for (let i = 0; i < inputIds.length; i++) {
    inputIds[i] = rng.int(vocabSize);
    segmentIds[i] = i % seq < seq / 2 ? 0 : 1;
  }
  return { batch, seq, inputIds, segmentIds, inputMask: new Float32Array(batch * seq).fill(1) };
}

/** The classification benchmark's batch: random sequences for the one task, random labels. */
export function randomClassificationBatch(vocabSize: number, batch: number, seq: number): { inputs: EncoderInputs; targets: LossTargets } {
  const rng = new Rng(BENCH_SEED);
  const inputs = randomInputs(rng, vocabSize, batch, seq);
  const labelIds = Int32Array.from({ length: batch }, () => rng.int(BENCH_LABELS));
  return { inputs, targets: { taskIds: new Int32Array(batch), labelIds, regressionTargets: new Float32Array(batch) } };
}

/**
 * The masked-LM benchmark's batch: random sequences, min(20, seq) distinct random positions of each (in order) and a
 * random original token for each.
 */
export function randomMaskedLmBatch(vocabSize: number, batch: number, seq: number): MaskedLmBatch {
  const rng = new Rng(BENCH_SEED);
  const inputs = randomInputs(rng, vocabSize, batch, seq);
  const perSequence = Math.min(MASKED_PER_SEQUENCE, seq);
  const rows = new Int32Array(batch * perSequence);
  const order = Int32Array.from({ length: seq }, (_, i) => i);
  for (let b = 0; b < batch; b++) {
    rng.shuffle(order);
    const picked = order.slice(0, perSequence).sort();
    for (let j = 0; j < perSequence; j++) rows[b * perSequence + j] = b * seq + picked[j];
  }
  const labels = Int32Array.from(rows, () => rng.int(vocabSize));
  return { inputs, positions: { count: rows.length, rows }, labels };
}
