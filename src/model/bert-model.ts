import type { Kernels } from '../engine/kernels.js';
import { Rng } from '../util/rng.js';
import { ParameterArena } from './arena.js';
import type { BertConfig } from './bert-config.js';
import { BertEncoder } from './bert-encoder.js';
import { fillGlorotUniform, fillTruncatedNormal } from './init.js';
import { encoderParameterSpecs, headParameterSpecs } from './parameter-specs.js';
import { TaskHeads, type HeadSpec } from './task-heads.js';

/** The multi-task model: one shared BERT encoder, one dense head per task, all parameters in one arena. */
export class BertModel {
  readonly arena: ParameterArena;
  readonly encoder: BertEncoder;
  readonly heads: TaskHeads;

  constructor(readonly kernels: Kernels, readonly config: BertConfig, readonly headSpecs: HeadSpec[]) {
    this.arena = new ParameterArena([
      ...encoderParameterSpecs(config),
      ...headSpecs.flatMap((h) => headParameterSpecs(h.task, h.numOutputs, config)),
    ]);
    this.encoder = new BertEncoder(kernels, config, this.arena);
    this.heads = new TaskHeads(kernels, config.hiddenSize, config.numHiddenLayers, this.arena, headSpecs);
  }

  /**
   * Random initialisation as google-research/bert and BAM do it: truncated normal(initializer_range) for embeddings
   * and every encoder kernel, zero biases, LayerNorm gamma 1 / beta 0; Glorot-uniform task-head kernels.
   */
  initialize(seed: number): void {
    const rng = new Rng(seed);
    for (const p of this.arena.parameters) {
      if (p.name.endsWith('/gamma')) p.value.fill(1);
      else if (p.name.endsWith('/bias') || p.name.endsWith('/beta')) p.value.fill(0);
      else if (p.name.startsWith('task_specific/')) fillGlorotUniform(p.value, p.shape[0], p.shape[1], rng);
      else fillTruncatedNormal(p.value, this.config.initializerRange, rng);
    }
  }
}
