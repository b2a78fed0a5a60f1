import type { OnnxAttribute, OnnxNode, OnnxTensor } from './onnx-proto.js';

/** Builds an ONNX graph's nodes and initializers, naming every node and intermediate value uniquely. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();

  private unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** A float32 initializer; returns its name. */
  floats(name: string, dims: number[], data: Float32Array): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, data });
    return unique;
  }

  /** An int64 initializer; returns its name. `dims` [] makes a scalar. */
  int64s(name: string, dims: number[], values: number[]): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, data: BigInt64Array.from(values, BigInt) });
    return unique;
  }

  /** A node with one output, named `output` (made unique); returns the output's name. */
  op(opType: string, inputs: string[], output: string, attributes: OnnxAttribute[] = []): string {
    const out = this.unique(output);
    this.nodes.push({ name: `${out}/${opType}`, opType, inputs, outputs: [out], attributes });
    return out;
  }
}
