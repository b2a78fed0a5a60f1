import { BamError } from '../errors.js';
import { readJsonObject } from '../util/json-file.js';

/** The fields of Google's `bert_config.json` (and Hugging Face's `config.json`) that the encoder uses. */
export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  /** Only "gelu" (exact erf form, as BERT) is supported. */
  hiddenAct: 'gelu';
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  initializerRange: number;
  layerNormEps: number;
}

/** Defaults of google-research/bert `BertConfig` (type_vocab_size 16 there; the released models say 2). */
const DEFAULTS: Omit<BertConfig, 'vocabSize'> = {
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  maxPositionEmbeddings: 512,
  typeVocabSize: 16,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
};

const FIELDS: [keyof BertConfig, string][] = [
  ['vocabSize', 'vocab_size'],
  ['hiddenSize', 'hidden_size'],
  ['numHiddenLayers', 'num_hidden_layers'],
  ['numAttentionHeads', 'num_attention_heads'],
  ['intermediateSize', 'intermediate_size'],
  ['hiddenDropoutProb', 'hidden_dropout_prob'],
  ['attentionProbsDropoutProb', 'attention_probs_dropout_prob'],
  ['maxPositionEmbeddings', 'max_position_embeddings'],
  ['typeVocabSize', 'type_vocab_size'],
  ['initializerRange', 'initializer_range'],
  ['layerNormEps', 'layer_norm_eps'],
];

/** Reads a BERT config from its JSON form (Google's or Hugging Face's); `source` names the file in errors. */
export function parseBertConfig(json: Record<string, unknown>, source: string): BertConfig {
  const config: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, jsonKey] of FIELDS) {
    const value = json[jsonKey];
    if (value === undefined) {
      if (key === 'vocabSize') throw new BamError(`${source}: missing "vocab_size" (a BERT config needs it)`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new BamError(`${source}: "${jsonKey}" must be a number, got ${JSON.stringify(value)}`);
    }
    config[key] = value;
  }
  const act = json.hidden_act ?? 'gelu';
  if (act !== 'gelu') {
    throw new BamError(`${source}: hidden_act ${JSON.stringify(act)} is not supported; bam implements BERT's exact "gelu"`);
  }
  const positions = json.position_embedding_type ?? 'absolute';
  if (positions !== 'absolute') {
    throw new BamError(`${source}: position_embedding_type ${JSON.stringify(positions)} is not supported; bam implements BERT's "absolute" position embeddings`);
  }
  const result = config as unknown as BertConfig;
  validateBertConfig(result, source);
  return result;
}

export function validateBertConfig(c: BertConfig, source: string): void {
  const positiveInts: (keyof BertConfig)[] = [
    'vocabSize', 'hiddenSize', 'numHiddenLayers', 'numAttentionHeads', 'intermediateSize', 'maxPositionEmbeddings', 'typeVocabSize',
  ];
  for (const key of positiveInts) {
    const v = c[key] as number;
    if (!Number.isInteger(v) || v < 1) throw new BamError(`${source}: ${key} must be a positive integer, got ${v}`);
  }
  if (c.hiddenSize % c.numAttentionHeads !== 0) {
    throw new BamError(`${source}: hidden_size ${c.hiddenSize} is not a multiple of num_attention_heads ${c.numAttentionHeads}`);
  }
  for (const key of ['hiddenDropoutProb', 'attentionProbsDropoutProb'] as const) {
    if (!(c[key] >= 0 && c[key] < 1)) throw new BamError(`${source}: ${key} must be in [0, 1), got ${c[key]}`);
  }
}

export function readBertConfig(path: string): BertConfig {
  return parseBertConfig(readJsonObject(path, 'BERT config', "pass a model's bert_config.json or config.json"), path);
}

/** The Google `bert_config.json` form of a config (also readable by Hugging Face with model_type added). */
export function bertConfigToJson(c: BertConfig): Record<string, unknown> {
  const json: Record<string, unknown> = { hidden_act: c.hiddenAct };
  for (const [key, jsonKey] of FIELDS) json[jsonKey] = c[key];
  return json;
}
