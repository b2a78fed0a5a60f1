import type { FloatBuffer, Kernels } from '../engine/backend.js';

/** What a parameter tensor is: its name (Google's TF variable name), shape, layer depth and weight-decay flag. */
export interface ParameterSpec {
  name: string;
  shape: number[];
  /** Layer depth for the layer-wise learning rate: embeddings 0, encoder layer i → i + 1, pooler n + 1, heads n + 2. */
  depth: number;
  /**
   * A dense kernel stored [out, in], the transpose of Google's TF layout (torch Linear's), so that a layer's query,
   * key and value kernels, stored one after another, form a single [3·hidden, hidden] matrix.
   */
  transposed?: boolean;
}

/** A named tensor of the arena: views into the parameter and gradient arrays. */
export interface Parameter {
  readonly name: string;
  readonly shape: number[];
  readonly offset: number;
  readonly size: number;
  readonly depth: number;
  /** Stored [out, in] (see ParameterSpec). */
  readonly transposed: boolean;
  /** False for LayerNorm parameters and biases, as the original's `exclude_from_weight_decay`. */
  readonly decay: boolean;
  readonly value: FloatBuffer;
  readonly grad: FloatBuffer;
}

const NO_DECAY = /LayerNorm|layer_norm|bias/;

/**
 * All trainable parameters in one contiguous backend buffer, with gradients and both Adam moments in buffers of the
 * same layout, so the optimizer is one fused pass and a checkpoint is four transfers.
 */
export class ParameterArena {
  readonly values: FloatBuffer;
  readonly grads: FloatBuffer;
  readonly adamM: FloatBuffer;
  readonly adamV: FloatBuffer;
  readonly size: number;
  readonly parameters: readonly Parameter[];
  private readonly byName = new Map<string, Parameter>();

  constructor(readonly kernels: Kernels, specs: ParameterSpec[]) {
    const k = kernels;
    const total = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    this.size = total;
    this.values = k.allocFloat(total);
    this.grads = k.allocFloat(total);
    this.adamM = k.allocFloat(total);
    this.adamV = k.allocFloat(total);
    let offset = 0;
    const parameters: Parameter[] = [];
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error(`duplicate parameter ${spec.name}`);
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const parameter: Parameter = {
        name: spec.name,
        shape: [...spec.shape],
        offset,
        size,
        depth: spec.depth,
        transposed: spec.transposed ?? false,
        decay: !NO_DECAY.test(spec.name),
        value: k.view(this.values, offset, size),
        grad: k.view(this.grads, offset, size),
      };
      parameters.push(parameter);
      this.byName.set(spec.name, parameter);
      offset += size;
    }
    this.parameters = parameters;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Parameter {
    const parameter = this.byName.get(name);
    if (!parameter) throw new Error(`no parameter named ${name}`);
    return parameter;
  }

  /** Parameters that follow one another in the arena, as one view of values and one of gradients; throws if they are not adjacent. */
  adjacent(parts: Parameter[]): { value: FloatBuffer; grad: FloatBuffer } {
    parts.forEach((q, i) => {
      if (i > 0 && q.offset !== parts[i - 1].offset + parts[i - 1].size) throw new Error(`${q.name} does not follow ${parts[i - 1].name} in the arena`);
    });
    const start = parts[0].offset;
    const size = parts[parts.length - 1].offset + parts[parts.length - 1].size - start;
    return { value: this.kernels.view(this.values, start, size), grad: this.kernels.view(this.grads, start, size) };
  }

  zeroGrads(): void {
    this.kernels.fill(this.grads, 0, 0, this.size);
  }

  /** A host copy of a parameter's values (saving, export, tests). */
  read(p: Parameter): Float32Array {
    return this.kernels.download(p.value);
  }

  /** Sets a parameter's values from the host (initialisation, loading weights). */
  write(p: Parameter, data: Float32Array): void {
    if (data.length !== p.size) throw new Error(`${p.name}: ${data.length} values for a tensor of ${p.size}`);
    this.kernels.upload(p.value, data);
  }
}
