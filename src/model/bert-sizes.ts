import type { BertConfig } from './bert-config.js';

/** The size of Google's uncased English WordPiece vocabulary (bert-base-uncased's vocab.txt). */
export const UNCASED_VOCAB_SIZE = 30522;

/** BERT sizes by name: Turc et al. 2019's compact BERTs (tiny, mini, small) and BERT-base, smallest first. */
export const BERT_SIZES = {
  tiny: { layers: 2, hidden: 128 },
  mini: { layers: 4, hidden: 256 },
  small: { layers: 4, hidden: 512 },
  base: { layers: 12, hidden: 768 },
} as const;

export type BertSize = keyof typeof BERT_SIZES;

export const BERT_SIZE_NAMES = Object.keys(BERT_SIZES) as BertSize[];

/**
 * The BERT config of a named size: intermediate 4×hidden, one head per 64 hidden units, BERT's dropout and
 * position/type tables, as the released checkpoints of those sizes have.
 */
export function bertConfigOfSize(size: BertSize, vocabSize = UNCASED_VOCAB_SIZE): BertConfig {
  const { layers, hidden } = BERT_SIZES[size];
  return {
    vocabSize,
    hiddenSize: hidden,
    numHiddenLayers: layers,
    numAttentionHeads: hidden / 64,
    intermediateSize: 4 * hidden,
    hiddenAct: 'gelu',
    hiddenDropoutProb: 0.1,
    attentionProbsDropoutProb: 0.1,
    maxPositionEmbeddings: 512,
    typeVocabSize: 2,
    initializerRange: 0.02,
    layerNormEps: 1e-12,
  };
}
