import type { FloatBuffer } from '../engine/backend.js';
import type { EncoderInputs } from './bert-encoder.js';

/**
 * A head on the encoder's sequence output [batch·seq, hidden]: the pooled [CLS] task heads, the masked-LM head, and
 * later token-tagging or span heads. The encoder knows nothing of them; a model runs encoder → head → loss and back.
 *
 * `Input` is what the head needs beside the sequence output for one batch (task ids, masked positions, ...): host
 * data of the batch, as the encoder's inputs are.
 */
export interface EncoderHead<Input> {
  /**
   * Which rows of the sequence output the head reads. 'cls': only each sequence's first row, so the inference path
   * computes only those rows in the last layer; 'all': any row.
   */
  readonly reads: 'cls' | 'all';

  /** Writes the head's outputs for the batch; keeps what backward needs when `training`. */
  forward(sequence: FloatBuffer, inputs: EncoderInputs, input: Input, training: boolean, stepSeed: number, outputs: FloatBuffer): void;

  /**
   * Backward from the gradient of the outputs of the last forward: accumulates the head's parameter gradients and
   * adds the gradient of its input into `dSequence` ([batch·seq, hidden], as the encoder's outputGradient gives it).
   */
  backward(dOutputs: FloatBuffer, dSequence: FloatBuffer): void;
}
