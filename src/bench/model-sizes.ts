import type { BertConfig } from '../model/bert-config.js';
import { BERT_SIZE_NAMES, bertConfigOfSize, type BertSize } from '../model/bert-sizes.js';

/** The models `bam bench` measures, smallest first: every size of src/model/bert-sizes.ts. */
export const BENCH_MODELS: readonly BertSize[] = BERT_SIZE_NAMES;

export type BenchModel = BertSize;

export function isBenchModel(name: string): name is BenchModel {
  return (BENCH_MODELS as readonly string[]).includes(name);
}

/** The BERT config of a benchmark model, uncased-English vocab. bench/torch_bert_step.py builds the same shapes. */
export function benchBertConfig(model: BenchModel): BertConfig {
  return bertConfigOfSize(model);
}
