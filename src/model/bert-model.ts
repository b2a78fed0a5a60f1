import type { FloatBuffer, Kernels } from '../engine/backend.js';
import { Rng } from '../util/rng.js';
import { ParameterArena } from './arena.js';
import type { BertConfig } from './bert-config.js';
import { BertEncoder, type EncoderInputs } from './bert-encoder.js';
import { initializeParameters } from './init.js';
import { encoderParameterSpecs, headParameterSpecs } from './parameter-specs.js';
import { TaskHeads, type HeadSpec } from './task-heads.js';

/** The multi-task model: one shared BERT encoder, the pooler and one dense head per task, all parameters in one arena. */
export class BertModel {
  readonly arena: ParameterArena;
  readonly encoder: BertEncoder;
  readonly heads: TaskHeads;

  constructor(readonly kernels: Kernels, readonly config: BertConfig, readonly headSpecs: HeadSpec[]) {
    this.arena = new ParameterArena(kernels, [
      ...encoderParameterSpecs(config),
      ...headSpecs.flatMap((h) => headParameterSpecs(h.task, h.numOutputs, config)),
    ]);
    this.encoder = new BertEncoder(kernels, config, this.arena);
    this.heads = new TaskHeads(kernels, config.hiddenSize, config.numHiddenLayers, this.arena, headSpecs);
  }

  /** Random initialisation as google-research/bert and BAM do it (see initializeParameters). */
  initialize(seed: number): void {
    initializeParameters(this.arena, this.config.initializerRange, new Rng(seed));
  }

  /**
   * The training path: encoder and each example's task head, keeping what backward needs (dropout when
   * `training`). Writes outputs [batch, maxOutputs].
   */
  forward(inputs: EncoderInputs, taskIds: Int32Array, training: boolean, stepSeed: number, outputs: FloatBuffer): void {
    const sequence = this.encoder.forward(inputs, training, stepSeed);
    this.heads.forward(sequence, inputs, taskIds, training, stepSeed, outputs);
  }

  /** Backward from dOutputs [batch, maxOutputs] of the last forward; accumulates every parameter gradient. */
  backward(dOutputs: FloatBuffer): void {
    this.heads.backward(dOutputs, this.encoder.outputGradient());
    this.encoder.backward();
  }

  /**
   * The inference path (fused layers, nothing kept for backward): writes outputs [batch, maxOutputs]. The last
   * layer computes only [CLS] rows unless `wholeSequence` asks for every row (for encoder.sequenceOutput()).
   */
  infer(inputs: EncoderInputs, taskIds: Int32Array, outputs: FloatBuffer, wholeSequence = false): void {
    const sequence = this.encoder.infer(inputs, wholeSequence ? 'all' : this.heads.reads);
    this.heads.forward(sequence, inputs, taskIds, false, 0, outputs);
  }
}
