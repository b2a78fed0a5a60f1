import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckpoint } from './checkpoint/open-checkpoint.js';
import { loadWeights } from './checkpoint/load-weights.js';
import { findPretrainedFiles } from './checkpoint/pretrained-files.js';
import type { Kernels } from './engine/kernels.js';
import { BamError } from './errors.js';
import { readBertConfig } from './model/bert-config.js';
import type { EncoderInputs } from './model/bert-encoder.js';
import { BertModel } from './model/bert-model.js';
import { encodeExample, FullTokenizer, type EncodedInput } from './tokenization/index.js';

export interface PredictOptions {
  /** vocab.txt to use instead of the model folder's. */
  vocabPath?: string;
  /** Lower-case and strip accents; when undefined, the folder's tokenizer_config.json decides (default true). */
  doLowerCase?: boolean;
  /** Longest WordPiece sequence ([CLS]/[SEP] included); longer inputs are truncated as BAM does. */
  maxLength: number;
  /** Also return the last hidden states. */
  hidden: boolean;
  batchSize?: number;
}

export interface PredictResult {
  /** [n, num_labels], when the model has a sequence-classification head. */
  logits?: number[][];
  pooler_output: number[][];
  /** [n, longest, hidden], padded to the longest input as Hugging Face's `padding=True` does. */
  last_hidden_state?: number[][][];
}

const CLASSIFIER = 'classifier';

/**
 * Runs a Hugging Face BertForSequenceClassification folder (or a Google BERT folder, for pooled outputs) on text
 * pairs, in eval mode.
 */
export function predictPairs(kernels: Kernels, modelDir: string, pairs: [string, string | null][], options: PredictOptions): PredictResult {
  const files = findPretrainedFiles(modelDir);
  const config = readBertConfig(files.configPath);
  const vocabPath = options.vocabPath ?? files.vocabPath;
  if (!vocabPath) throw new BamError(`${modelDir}: no vocab.txt in the model folder; pass --vocab FILE`);
  if (options.maxLength > config.maxPositionEmbeddings) {
    throw new BamError(`--max-length ${options.maxLength} exceeds the model's max_position_embeddings ${config.maxPositionEmbeddings}`);
  }
  const tokenizer = FullTokenizer.fromVocabFile(vocabPath, options.doLowerCase ?? folderLowerCase(modelDir));
  const source = openCheckpoint(files.weightsPath);
  let numLabels = 0;
  try {
    if (files.format === 'huggingface' && source.has(`${CLASSIFIER}.weight`)) numLabels = source.info(`${CLASSIFIER}.weight`).shape[0];
    const heads = numLabels > 0 ? [{ task: CLASSIFIER, numOutputs: numLabels }] : [];
    const model = new BertModel(kernels, config, heads);
    loadWeights(model.arena, source, files.format, numLabels > 0 ? { headSources: { [CLASSIFIER]: CLASSIFIER } } : {});
    return runModel(model, pairs.map(([a, b]) => encodeExample(tokenizer, a, b, options.maxLength)), numLabels, options);
  } finally {
    source.close();
  }
}

function runModel(model: BertModel, encoded: EncodedInput[], numLabels: number, options: PredictOptions): PredictResult {
  const H = model.config.hiddenSize;
  const seq = Math.max(1, ...encoded.map((e) => e.length));
  const batchSize = options.batchSize ?? 32;
  const result: PredictResult = { pooler_output: [] };
  if (numLabels > 0) result.logits = [];
  if (options.hidden) result.last_hidden_state = [];
  const inputs: EncoderInputs = {
    batch: 0,
    seq,
    inputIds: new Int32Array(batchSize * seq),
    segmentIds: new Int32Array(batchSize * seq),
    inputMask: new Float32Array(batchSize * seq),
  };
  const taskIds = new Int32Array(batchSize);
  const outputs = new Float32Array(batchSize * model.heads.maxOutputs);
  for (let start = 0; start < encoded.length; start += batchSize) {
    const chunk = encoded.slice(start, start + batchSize);
    inputs.batch = chunk.length;
    chunk.forEach((e, b) => {
      inputs.inputIds.set(e.inputIds.subarray(0, seq), b * seq);
      inputs.segmentIds.set(e.segmentIds.subarray(0, seq), b * seq);
      for (let j = 0; j < seq; j++) inputs.inputMask[b * seq + j] = e.inputMask[j];
    });
    model.infer(inputs, taskIds, outputs, options.hidden);
    const pooled = model.heads.pooled();
    for (let b = 0; b < chunk.length; b++) result.pooler_output.push(Array.from(pooled.subarray(b * H, (b + 1) * H)));
    if (result.last_hidden_state) {
      const hidden = model.encoder.sequenceOutput();
      for (let b = 0; b < chunk.length; b++) {
        const rows: number[][] = [];
        for (let j = 0; j < seq; j++) rows.push(Array.from(hidden.subarray((b * seq + j) * H, (b * seq + j + 1) * H)));
        result.last_hidden_state.push(rows);
      }
    }
    if (result.logits) {
      const M = model.heads.maxOutputs;
      for (let b = 0; b < chunk.length; b++) result.logits.push(Array.from(outputs.subarray(b * M, b * M + numLabels)));
    }
  }
  return result;
}

/** Hugging Face folders say in tokenizer_config.json whether their vocab is cased; BERT's default is uncased. */
function folderLowerCase(modelDir: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(modelDir, 'tokenizer_config.json'), 'utf8')) as { do_lower_case?: unknown };
    return typeof config.do_lower_case === 'boolean' ? config.do_lower_case : true;
  } catch {
    return true;
  }
}

/** Reads `[[text_a, text_b or null], ...]`. */
export function readPairsFile(path: string): [string, string | null][] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BamError(`${path}: cannot read the pairs file (${(e as Error).message}); expected JSON [[text_a, text_b or null], ...]`);
  }
  const ok = Array.isArray(json) && json.every((p) =>
    Array.isArray(p) && (p.length === 1 || p.length === 2) && typeof p[0] === 'string' && (p[1] === undefined || p[1] === null || typeof p[1] === 'string'));
  if (!ok) throw new BamError(`${path}: expected a JSON array of [text_a, text_b or null] pairs`);
  return (json as [string, string | null | undefined][]).map(([a, b]) => [a, b ?? null]);
}
