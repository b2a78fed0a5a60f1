import type { FloatBuffer, Kernels } from '../engine/backend.js';
import { Rng } from '../util/rng.js';
import { ParameterArena } from './arena.js';
import type { BertConfig } from './bert-config.js';
import { BertEncoder, type EncoderInputs } from './bert-encoder.js';
import { initializeParameters } from './init.js';
import { MaskedLmHead, type MaskedPositions } from './masked-lm-head.js';
import { encoderParameterSpecs, maskedLmParameterSpecs } from './parameter-specs.js';

/**
 * The pretraining model: the BERT encoder (its pooler included, so that a fine-tuning run loads a complete encoder;
 * without next-sentence prediction nothing trains it) and the masked-LM head, in one arena.
 */
export class BertMaskedLm {
  readonly arena: ParameterArena;
  readonly encoder: BertEncoder;
  readonly head: MaskedLmHead;

  constructor(readonly kernels: Kernels, readonly config: BertConfig) {
    this.arena = new ParameterArena(kernels, [...encoderParameterSpecs(config), ...maskedLmParameterSpecs(config)]);
    this.encoder = new BertEncoder(kernels, config, this.arena);
    this.head = new MaskedLmHead(kernels, config, this.arena);
  }

  /** Random initialisation as google-research/bert does it (see initializeParameters). */
  initialize(seed: number): void {
    initializeParameters(this.arena, this.config.initializerRange, new Rng(seed));
  }

  /**
   * The training path (dropout when `training`), keeping what backward needs: writes logits [positions.count, vocab]
   * of the masked positions.
   */
  forward(inputs: EncoderInputs, positions: MaskedPositions, training: boolean, stepSeed: number, logits: FloatBuffer): void {
    const sequence = this.encoder.forward(inputs, training, stepSeed);
    this.head.forward(sequence, inputs, positions, training, stepSeed, logits);
  }

  /** The inference path (fused layers, nothing kept for backward): logits of the masked positions. */
  infer(inputs: EncoderInputs, positions: MaskedPositions, logits: FloatBuffer): void {
    const sequence = this.encoder.infer(inputs, 'all');
    this.head.forward(sequence, inputs, positions, false, 0, logits);
  }

  /** Backward from dLogits of the last training forward; accumulates every parameter gradient. */
  backward(dLogits: FloatBuffer): void {
    this.head.backward(dLogits, this.encoder.outputGradient());
    this.encoder.backward();
  }
}
