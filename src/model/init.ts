import type { Rng } from '../util/rng.js';
import type { ParameterArena } from './arena.js';

/** TF's truncated_normal: normal(0, stddev) redrawn until it lies within two standard deviations. */
export function fillTruncatedNormal(out: Float32Array, stddev: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    out[i] = z * stddev;
  }
}

/** TF's default dense initializer (Glorot uniform): U(−l, l) with l = sqrt(6 / (fanIn + fanOut)). */
export function fillGlorotUniform(out: Float32Array, fanIn: number, fanOut: number, rng: Rng): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
}

/**
 * Random initialisation as google-research/bert and BAM do it, in arena order from one seeded stream: truncated
 * normal(initializer_range) for embeddings and every kernel, zero biases (the masked-LM `output_bias` too),
 * LayerNorm gamma 1 / beta 0, Glorot-uniform task-head kernels (BAM's tf.layers.dense default).
 */
export function initializeParameters(arena: ParameterArena, initializerRange: number, rng: Rng): void {
  for (const p of arena.parameters) {
    const values = new Float32Array(p.size);
    if (p.name.endsWith('/gamma')) values.fill(1);
    else if (p.name.endsWith('bias') || p.name.endsWith('/beta')) values.fill(0);
    else if (p.name.startsWith('task_specific/')) fillGlorotUniform(values, p.shape[0], p.shape[1], rng);
    else fillTruncatedNormal(values, initializerRange, rng);
    arena.write(p, values);
  }
}
