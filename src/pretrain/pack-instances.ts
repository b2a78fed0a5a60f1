import type { Rng } from '../util/rng.js';
import type { TokenizedDocument } from './text-documents.js';

/** Instances before masking: `[CLS] tokens [SEP]`, zero-padded rows of a flat [n, seqLength] array. */
export interface PackedInstances {
  n: number;
  seqLength: number;
  tokenIds: Int32Array;
  /** Real tokens of each row, [CLS] and [SEP] included. */
  lengths: Int32Array;
}

export interface PackingSettings {
  maxSeqLength: number;
  shortSeqProb: number;
  clsId: number;
  sepId: number;
}

/**
 * create_instances_from_document without next-sentence prediction: consecutive sentences are gathered until they
 * reach the target length (or the document ends), and the chunk becomes one segment. The target is
 * max_num_tokens = max_seq_length − 2, or, with probability short_seq_prob, a random length in [2, max_num_tokens],
 * drawn once per document as in the original. A chunk longer than max_num_tokens is cut as truncate_seq_pair cuts
 * one segment: one token at a time, from the front or the back with equal odds.
 */
export function packDocument(document: TokenizedDocument, maxNumTokens: number, shortSeqProb: number, rng: Rng): Int32Array[] {
  let targetLength = maxNumTokens;
  if (rng.uniform() < shortSeqProb) targetLength = 2 + rng.int(maxNumTokens - 1);
  const chunks: Int32Array[] = [];
  let chunk: Int32Array[] = [];
  let chunkLength = 0;
  for (let i = 0; i < document.length; i++) {
    chunk.push(document[i]);
    chunkLength += document[i].length;
    if (i === document.length - 1 || chunkLength >= targetLength) {
      chunks.push(truncate(concat(chunk, chunkLength), maxNumTokens, rng));
      chunk = [];
      chunkLength = 0;
    }
  }
  return chunks;
}

function concat(sentences: Int32Array[], length: number): Int32Array {
  const tokens = new Int32Array(length);
  let at = 0;
  for (const sentence of sentences) {
    tokens.set(sentence, at);
    at += sentence.length;
  }
  return tokens;
}

function truncate(tokens: Int32Array, maxNumTokens: number, rng: Rng): Int32Array {
  let start = 0;
  let end = tokens.length;
  while (end - start > maxNumTokens) {
    if (rng.uniform() < 0.5) start++;
    else end--;
  }
  return tokens.subarray(start, end);
}

/** Every document packed in order, each chunk framed as `[CLS] chunk [SEP]`. */
export function packInstances(documents: readonly TokenizedDocument[], settings: PackingSettings, rng: Rng): PackedInstances {
  const L = settings.maxSeqLength;
  const chunks = documents.flatMap((document) => packDocument(document, L - 2, settings.shortSeqProb, rng));
  const n = chunks.length;
  const tokenIds = new Int32Array(n * L);
  const lengths = new Int32Array(n);
  chunks.forEach((chunk, i) => {
    tokenIds[i * L] = settings.clsId;
    tokenIds.set(chunk, i * L + 1);
    tokenIds[i * L + chunk.length + 1] = settings.sepId;
    lengths[i] = chunk.length + 2;
  });
  return { n, seqLength: L, tokenIds, lengths };
}
