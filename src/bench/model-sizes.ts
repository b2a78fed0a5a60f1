import type { BertConfig } from '../model/bert-config.js';

/** The models `bam bench` measures, smallest first (Turc et al. 2019's compact BERTs and BERT-base). */
export const BENCH_MODELS = ['tiny', 'mini', 'small', 'base'] as const;

export type BenchModel = (typeof BENCH_MODELS)[number];

const SIZES: Record<BenchModel, { layers: number; hidden: number }> = {
  tiny: { layers: 2, hidden: 128 },
  mini: { layers: 4, hidden: 256 },
  small: { layers: 4, hidden: 512 },
  base: { layers: 12, hidden: 768 },
};

export function isBenchModel(name: string): name is BenchModel {
  return (BENCH_MODELS as readonly string[]).includes(name);
}

/**
 * The BERT config of a benchmark model: uncased-English vocab, intermediate 4×hidden, one head per 64 hidden units,
 * BERT's dropout and position/type tables. bench/torch_bert_step.py builds the same shapes.
 */
export function benchBertConfig(model: BenchModel): BertConfig {
  const { layers, hidden } = SIZES[model];
  return {
    vocabSize: 30522,
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
