import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { RunConfig } from '../config/resolve-config.js';
import { BamError } from '../errors.js';
import type { BertConfig } from '../model/bert-config.js';
import type { Vocab } from '../tokenization/vocab.js';

/** The tokens featurize and WordPiece emit; a vocabulary without one of them cannot encode a GLUE example. */
const SPECIAL_TOKENS = ['[CLS]', '[SEP]', '[UNK]'];

/**
 * The vocabulary must fit the model's embedding table: an id at or above vocab_size would index past it (the
 * native kernels refuse it, the reference kernels would read beyond the table).
 */
export function checkVocabularyFits(vocab: Vocab, model: BertConfig, configFile: string): void {
  const size = vocab.idToToken.length;
  if (size > model.vocabSize) {
    throw new BamError(
      `vocabulary ${vocab.source} has ${size} tokens but ${configFile} has vocab_size ${model.vocabSize}; use the vocab.txt that belongs to the model, or set "vocab_size" to at least ${size}`,
    );
  }
  const missing = SPECIAL_TOKENS.filter((t) => !vocab.tokenToId.has(t));
  if (missing.length > 0) {
    throw new BamError(`vocabulary ${vocab.source} lacks ${missing.join(', ')}; use a BERT vocab.txt (it lists [PAD], [UNK], [CLS], [SEP], [MASK])`);
  }
}

/** A split the run reads must hold examples: an empty dev set would score NaN, an empty train set trains nothing. */
export function checkSplitNotEmpty(config: RunConfig, task: string, split: string, count: number): void {
  if (count > 0) return;
  const file = join(config.raw_data_dir(task), `${split}.tsv`);
  const limit = config.debug ? ` (debug mode reads its first ${config.debug_max_lines} lines, header included; raise "debug_max_lines")` : '';
  throw new BamError(`${file} has no examples${limit}; put the GLUE ${task} ${split} file there`);
}

/** The number of training steps; at least one, or the run would save an untrained model. */
export function trainingSteps(config: RunConfig, trainExamples: number): number {
  const stepsPerEpoch = Math.ceil(trainExamples / config.train_batch_size);
  const steps = Math.trunc(stepsPerEpoch * config.num_train_epochs);
  if (steps < 1) {
    throw new BamError(
      `hparam "num_train_epochs" ${config.num_train_epochs} gives 0 training steps (${trainExamples} train examples in batches of ${config.train_batch_size}: ${stepsPerEpoch} steps per epoch); set it to at least ${(1 / stepsPerEpoch).toPrecision(3)}`,
    );
  }
  return steps;
}

const GIB = 1024 ** 3;
/** The longest typed array V8 allocates (elements). */
const MAX_ARRAY_ELEMENTS = 2 ** 32 - 1;

/**
 * A rough upper bound of the bytes training needs: parameters with their gradients and Adam moments, and per layer
 * the activations kept for the backward pass (hidden-wide tensors, the feed-forward's intermediate, the attention
 * scores), in float32. Refuses settings whose largest array V8 cannot allocate or whose total exceeds the machine.
 */
export function checkTrainingMemory(config: RunConfig, model: BertConfig, numParameters: number, memory = totalmem()): void {
  const batch = Math.max(config.train_batch_size, config.eval_batch_size, config.predict_batch_size);
  const seq = config.max_seq_length;
  const h = model.hiddenSize;
  const attention = batch * model.numAttentionHeads * seq * seq;
  const intermediate = batch * seq * model.intermediateSize;
  const largest = Math.max(attention, intermediate, model.vocabSize * h);
  const perLayer = batch * seq * h * 12 + intermediate * 2 + attention * 3;
  const bytes = 4 * (4 * numParameters + model.numHiddenLayers * perLayer);
  const fix = 'lower "train_batch_size", "eval_batch_size", "predict_batch_size", "max_seq_length" or (debug) "debug_hidden_size"';
  if (largest > MAX_ARRAY_ELEMENTS || bytes > memory) {
    throw new BamError(
      `these settings need about ${(bytes / GIB).toFixed(1)} GiB for training (batch ${batch}, sequence ${seq}, width ${h}, ${model.numHiddenLayers} layers), ` +
      `this machine has ${(memory / GIB).toFixed(1)} GiB; ${fix}`,
    );
  }
}

/** Parameters of a BERT encoder with pooler and task heads of `outputs` outputs in all, without allocating it. */
export function countParameters(model: BertConfig, outputs: number): number {
  const h = model.hiddenSize;
  const embeddings = (model.vocabSize + model.maxPositionEmbeddings + model.typeVocabSize) * h + 2 * h;
  const layer = 4 * (h * h + h) + 2 * (h * model.intermediateSize) + model.intermediateSize + h + 4 * h;
  return embeddings + model.numHiddenLayers * layer + h * h + h + outputs * (h + 1);
}
