import type { Rng } from '../util/rng.js';

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
