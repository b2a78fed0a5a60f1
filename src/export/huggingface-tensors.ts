import { huggingFaceName } from '../checkpoint/bert-names.js';
import { needsTranspose } from '../checkpoint/load-weights.js';
import type { Float32Tensor } from '../checkpoint/safetensors.js';
import type { LoadedModel, ModelTask } from '../checkpoint/load-model.js';
import type { ParameterArena } from '../model/arena.js';
import { headPrefix } from '../model/parameter-specs.js';

/** Transposes a [rows, cols] matrix. */
export function transposeMatrix(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

/** Every parameter of the arena under its Hugging Face name, torch Linear weights [out, in]. */
export function huggingFaceTensors(arena: ParameterArena): Float32Tensor[] {
  return arena.parameters.map((p) => {
    const external = huggingFaceName(p.name);
    const values = arena.read(p);
    return needsTranspose(external, p)
      ? { name: external.name, shape: [p.shape[1], p.shape[0]], data: transposeMatrix(values, p.shape[0], p.shape[1]) }
      : { name: external.name, shape: p.shape, data: values };
  });
}

/**
 * The tensors of a Hugging Face `BertForSequenceClassification` for one task: the encoder as `bert.*` and the task's
 * head as `classifier.{weight,bias}`. A regression head's scale (5 for bam's STS-B head, which regresses score / 5)
 * is folded into the classifier, so that the exported model outputs the score on the task's scale, as Hugging Face
 * regression models do.
 */
export function sequenceClassifierTensors(loaded: Pick<LoadedModel, 'model'>, task: Pick<ModelTask, 'name' | 'scale'>): Float32Tensor[] {
  const encoder = huggingFaceTensors(loaded.model.arena).filter((t) => t.name.startsWith('bert.'));
  const arena = loaded.model.arena;
  const kernel = arena.get(`${headPrefix(task.name)}/kernel`);
  const bias = arena.get(`${headPrefix(task.name)}/bias`);
  const [hidden, outputs] = kernel.shape;
  const scaled = (data: Float32Array): Float32Array => (task.scale === 1 ? data : data.map((v) => v * task.scale));
  return [
    ...encoder,
    { name: 'classifier.weight', shape: [outputs, hidden], data: scaled(transposeMatrix(arena.read(kernel), hidden, outputs)) },
    { name: 'classifier.bias', shape: [outputs], data: scaled(arena.read(bias)) },
  ];
}
