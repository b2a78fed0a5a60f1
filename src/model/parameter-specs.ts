import type { ParameterSpec } from './arena.js';
import type { BertConfig } from './bert-config.js';

/** Prefix of encoder layer i's variables, as in Google's checkpoints. */
export function layerPrefix(i: number): string {
  return `bert/encoder/layer_${i}`;
}

/** Prefix of a task head's variables, as in the original BAM. */
export function headPrefix(task: string): string {
  return `task_specific/${task}/dense`;
}

/**
 * The encoder's parameters under Google's TF variable names, dense kernels stored [in, out] (y = x·W + b), in the
 * order of the forward pass. The query, key and value kernels are the exception: stored [out, in] one after another
 * (then their three biases), they form one [3·hidden, hidden] matrix and one bias, so the projections are one gemm.
 */
export function encoderParameterSpecs(c: BertConfig): ParameterSpec[] {
  const H = c.hiddenSize;
  const specs: ParameterSpec[] = [
    { name: 'bert/embeddings/word_embeddings', shape: [c.vocabSize, H], depth: 0 },
    { name: 'bert/embeddings/token_type_embeddings', shape: [c.typeVocabSize, H], depth: 0 },
    { name: 'bert/embeddings/position_embeddings', shape: [c.maxPositionEmbeddings, H], depth: 0 },
    { name: 'bert/embeddings/LayerNorm/gamma', shape: [H], depth: 0 },
    { name: 'bert/embeddings/LayerNorm/beta', shape: [H], depth: 0 },
  ];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const p = layerPrefix(i);
    const depth = i + 1;
    const dense = (name: string, fanIn: number, fanOut: number): void => {
      specs.push({ name: `${p}/${name}/kernel`, shape: [fanIn, fanOut], depth });
      specs.push({ name: `${p}/${name}/bias`, shape: [fanOut], depth });
    };
    const layerNorm = (name: string): void => {
      specs.push({ name: `${p}/${name}/LayerNorm/gamma`, shape: [H], depth });
      specs.push({ name: `${p}/${name}/LayerNorm/beta`, shape: [H], depth });
    };
    for (const name of ['query', 'key', 'value']) {
      specs.push({ name: `${p}/attention/self/${name}/kernel`, shape: [H, H], depth, transposed: true });
    }
    for (const name of ['query', 'key', 'value']) specs.push({ name: `${p}/attention/self/${name}/bias`, shape: [H], depth });
    dense('attention/output/dense', H, H);
    layerNorm('attention/output');
    dense('intermediate/dense', H, c.intermediateSize);
    dense('output/dense', c.intermediateSize, H);
    layerNorm('output');
  }
  specs.push({ name: 'bert/pooler/dense/kernel', shape: [H, H], depth: c.numHiddenLayers + 1 });
  specs.push({ name: 'bert/pooler/dense/bias', shape: [H], depth: c.numHiddenLayers + 1 });
  return specs;
}

/** A task head: one dense layer on the pooled output (`numOutputs` = label count, or 1 for regression). */
export function headParameterSpecs(task: string, numOutputs: number, c: BertConfig): ParameterSpec[] {
  const depth = c.numHiddenLayers + 2;
  return [
    { name: `${headPrefix(task)}/kernel`, shape: [c.hiddenSize, numOutputs], depth },
    { name: `${headPrefix(task)}/bias`, shape: [numOutputs], depth },
  ];
}

/** Prefix of the masked-LM head's variables, as in Google's pretraining checkpoints. */
export const MASKED_LM_PREFIX = 'cls/predictions';

/**
 * BERT's masked-LM head (google-research/bert run_pretraining.py `get_masked_lm_output`): a dense + GELU + LayerNorm
 * transform and a per-token output bias; the decoder is the word-embedding table itself (tied weights).
 */
export function maskedLmParameterSpecs(c: BertConfig): ParameterSpec[] {
  const H = c.hiddenSize;
  const depth = c.numHiddenLayers + 2;
  return [
    { name: `${MASKED_LM_PREFIX}/transform/dense/kernel`, shape: [H, H], depth },
    { name: `${MASKED_LM_PREFIX}/transform/dense/bias`, shape: [H], depth },
    { name: `${MASKED_LM_PREFIX}/transform/LayerNorm/gamma`, shape: [H], depth },
    { name: `${MASKED_LM_PREFIX}/transform/LayerNorm/beta`, shape: [H], depth },
    { name: `${MASKED_LM_PREFIX}/output_bias`, shape: [c.vocabSize], depth },
  ];
}
