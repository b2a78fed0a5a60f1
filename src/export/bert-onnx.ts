import type { Float32Tensor } from '../checkpoint/safetensors.js';
import type { BertConfig } from '../model/bert-config.js';
import { GraphBuilder } from './graph-builder.js';
import { ONNX_FLOAT, ONNX_INT64, type OnnxModel } from './onnx-proto.js';

/** LayerNormalization is an ai.onnx operator from opset 17 on; everything else here is older. */
export const ONNX_OPSET = 17;
/** The IR version that goes with opset 17 (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;

/** What BERT adds to the attention scores of padding keys, as bam's kernels and Google's BERT do. */
const MASKED_SCORE = -10000;

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

/**
 * The ONNX graph of a Hugging Face `BertForSequenceClassification` from its tensors (HF names, torch Linear weights
 * [out, in]): inputs `input_ids`, `attention_mask`, `token_type_ids` (int64 [batch, sequence], both dynamic), output
 * `logits` [batch, num_labels]. Eval mode: Gather embeddings, LayerNormalization, attention by MatMul/Softmax with the
 * additive −10000 mask, GELU by Erf, the Tanh pooler on [CLS], and the classifier.
 */
export function bertClassifierOnnx(config: BertConfig, tensors: readonly Float32Tensor[], producerVersion: string): OnnxModel {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const tensor = (name: string): Float32Tensor => {
    const t = byName.get(name);
    if (!t) throw new Error(`bertClassifierOnnx: tensor ${name} is missing`);
    return t;
  };
  const g = new GraphBuilder();
  const H = config.hiddenSize;
  const heads = config.numAttentionHeads;
  const headSize = H / heads;
  const eps = { name: 'epsilon', float: config.layerNormEps };
  const lastAxis = { name: 'axis', int: -1 };

  const weight = (name: string): string => g.floats(name, tensor(name).shape, tensor(name).data);
  /** x · Wᵀ + b for a torch Linear `prefix` ([out, in] stored, so the initializer is its transpose). */
  const linear = (x: string, prefix: string, out: string): string => {
    const w = tensor(`${prefix}.weight`);
    const [outDim, inDim] = w.shape;
    const kernel = g.floats(`${prefix}.kernel`, [inDim, outDim], transpose(w.data, outDim, inDim));
    return g.op('Add', [g.op('MatMul', [x, kernel], `${out}_matmul`), weight(`${prefix}.bias`)], out);
  };
  const layerNorm = (x: string, prefix: string, out: string): string =>
    g.op('LayerNormalization', [x, weight(`${prefix}.weight`), weight(`${prefix}.bias`)], out, [lastAxis, eps]);

  // Embeddings: word + position + token type, then LayerNorm. Positions are 0..sequence-1.
  const words = g.op('Gather', [weight('bert.embeddings.word_embeddings.weight'), 'input_ids'], 'word_embeddings');
  const types = g.op('Gather', [weight('bert.embeddings.token_type_embeddings.weight'), 'token_type_ids'], 'token_type_embeddings');
  const shape = g.op('Shape', ['input_ids'], 'input_shape');
  const sequence = g.op('Gather', [shape, g.int64s('one', [], [1])], 'sequence_length', [{ name: 'axis', int: 0 }]);
  const positionIds = g.op('Range', [g.int64s('zero', [], [0]), sequence, g.int64s('step', [], [1])], 'position_ids');
  const positions = g.op('Gather', [weight('bert.embeddings.position_embeddings.weight'), positionIds], 'position_embeddings');
  const summed = g.op('Add', [g.op('Add', [words, types], 'word_type_sum'), positions], 'embedding_sum');
  let hidden = layerNorm(summed, 'bert.embeddings.LayerNorm', 'embeddings');

  // The additive mask [batch, 1, 1, sequence]: 0 on real tokens, −10000 on padding.
  const maskFloat = g.op('Cast', ['attention_mask'], 'mask_float', [{ name: 'to', int: ONNX_FLOAT }]);
  const inverted = g.op('Sub', [g.floats('one_float', [], Float32Array.of(1)), maskFloat], 'mask_inverted');
  const additive = g.op('Mul', [inverted, g.floats('masked_score', [], Float32Array.of(MASKED_SCORE))], 'mask_additive');
  const mask = g.op('Unsqueeze', [additive, g.int64s('mask_axes', [2], [1, 2])], 'attention_bias');

  const splitShape = g.int64s('split_heads_shape', [4], [0, 0, heads, headSize]);
  const mergeShape = g.int64s('merge_heads_shape', [3], [0, 0, H]);
  const scale = g.floats('attention_scale', [], Float32Array.of(1 / Math.sqrt(headSize)));
  const invSqrt2 = g.floats('inv_sqrt2', [], Float32Array.of(Math.SQRT1_2));
  const half = g.floats('half', [], Float32Array.of(0.5));
  const oneFloat = g.floats('one_gelu', [], Float32Array.of(1));
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `bert.encoder.layer.${i}`;
    const n = `layer_${i}`;
    // [batch, seq, H] → [batch, heads, seq, head_size]; keys → [batch, heads, head_size, seq].
    const split = (x: string, perm: number[], out: string): string =>
      g.op('Transpose', [g.op('Reshape', [x, splitShape], `${out}_split`)], out, [{ name: 'perm', ints: perm }]);
    const q = split(linear(hidden, `${p}.attention.self.query`, `${n}_query`), [0, 2, 1, 3], `${n}_q`);
    const k = split(linear(hidden, `${p}.attention.self.key`, `${n}_key`), [0, 2, 3, 1], `${n}_k`);
    const v = split(linear(hidden, `${p}.attention.self.value`, `${n}_value`), [0, 2, 1, 3], `${n}_v`);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, k], `${n}_qk`), scale], `${n}_scaled`), mask], `${n}_scores`);
    const probs = g.op('Softmax', [scores], `${n}_probs`, [lastAxis]);
    const context = g.op('MatMul', [probs, v], `${n}_context_heads`);
    const merged = g.op('Reshape', [g.op('Transpose', [context], `${n}_context_t`, [{ name: 'perm', ints: [0, 2, 1, 3] }]), mergeShape], `${n}_context`);
    const attended = linear(merged, `${p}.attention.output.dense`, `${n}_attention_dense`);
    const attention = layerNorm(g.op('Add', [attended, hidden], `${n}_attention_residual`), `${p}.attention.output.LayerNorm`, `${n}_attention`);
    // GELU, exact: 0.5 · x · (1 + erf(x / √2)).
    const pre = linear(attention, `${p}.intermediate.dense`, `${n}_intermediate_pre`);
    const erf = g.op('Erf', [g.op('Mul', [pre, invSqrt2], `${n}_gelu_scaled`)], `${n}_gelu_erf`);
    const gelu = g.op('Mul', [g.op('Mul', [pre, half], `${n}_gelu_half`), g.op('Add', [erf, oneFloat], `${n}_gelu_1p`)], `${n}_intermediate`);
    const output = linear(gelu, `${p}.output.dense`, `${n}_output_dense`);
    hidden = layerNorm(g.op('Add', [output, attention], `${n}_output_residual`), `${p}.output.LayerNorm`, `${n}_output`);
  }

  // Pooler: tanh(dense(hidden[:, 0])), then the classifier.
  const first = g.op('Gather', [hidden, g.int64s('cls_index', [], [0])], 'cls_hidden', [{ name: 'axis', int: 1 }]);
  const pooled = g.op('Tanh', [linear(first, 'bert.pooler.dense', 'pooler_dense')], 'pooler_output');
  const logits = linear(pooled, 'classifier', 'logits');
  const numLabels = tensor('classifier.weight').shape[0];

  const dynamic = ['batch', 'sequence'];
  return {
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'bam',
    producerVersion,
    docString: 'BertForSequenceClassification exported by bam export',
    graph: {
      name: 'bert_sequence_classification',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({ name, elemType: ONNX_INT64, shape: dynamic })),
      outputs: [{ name: logits, elemType: ONNX_FLOAT, shape: ['batch', numLabels] }],
    },
  };
}

