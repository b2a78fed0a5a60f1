import { existsSync } from 'node:fs';
import { openCheckpoint } from '../checkpoint/open-checkpoint.js';
import { loadWeights } from '../checkpoint/load-weights.js';
import { findPretrainedFiles, type PretrainedFiles } from '../checkpoint/pretrained-files.js';
import type { RunConfig } from '../config/resolve-config.js';
import { validateAgainstModel } from '../config/resolve-config.js';
import type { Task } from '../data/tasks.js';
import type { Kernels } from '../engine/backend.js';
import { BamError } from '../errors.js';
import { readBertConfig, type BertConfig } from '../model/bert-config.js';
import { BertModel } from '../model/bert-model.js';
import { FullTokenizer } from '../tokenization/index.js';

/** What a run needs from `pretrained_models/<name>/`: the model config, the vocab and (unless debug) the weights. */
export interface ModelSource {
  config: BertConfig;
  vocabPath: string;
  /** Null when the run starts from random initialisation (debug, or pretrained: false). */
  weights: PretrainedFiles | null;
}

const WHERE_TO_PUT =
  "put Google's BERT files (bert_config.json, vocab.txt, bert_model.ckpt.index/.data-*) or Hugging Face's " +
  '(config.json, model.safetensors, vocab.txt) there, or set "pretrained_model_dir"';

/**
 * Finds the model config and vocab (and weights, when they are to be loaded). Debug mode shrinks the config as the
 * original does (num_hidden_layers, hidden_size; the other fields kept) and needs only the config and the vocab,
 * like the original's run.sh.
 */
export function findModelSource(config: RunConfig): ModelSource {
  const dir = config.pretrained_model_dir;
  if (!existsSync(dir)) throw new BamError(`pretrained model folder ${dir} not found; ${WHERE_TO_PUT}`);
  let weights: PretrainedFiles | null = null;
  let configPath: string;
  let vocabPath: string | null;
  if (config.load_pretrained_weights) {
    weights = findPretrainedFiles(dir);
    configPath = weights.configPath;
    vocabPath = weights.vocabPath;
  } else {
    configPath = [config.bert_config_file, `${dir}/config.json`].find((p) => existsSync(p)) ?? config.bert_config_file;
    vocabPath = existsSync(config.vocab_file) ? config.vocab_file : null;
    if (!existsSync(configPath)) throw new BamError(`${configPath} not found (the model config is needed even when training from scratch); ${WHERE_TO_PUT}`);
  }
  if (!vocabPath) throw new BamError(`${config.vocab_file} not found; ${WHERE_TO_PUT}`);
  let bert = readBertConfig(configPath);
  if (config.debug) bert = { ...bert, numHiddenLayers: config.debug_num_hidden_layers, hiddenSize: config.debug_hidden_size };
  validateAgainstModel(config, { maxPositionEmbeddings: bert.maxPositionEmbeddings, numAttentionHeads: bert.numAttentionHeads, configFile: configPath });
  return { config: bert, vocabPath, weights };
}

export function loadTokenizer(config: RunConfig, source: ModelSource): FullTokenizer {
  return FullTokenizer.fromVocabFile(source.vocabPath, config.do_lower_case);
}

/** A fresh model for the tasks: seeded random initialisation, then the pretrained encoder when there is one. */
export function buildModel(kernels: Kernels, source: ModelSource, tasks: Task[], seed: number): BertModel {
  const model = new BertModel(kernels, source.config, tasks.map((t) => ({ task: t.name, numOutputs: t.numOutputs })));
  model.initialize(seed);
  if (source.weights) {
    const checkpoint = openCheckpoint(source.weights.weightsPath);
    try {
      loadWeights(model.arena, checkpoint, source.weights.format);
    } finally {
      checkpoint.close();
    }
  }
  return model;
}
