import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BamError } from '../errors.js';
import type { WeightFormat } from './load-weights.js';

/** The files of a pretrained (or bam-trained) model folder. */
export interface PretrainedFiles {
  dir: string;
  format: WeightFormat;
  configPath: string;
  /** A TF checkpoint prefix (`…/bert_model.ckpt`) or a `.safetensors` file. */
  weightsPath: string;
  /** vocab.txt in the folder, when there is one. */
  vocabPath: string | null;
}

/**
 * Recognises Google's layout (bert_config.json + bert_model.ckpt.index/.data-*) and Hugging Face's
 * (config.json + model.safetensors) in `dir`.
 */
export function findPretrainedFiles(dir: string): PretrainedFiles {
  if (!existsSync(dir)) {
    throw new BamError(
      `${dir}: model folder not found; put Google's BERT files (bert_config.json, bert_model.ckpt.*, vocab.txt) ` +
      "or Hugging Face's (config.json, model.safetensors, vocab.txt) there",
    );
  }
  const vocab = join(dir, 'vocab.txt');
  const vocabPath = existsSync(vocab) ? vocab : null;
  const hfConfig = join(dir, 'config.json');
  const safetensors = join(dir, 'model.safetensors');
  if (existsSync(hfConfig) && existsSync(safetensors)) {
    return { dir, format: 'huggingface', configPath: hfConfig, weightsPath: safetensors, vocabPath };
  }
  const googleConfig = join(dir, 'bert_config.json');
  const indexFiles = readdirSync(dir).filter((f) => f.endsWith('.ckpt.index') || /\.ckpt-\d+\.index$/.test(f)).sort();
  if (existsSync(googleConfig) && indexFiles.length > 0) {
    const preferred = indexFiles.includes('bert_model.ckpt.index') ? 'bert_model.ckpt.index' : indexFiles[indexFiles.length - 1];
    return { dir, format: 'tensorflow', configPath: googleConfig, weightsPath: join(dir, preferred.slice(0, -'.index'.length)), vocabPath };
  }
  throw new BamError(
    `${dir}: no model found; expected Google's layout (bert_config.json + bert_model.ckpt.index/.data-*) ` +
    "or Hugging Face's (config.json + model.safetensors)",
  );
}
