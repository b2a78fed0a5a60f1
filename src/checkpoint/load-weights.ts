import { BamError } from '../errors.js';
import type { Parameter, ParameterArena } from '../model/arena.js';
import { huggingFaceCandidates, type ExternalName } from './bert-names.js';
import { expectShape, formatShape, type TensorSource } from './tensor-source.js';

/** Google's TF checkpoints use our names as they are; Hugging Face files use the names of `bert-names.ts`. */
export type WeightFormat = 'tensorflow' | 'huggingface';

export interface LoadWeightsOptions {
  /**
   * Heads to load, by task: the name prefix of the head in the source (e.g. Hugging Face `classifier` for a
   * BertForSequenceClassification). Heads not listed are loaded when the source holds them under our own names
   * and keep their initialisation otherwise (a pretrained encoder has no task heads).
   */
  headSources?: Record<string, string>;
}

/**
 * Whether a tensor is stored transposed relative to our parameter: `transpose` says the external tensor is the
 * transpose of Google's TF layout (a torch Linear weight), `transposed` that ours is.
 */
export function needsTranspose(external: ExternalName, p: Parameter): boolean {
  return external.transpose !== p.transposed;
}

function transposeInto(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
}

/** Where a parameter lives in the source, or null when it is not there. */
function locate(p: Parameter, source: TensorSource, format: WeightFormat, headSources: Record<string, string>): ExternalName | null {
  const isMappedHead = /^task_specific\/([^/]+)\//.exec(p.name)?.[1];
  const candidates = isMappedHead !== undefined && headSources[isMappedHead] !== undefined
    ? [expectedName(p, format, headSources)]
    : format === 'huggingface' ? huggingFaceCandidates(p.name) : [{ name: p.name, transpose: false }];
  return candidates.find((c) => source.has(c.name)) ?? null;
}

/**
 * Copies a checkpoint's tensors into the arena, checking every shape. Every encoder parameter must be present;
 * extra tensors (optimizer slots, global_step, pretraining heads `cls/…`) are ignored. Returns the names loaded.
 */
export function loadWeights(arena: ParameterArena, source: TensorSource, format: WeightFormat, options: LoadWeightsOptions = {}): string[] {
  const headSources = options.headSources ?? {};
  const missing: Parameter[] = [];
  const loaded: string[] = [];
  for (const p of arena.parameters) {
    const isHead = p.name.startsWith('task_specific/');
    const where = locate(p, source, format, headSources);
    if (!where) {
      const headName = /^task_specific\/([^/]+)\//.exec(p.name)?.[1];
      if (!isHead || (headName !== undefined && headSources[headName] !== undefined)) missing.push(p);
      continue;
    }
    const flip = needsTranspose(where, p);
    const expected = flip ? [...p.shape].reverse() : p.shape;
    expectShape(source, where.name, expected);
    const data = source.readFloat32(where.name);
    if (flip) {
      const stored = new Float32Array(p.size);
      transposeInto(data, expected[0], expected[1], stored);
      arena.write(p, stored);
    } else {
      arena.write(p, data);
    }
    loaded.push(p.name);
  }
  if (missing.length > 0) {
    const first = missing[0];
    const name = expectedName(first, format, headSources);
    const more = missing.length > 1 ? ` and ${missing.length - 1} more` : '';
    throw new BamError(
      `${source.path}: missing tensor ${name.name} (expected shape ${formatShape(needsTranspose(name, first) ? [...first.shape].reverse() : first.shape)})${more}; ` +
      'the checkpoint does not match the model config (check num_hidden_layers and the file format)',
    );
  }
  return loaded;
}

/** The name (and orientation) a parameter is expected under, for error messages. */
function expectedName(p: Parameter, format: WeightFormat, headSources: Record<string, string>): ExternalName {
  const head = /^task_specific\/([^/]+)\/dense\/(kernel|bias)$/.exec(p.name);
  if (head && headSources[head[1]] !== undefined && format === 'huggingface') {
    return { name: `${headSources[head[1]]}.${head[2] === 'kernel' ? 'weight' : 'bias'}`, transpose: head[2] === 'kernel' };
  }
  if (head && headSources[head[1]] !== undefined) return { name: `${headSources[head[1]]}/${head[2]}`, transpose: false };
  return format === 'huggingface' ? huggingFaceCandidates(p.name)[0] : { name: p.name, transpose: false };
}
