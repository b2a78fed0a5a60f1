/**
 * Name maps between this project's parameter names (Google's TF variable names, dense kernels [in, out]) and
 * Hugging Face transformers' BERT names (torch Linear weights [out, in]).
 */
export interface ExternalName {
  name: string;
  /** True when the external tensor is the transpose of Google's TF layout (a torch Linear weight, [out, in]). */
  transpose: boolean;
}

const LEAF_HF: Record<string, string> = { kernel: 'weight', bias: 'bias', gamma: 'weight', beta: 'bias' };

/** Hugging Face name of an encoder or head parameter: `bert/encoder/layer_3/output/dense/kernel` → `bert.encoder.layer.3.output.dense.weight` (transposed). */
export function huggingFaceName(name: string): ExternalName {
  // BertForMaskedLM calls the masked-LM output bias `cls.predictions.bias` (its decoder's bias is tied to it).
  if (name === 'cls/predictions/output_bias') return { name: 'cls.predictions.bias', transpose: false };
  const parts = name.split('/');
  const leaf = parts.pop() as string;
  if (parts[parts.length - 1] === 'embeddings' && leaf.endsWith('_embeddings')) {
    return { name: `${parts.join('.')}.${leaf}.weight`, transpose: false };
  }
  const path = parts.map((p) => p.replace(/^layer_(\d+)$/, 'layer.$1')).join('.');
  return { name: `${path}.${LEAF_HF[leaf] ?? leaf}`, transpose: leaf === 'kernel' };
}

/**
 * Names under which a Hugging Face file may hold a parameter: with or without the `bert.` prefix (BertModel vs
 * BertFor… checkpoints), and the old `LayerNorm.gamma`/`beta` spelling of early conversions.
 */
export function huggingFaceCandidates(name: string): ExternalName[] {
  const primary = huggingFaceName(name);
  const names = [primary.name];
  if (primary.name.startsWith('bert.')) names.push(primary.name.slice('bert.'.length));
  for (const n of [...names]) {
    if (/LayerNorm\.weight$/.test(n)) names.push(n.replace(/weight$/, 'gamma'));
    if (/LayerNorm\.bias$/.test(n)) names.push(n.replace(/bias$/, 'beta'));
  }
  return names.map((n) => ({ name: n, transpose: primary.transpose }));
}
