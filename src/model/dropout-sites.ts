import { mix32 } from '../engine/kernels.js';

/**
 * Each dropout in the network gets its own stream: the seed of a site is derived from the step's seed and the site's
 * index, so masks never repeat across sites or steps (the kernels' RNG is counter-based within one call).
 */
export function siteSeed(stepSeed: number, site: number): number {
  return mix32((mix32(stepSeed >>> 0) ^ mix32(site + 0x5bd1e995)) >>> 0);
}

export const EMBEDDINGS_SITE = 0;
export const attentionProbsSite = (layer: number): number => 3 * layer + 1;
export const attentionOutputSite = (layer: number): number => 3 * layer + 2;
export const layerOutputSite = (layer: number): number => 3 * layer + 3;
export const headsSite = (numLayers: number): number => 3 * numLayers + 1;
