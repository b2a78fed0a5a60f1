import { mix32 } from '../engine/kernels.js';
import { BamError } from '../errors.js';
import type { FullTokenizer } from '../tokenization/full-tokenizer.js';
import { Rng } from '../util/rng.js';
import { maskInstance, maskingVocab, type MaskingSettings, type MaskingVocab } from './mask-tokens.js';
import { packInstances, type PackedInstances } from './pack-instances.js';
import { readTextDocuments, type TokenizedDocument } from './text-documents.js';

/** The settings of create_pretraining_data.py that still apply, plus the held-out split. */
export interface PretrainingDataOptions {
  /** max_seq_length: [CLS] + up to max_seq_length − 2 tokens + [SEP]. */
  maxSeqLength: number;
  /** max_predictions_per_seq: the most masked positions per instance. */
  maxPredictionsPerSeq: number;
  /** masked_lm_prob: the share of an instance's length (specials included, as in the original) to predict. */
  maskedLmProb: number;
  /** short_seq_prob: the chance that a document packs to a random shorter target length. */
  shortSeqProb: number;
  /** do_whole_word_mask: mask a word's "##" pieces together with it. */
  doWholeWordMask: boolean;
  /** The last round(heldoutFraction · documents) documents (at least 1 when above 0) form the held-out split. */
  heldoutFraction: number;
  /** Drives the packing and every epoch's masks. */
  seed: number;
}

export const DEFAULT_PRETRAINING_DATA_OPTIONS: Readonly<PretrainingDataOptions> = Object.freeze({
  maxSeqLength: 128,
  maxPredictionsPerSeq: 20,
  maskedLmProb: 0.15,
  shortSeqProb: 0.1,
  doWholeWordMask: false,
  heldoutFraction: 0.05,
  seed: 12345,
});

/**
 * The held-out split is packed and masked once with this seed (the original's default random_seed), whatever the
 * run's seed, so held-out MLM loss and accuracy compare across runs on the same text.
 */
export const HELDOUT_SEED = 12345;

/** One epoch (or the held-out split) as flat arrays: rows of seqLength tokens, maxPredictions prediction slots each. */
export interface MaskedInstances {
  n: number;
  seqLength: number;
  maxPredictions: number;
  /** [n, seqLength] masked input ids, 0 after each row's length. */
  inputIds: Int32Array;
  /** [n, seqLength] 1 on real tokens, 0 on padding. */
  inputMask: Float32Array;
  /** [n] real tokens per row, [CLS] and [SEP] included. */
  lengths: Int32Array;
  /** [n, maxPredictions] positions within the row, ascending; 0 in unused slots. */
  maskedPositions: Int32Array;
  /** [n, maxPredictions] the original ids at those positions; 0 in unused slots. */
  maskedIds: Int32Array;
  /** [n, maxPredictions] 1 for a real prediction, 0 for an unused slot. */
  maskedWeights: Float32Array;
}

/** Salts that split one seed into independent random streams, one per use. */
const enum Stream {
  Packing = 0x5ac1,
  Masking = 0x3a5c,
  Order = 0x0dde,
}

/** The seed of stream `stream` at `index` (an epoch) under `seed`: nearby seeds and epochs give unrelated streams. */
function streamSeed(seed: number, stream: number, index: number): number {
  return mix32((mix32((seed ^ Math.imul(stream, 0x85ebca6b)) >>> 0) + Math.imul(index + 1, 0x9e3779b9)) >>> 0);
}

/** The order in which step-addressed batches visit the rows of `epoch`; see MlmBatchStream. */
export function epochOrderSeed(seed: number, epoch: number): number {
  return streamSeed(seed, Stream.Order, epoch);
}

/**
 * The masked-LM pretraining data of create_pretraining_data.py, without next-sentence prediction: every instance is
 * one segment (segment ids all 0) of consecutive sentences of one document. The packing is done once; instead of
 * dupe_factor fixed copies, the masks are drawn afresh for every epoch from (seed, epoch), so epoch e's arrays are
 * a pure function of the text, the options and e.
 */
export class PretrainingData {
  readonly options: Readonly<PretrainingDataOptions>;
  /** The training instances, packed and unmasked. */
  readonly train: PackedInstances;
  /** The held-out instances, masked once with HELDOUT_SEED; n = 0 when heldoutFraction is 0. */
  readonly heldout: MaskedInstances;
  readonly trainDocuments: number;
  readonly heldoutDocuments: number;
  private readonly vocab: MaskingVocab;

  constructor(documents: readonly TokenizedDocument[], tokenizer: FullTokenizer, options: Partial<PretrainingDataOptions> = {}) {
    const settings = checkOptions({ ...DEFAULT_PRETRAINING_DATA_OPTIONS, ...options });
    this.options = Object.freeze(settings);
    this.vocab = maskingVocab(tokenizer.vocab);
    this.heldoutDocuments = heldoutCount(documents.length, settings.heldoutFraction);
    this.trainDocuments = documents.length - this.heldoutDocuments;
    const { clsId, sepId } = this.vocab;
    const packing = { maxSeqLength: settings.maxSeqLength, shortSeqProb: settings.shortSeqProb, clsId, sepId };
    const pack = (part: readonly TokenizedDocument[], seed: number): PackedInstances =>
      packInstances(part, packing, new Rng(streamSeed(seed, Stream.Packing, 0)));
    this.train = pack(documents.slice(0, this.trainDocuments), settings.seed);
    const heldoutPacked = pack(documents.slice(this.trainDocuments), HELDOUT_SEED);
    this.heldout = this.mask(heldoutPacked, new Rng(streamSeed(HELDOUT_SEED, Stream.Masking, 0)));
  }

  /** Reads and tokenizes plain-text files (one sentence per line, blank lines between documents). */
  static fromTextFiles(
    paths: readonly string[],
    tokenizer: FullTokenizer,
    options: Partial<PretrainingDataOptions> = {},
  ): PretrainingData {
    return new PretrainingData(readTextDocuments(paths, tokenizer), tokenizer, options);
  }

  /** The training instances with the masks of `epoch` (0-based); fresh arrays on every call. */
  maskEpoch(epoch: number): MaskedInstances {
    if (!(Number.isInteger(epoch) && epoch >= 0)) {
      throw new Error(`maskEpoch: epoch must be a non-negative integer, got ${epoch}`);
    }
    return this.mask(this.train, new Rng(streamSeed(this.options.seed, Stream.Masking, epoch)));
  }

  private mask(packed: PackedInstances, rng: Rng): MaskedInstances {
    const { n, seqLength: L } = packed;
    const P = this.options.maxPredictionsPerSeq;
    const settings: MaskingSettings = this.options;
    const out: MaskedInstances = {
      n,
      seqLength: L,
      maxPredictions: P,
      inputIds: packed.tokenIds.slice(),
      inputMask: new Float32Array(n * L),
      lengths: packed.lengths.slice(),
      maskedPositions: new Int32Array(n * P),
      maskedIds: new Int32Array(n * P),
      maskedWeights: new Float32Array(n * P),
    };
    for (let i = 0; i < n; i++) {
      const len = packed.lengths[i];
      out.inputMask.fill(1, i * L, i * L + len);
      const row = {
        inputIds: out.inputIds.subarray(i * L, i * L + len),
        positions: out.maskedPositions.subarray(i * P, i * P + P),
        labels: out.maskedIds.subarray(i * P, i * P + P),
        weights: out.maskedWeights.subarray(i * P, i * P + P),
      };
      maskInstance(row, settings, this.vocab, rng);
    }
    return out;
  }
}

function heldoutCount(documents: number, fraction: number): number {
  if (documents === 0) throw new BamError('no pretraining documents; give plain text, one sentence per line');
  if (fraction === 0) return 0;
  if (documents === 1) {
    throw new BamError(
      'the pretraining text is one document, too few to hold some out; ' +
        'separate documents with blank lines or set heldout_fraction to 0',
    );
  }
  return Math.min(documents - 1, Math.max(1, Math.round(fraction * documents)));
}

function checkOptions(options: PretrainingDataOptions): PretrainingDataOptions {
  const { maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, heldoutFraction, seed } = options;
  const fail = (what: string, value: unknown, fix: string): never => {
    throw new BamError(`pretraining data: ${what} ${String(value)} is invalid; ${fix}`);
  };
  if (!(Number.isInteger(maxSeqLength) && maxSeqLength >= 4)) {
    fail('max_seq_length', maxSeqLength, 'use an integer of at least 4 ([CLS], two tokens, [SEP])');
  }
  if (!(Number.isInteger(maxPredictionsPerSeq) && maxPredictionsPerSeq >= 1)) {
    fail('max_predictions_per_seq', maxPredictionsPerSeq, 'use a positive integer (BERT uses 20 at length 128)');
  }
  if (!(maskedLmProb > 0 && maskedLmProb <= 1)) fail('masked_lm_prob', maskedLmProb, 'use a number in (0, 1], e.g. 0.15');
  if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) fail('short_seq_prob', shortSeqProb, 'use a number in [0, 1], e.g. 0.1');
  if (!(heldoutFraction >= 0 && heldoutFraction < 1)) {
    fail('heldout_fraction', heldoutFraction, 'use a number in [0, 1), e.g. 0.05');
  }
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) fail('seed', seed, 'use an integer in [0, 2^32)');
  if (typeof options.doWholeWordMask !== 'boolean') fail('do_whole_word_mask', options.doWholeWordMask, 'use true or false');
  return options;
}
