import { mix32 } from '../engine/kernels.js';

/**
 * Each dropout in the network gets its own stream: the seed of a site is derived from the step's seed and the site's
 * index, so masks never repeat across sites or steps (the kernels' RNG is counter-based within one call).
 * `elementOffset` places the call at an element of a larger tensor: a rank that holds rows [r0, r1) of the global
 * batch passes r0 · (elements per row), and draws exactly the masks one process would draw for those rows.
 */
export function siteSeed(stepSeed: number, site: number, elementOffset = 0): number {
  return dropoutSeedAt(mix32((mix32(stepSeed >>> 0) ^ mix32(site + 0x5bd1e995)) >>> 0), elementOffset);
}

/** The inverse of mix32 (lowbias32's inverse): unmix32(mix32(x)) = x. */
export function unmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x43021123);
  x ^= (x >>> 15) ^ (x >>> 30);
  x = Math.imul(x, 0x1d69e2a5);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * The seed whose dropout counters start `offset` elements into `seed`'s: dropoutBits(seed', i) =
 * mix32(mix32(seed') + i·φ) with mix32(seed') = mix32(seed) + offset·φ, which is dropoutBits(seed, offset + i) for
 * every i. So a slice of a tensor draws its part of the whole tensor's mask without any kernel knowing about slices.
 */
export function dropoutSeedAt(seed: number, offset: number): number {
  if (offset === 0) return seed >>> 0;
  return unmix32((mix32(seed >>> 0) + Math.imul(offset, 0x9e3779b9)) >>> 0);
}

export const EMBEDDINGS_SITE = 0;
export const attentionProbsSite = (layer: number): number => 3 * layer + 1;
export const attentionOutputSite = (layer: number): number => 3 * layer + 2;
export const layerOutputSite = (layer: number): number => 3 * layer + 3;
export const headsSite = (numLayers: number): number => 3 * numLayers + 1;
