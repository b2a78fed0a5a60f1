import { ProtoMessage } from './protobuf-writer.js';

/**
 * The subset of ONNX's protobuf schema (onnx/onnx.proto) a BERT classifier needs, with the field numbers of the
 * schema, encoded by ProtoMessage.
 */

/** TensorProto.DataType values. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;
export type OnnxElementType = typeof ONNX_FLOAT | typeof ONNX_INT64;

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** An int, float or ints attribute (AttributeProto.type INT = 2, FLOAT = 1, INTS = 7). */
export type OnnxAttribute =
  | { name: string; int: number }
  | { name: string; float: number }
  | { name: string; ints: number[] };

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

/** A graph input or output: element type and shape, each dimension a size or a symbolic name (dynamic). */
export interface OnnxValueInfo {
  name: string;
  elemType: OnnxElementType;
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  /** Version of the default (ai.onnx) operator set. */
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: OnnxGraph;
}

function tensorProto(t: OnnxTensor): ProtoMessage {
  const m = new ProtoMessage().packedInt64(1, t.dims);
  m.varint(2, t.data instanceof Float32Array ? ONNX_FLOAT : ONNX_INT64);
  m.string(8, t.name);
  // raw_data is little-endian, as typed arrays are on every host Node runs on.
  return m.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function attributeProto(a: OnnxAttribute): ProtoMessage {
  const m = new ProtoMessage().string(1, a.name);
  if ('int' in a) return m.varint(3, a.int).varint(20, 2);
  if ('float' in a) return m.float(2, a.float).varint(20, 1);
  for (const v of a.ints) m.varint(8, v);
  return m.varint(20, 7);
}

function nodeProto(n: OnnxNode): ProtoMessage {
  const m = new ProtoMessage();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes) m.message(5, attributeProto(a));
  return m;
}

function valueInfoProto(v: OnnxValueInfo): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new ProtoMessage().varint(1, d) : new ProtoMessage().string(2, d));
  const tensorType = new ProtoMessage().varint(1, v.elemType).message(2, shape);
  return new ProtoMessage().string(1, v.name).message(2, new ProtoMessage().message(1, tensorType));
}

function graphProto(g: OnnxGraph): ProtoMessage {
  const m = new ProtoMessage();
  for (const n of g.nodes) m.message(1, nodeProto(n));
  m.string(2, g.name);
  for (const t of g.initializers) m.message(5, tensorProto(t));
  for (const v of g.inputs) m.message(11, valueInfoProto(v));
  for (const v of g.outputs) m.message(12, valueInfoProto(v));
  return m;
}

/** The serialized ModelProto. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  return new ProtoMessage()
    .varint(1, model.irVersion)
    .string(2, model.producerName)
    .string(3, model.producerVersion)
    .string(6, model.docString)
    .message(7, graphProto(model.graph))
    .message(8, new ProtoMessage().string(1, '').varint(2, model.opsetVersion))
    .finish();
}
