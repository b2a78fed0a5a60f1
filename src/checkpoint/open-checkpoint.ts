import { existsSync } from 'node:fs';
import { BamError } from '../errors.js';
import { openSafetensors, type SafetensorsFile } from './safetensors.js';
import { openTfCheckpoint, type TfCheckpoint } from './tf/tensor-bundle.js';

/** An open checkpoint of either format; `kind` says which, and narrows to the format's extra methods. */
export type Checkpoint = TfCheckpoint | SafetensorsFile;

/**
 * Opens `pathOrPrefix` as safetensors when it ends in `.safetensors`, otherwise as a TensorFlow checkpoint when it
 * names a `.index` or `.data-*-of-*` file or a prefix with a `.index` file beside it.
 */
export function openCheckpoint(pathOrPrefix: string): Checkpoint {
  if (pathOrPrefix.endsWith('.safetensors')) return openSafetensors(pathOrPrefix);
  if (/\.(index|data-\d{5}-of-\d{5})$/.test(pathOrPrefix) || existsSync(`${pathOrPrefix}.index`)) {
    return openTfCheckpoint(pathOrPrefix);
  }
  throw new BamError(
    `${pathOrPrefix}: not a checkpoint; pass a .safetensors file, or a TensorFlow checkpoint prefix such as .../bert_model.ckpt (with its .index file beside it)`,
  );
}
