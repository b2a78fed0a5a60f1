import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isFolderName } from '../config/hparams.js';
import { BamError } from '../errors.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { countLines, placeFiles } from './glue-layout.js';
import type { Placement, PlacementResult, PlaceOptions } from './glue-layout.js';

/**
 * The released BERT-base `bert_config.json` (google-research/bert, uncased_L-12_H-768_A-12), less its vocab_size.
 * The original's run.sh downloads only this file and vocab.txt for its debug run, which trains from random weights.
 */
const BERT_BASE_CONFIG = {
  attention_probs_dropout_prob: 0.1,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  hidden_size: 768,
  initializer_range: 0.02,
  intermediate_size: 3072,
  max_position_embeddings: 512,
  num_attention_heads: 12,
  num_hidden_layers: 12,
  type_vocab_size: 2,
} as const;

export type BertBaseConfigJson = typeof BERT_BASE_CONFIG & { vocab_size: number };

/** The BERT-base config for a vocabulary of `vocabSize` tokens, keys in the released file's (alphabetical) order. */
export function bertBaseConfig(vocabSize: number): BertBaseConfigJson {
  return { ...BERT_BASE_CONFIG, vocab_size: vocabSize };
}

export interface PretrainedStubPlan {
  /** `pretrained_models/<name>`, relative to the bam_dir. */
  modelDir: string;
  vocab: Placement;
  /** Lines of vocab.txt: the vocab_size of the config written beside it. */
  vocabSize: number;
}

export interface PretrainedStubResult {
  modelDir: string;
  vocab: PlacementResult;
  vocabSize: number;
  /** `written`: a new bert_config.json; `kept`: one was there and is left as it is. */
  config: 'written' | 'kept';
  /** The vocab_size of the bert_config.json now in place; null when it has no numeric vocab_size. */
  configVocabSize: number | null;
}

/** Checks the vocab file and the model folder name; nothing is written. */
export function planPretrainedStub(vocabPath: string, modelName: string): PretrainedStubPlan {
  if (!isFolderName(modelName)) {
    throw new BamError(`--pretrained-model-name ${JSON.stringify(modelName)} is not a folder name; pass one name without slashes, e.g. uncased_L-12_H-768_A-12`);
  }
  const source = resolve(vocabPath);
  if (!existsSync(source) || !statSync(source).isFile()) {
    throw new BamError(`${source}: vocab file not found; pass --vocab the vocab.txt of a BERT model`);
  }
  const vocabSize = countLines(source);
  if (vocabSize === 0) throw new BamError(`${source}: vocab file is empty; pass --vocab a BERT vocab.txt (one token per line)`);
  const modelDir = join('pretrained_models', modelName);
  return { modelDir, vocab: { source, dest: join(modelDir, 'vocab.txt') }, vocabSize };
}

function readVocabSize(configPath: string): number | null {
  try {
    const value: unknown = JSON.parse(readFileSync(configPath, 'utf8')).vocab_size;
    return typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
}

/**
 * Puts vocab.txt into `<bamDir>/pretrained_models/<name>/` (link or copy, as placeFiles) and writes a BERT-base
 * bert_config.json with the vocab's size there unless a bert_config.json already exists.
 */
export function applyPretrainedStub(plan: PretrainedStubPlan, bamDir: string, options: PlaceOptions): PretrainedStubResult {
  const [vocab] = placeFiles([plan.vocab], bamDir, options);
  const configPath = join(resolve(bamDir), plan.modelDir, 'bert_config.json');
  const config = existsSync(configPath) ? 'kept' : 'written';
  if (config === 'written') writeJsonAtomic(configPath, bertBaseConfig(plan.vocabSize), 2);
  return { modelDir: plan.modelDir, vocab, vocabSize: plan.vocabSize, config, configVocabSize: readVocabSize(configPath) };
}
