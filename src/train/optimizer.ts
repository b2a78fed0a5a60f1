import type { FloatBuffer, Kernels } from '../engine/backend.js';
import type { ParameterArena } from '../model/arena.js';

/** The optimisation hparams of the original (`bert/optimization.py`, `configure.py`). */
export interface OptimizerSettings {
  learningRate: number;
  numTrainSteps: number;
  warmupProportion: number;
  /** Warmup steps given as a count (BERT pretraining's num_warmup_steps); replaces warmupProportion when set. */
  warmupSteps?: number;
  /** Layer-wise decay: lr · lrDecay^(nLayers + 2 − depth); 0 disables it. */
  lrDecay: number;
  weightDecayRate: number;
  /** Layer count used by the layer-wise decay (the original parses it from the pretrained model's name). */
  numLayers: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  clipNorm?: number;
}

/**
 * Learning rate at a (pre-increment) step: linear warmup over int(total · warmup_proportion) steps, then linear
 * decay to 0 at `numTrainSteps` (polynomial_decay with power 1).
 */
export function learningRateAt(step: number, s: OptimizerSettings): number {
  const warmup = s.warmupSteps ?? Math.trunc(s.numTrainSteps * s.warmupProportion);
  if (warmup > 0 && step < warmup) return (s.learningRate * step) / warmup;
  return s.learningRate * (1 - Math.min(step, s.numTrainSteps) / s.numTrainSteps);
}

/**
 * BERT's AdamWeightDecay (no bias correction, decoupled weight decay except on LayerNorm and biases) after
 * global-norm clipping, with the layer-wise learning rate, as one fused pass over the parameter arena.
 */
export class AdamWeightDecay {
  private readonly segments: Float64Array;
  private readonly layerFactors: Float64Array;
  /** The global gradient norm of the last step, before clipping, where the backend writes it. */
  private readonly gradNorm: FloatBuffer;

  constructor(private readonly k: Kernels, private readonly arena: ParameterArena, private readonly s: OptimizerSettings) {
    const params = arena.parameters;
    this.segments = new Float64Array(params.length * 4);
    this.layerFactors = new Float64Array(params.length);
    this.gradNorm = k.allocFloat(1);
    params.forEach((p, i) => {
      this.segments[4 * i] = p.offset;
      this.segments[4 * i + 1] = p.size;
      this.segments[4 * i + 3] = p.decay ? s.weightDecayRate : 0;
      this.layerFactors[i] = s.lrDecay > 0 ? s.lrDecay ** (s.numLayers + 2 - p.depth) : 1;
    });
  }

  /** The base learning rate at a pre-increment step. */
  learningRate(step: number): number {
    return learningRateAt(step, this.s);
  }

  /**
   * Applies one update with the gradients in the arena, at the given pre-increment step, clipping them to the global
   * norm clipNorm on the backend. Returns the base learning rate used.
   */
  step(step: number): number {
    const lr = learningRateAt(step, this.s);
    for (let i = 0; i < this.layerFactors.length; i++) this.segments[4 * i + 2] = lr * this.layerFactors[i];
    this.k.adamWeightDecay(
      this.arena.values, this.arena.grads, this.arena.adamM, this.arena.adamV, this.segments,
      this.s.beta1 ?? 0.9, this.s.beta2 ?? 0.999, this.s.epsilon ?? 1e-6, this.s.clipNorm ?? 1, this.gradNorm,
    );
    return lr;
  }

  /** The global gradient norm (before clipping) of the last step: a read from the backend, for after the step. */
  lastGradientNorm(): number {
    return this.k.download(this.gradNorm)[0];
  }
}
