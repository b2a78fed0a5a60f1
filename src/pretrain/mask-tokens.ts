import { roundHalfEven } from '../data/task-weighting.js';
import { BamError } from '../errors.js';
import type { Vocab } from '../tokenization/vocab.js';
import type { Rng } from '../util/rng.js';

/** What masking needs to know about the vocabulary. */
export interface MaskingVocab {
  clsId: number;
  sepId: number;
  maskId: number;
  /** Random replacements are drawn uniformly from ids [0, size), as the original draws from all of vocab.txt. */
  size: number;
  /** 1 where the token is a WordPiece continuation ("##..."), which whole-word masking joins to the piece before it. */
  isContinuation: Uint8Array;
}

export interface MaskingSettings {
  maskedLmProb: number;
  maxPredictionsPerSeq: number;
  doWholeWordMask: boolean;
}

export function maskingVocab(vocab: Vocab): MaskingVocab {
  const idOf = (token: string): number => {
    const id = vocab.tokenToId.get(token);
    if (id === undefined) {
      throw new BamError(`vocabulary ${vocab.source} has no ${token} token; masked-LM pretraining needs [CLS], [SEP] and [MASK]`);
    }
    return id;
  };
  const isContinuation = new Uint8Array(vocab.idToToken.length);
  vocab.idToToken.forEach((token, id) => (isContinuation[id] = token.startsWith('##') ? 1 : 0));
  return { clsId: idOf('[CLS]'), sepId: idOf('[SEP]'), maskId: idOf('[MASK]'), size: vocab.idToToken.length, isContinuation };
}

/** Where one instance's masking writes: views of its row and of its prediction slots in the epoch arrays. */
export interface MaskedRow {
  /** The instance's input ids (length = its real tokens), overwritten in place at the masked positions. */
  inputIds: Int32Array;
  /** maxPredictionsPerSeq slots each; slots past the count are left as they are (zero). */
  positions: Int32Array;
  labels: Int32Array;
  weights: Float32Array;
}

/**
 * create_masked_lm_predictions for one instance. Candidates are every position but [CLS] and [SEP] (with whole-word
 * masking, a "##" piece joins the candidate before it), shuffled; round(len · masked_lm_prob) positions, at least 1
 * and at most max_predictions_per_seq, are taken in that order, a whole word only if it still fits (so, as in the
 * original, a row of long words can get fewer predictions, even none). Each taken position becomes [MASK] 80% of
 * the time, a random vocabulary id 10%, and stays itself 10%; its label is the original id. Predictions are written
 * sorted by position. Returns how many were made.
 */
export function maskInstance(row: MaskedRow, settings: MaskingSettings, vocab: MaskingVocab, rng: Rng): number {
  const tokens = row.inputIds;
  const len = tokens.length;
  // Candidates are contiguous runs [starts[c], starts[c] + sizes[c]); the original's set of covered indexes never
  // fires because the runs are disjoint, so it is left out.
  const starts: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < len; i++) {
    const token = tokens[i];
    if (token === vocab.clsId || token === vocab.sepId) continue;
    if (settings.doWholeWordMask && starts.length > 0 && vocab.isContinuation[token] === 1) sizes[sizes.length - 1]++;
    else {
      starts.push(i);
      sizes.push(1);
    }
  }
  const order = Int32Array.from(starts.keys());
  rng.shuffle(order);

  const numToPredict = Math.min(settings.maxPredictionsPerSeq, Math.max(1, roundHalfEven(len * settings.maskedLmProb)));
  const labels = new Int32Array(len).fill(-1);
  let count = 0;
  for (const c of order) {
    if (count >= numToPredict) break;
    if (count + sizes[c] > numToPredict) continue;
    for (let index = starts[c]; index < starts[c] + sizes[c]; index++) {
      labels[index] = tokens[index];
      if (rng.uniform() < 0.8) tokens[index] = vocab.maskId;
      else if (rng.uniform() >= 0.5) tokens[index] = rng.int(vocab.size);
      count++;
    }
  }

  let slot = 0;
  for (let index = 0; index < len; index++) {
    if (labels[index] < 0) continue;
    row.positions[slot] = index;
    row.labels[slot] = labels[index];
    row.weights[slot] = 1;
    slot++;
  }
  return count;
}
