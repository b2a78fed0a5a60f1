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
  readonly value: Float32Array;
  readonly grad: Float32Array;
}

const NO_DECAY = /LayerNorm|layer_norm|bias/;

/**
 * All trainable parameters in one contiguous Float32Array, with gradients and both Adam moments in arrays of the
 * same layout, so the optimizer is one fused pass and a checkpoint is four array writes.
 */
export class ParameterArena {
  readonly values: Float32Array;
  readonly grads: Float32Array;
  readonly adamM: Float32Array;
  readonly adamV: Float32Array;
  readonly parameters: readonly Parameter[];
  private readonly byName = new Map<string, Parameter>();

  constructor(specs: ParameterSpec[]) {
    const total = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    this.values = new Float32Array(total);
    this.grads = new Float32Array(total);
    this.adamM = new Float32Array(total);
    this.adamV = new Float32Array(total);
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
        value: this.values.subarray(offset, offset + size),
        grad: this.grads.subarray(offset, offset + size),
      };
      parameters.push(parameter);
      this.byName.set(spec.name, parameter);
      offset += size;
    }
    this.parameters = parameters;
  }

  get size(): number {
    return this.values.length;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Parameter {
    const parameter = this.byName.get(name);
    if (!parameter) throw new Error(`no parameter named ${name}`);
    return parameter;
  }

  zeroGrads(): void {
    this.grads.fill(0);
  }
}
