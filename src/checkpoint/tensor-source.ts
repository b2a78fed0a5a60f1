import { constants as bufferConstants } from 'node:buffer';
import { readSync } from 'node:fs';
import { BamError } from '../errors.js';

/**
 * What every checkpoint reader offers (TensorFlow TensorBundle, safetensors): named tensors, read lazily, plus the
 * typed values they decode to. Dtypes are spelled as numpy / TensorFlow's Python API spell them.
 */

export interface TensorInfo {
  name: string;
  /** numpy spelling: float32, float16, bfloat16, int64, bool, string, ... */
  dtype: string;
  shape: number[];
}

export interface TensorSource {
  readonly path: string;
  /** Every tensor, sorted by name (compareNames). */
  list(): TensorInfo[];
  has(name: string): boolean;
  /** BamError naming the file and tensor when absent. */
  info(name: string): TensorInfo;
  /** Converts float16/bfloat16/float64 to float32; BamError for a non-float tensor. */
  readFloat32(name: string): Float32Array;
  close(): void;
}

/**
 * A decoded tensor, row-major. float16/bfloat16 keep their raw bit patterns (readFloat32 widens them); complex
 * tensors interleave real and imaginary parts; bool is one byte per element; string elements are raw bytes (they are
 * often serialized protos, not text).
 */
export type TensorValue =
  | { dtype: 'float32' | 'complex64'; data: Float32Array }
  | { dtype: 'float64' | 'complex128'; data: Float64Array }
  | { dtype: 'float16' | 'bfloat16' | 'uint16' | 'quint16'; data: Uint16Array }
  | { dtype: 'int8' | 'qint8'; data: Int8Array }
  | { dtype: 'uint8' | 'quint8' | 'bool'; data: Uint8Array }
  | { dtype: 'int16' | 'qint16'; data: Int16Array }
  | { dtype: 'int32' | 'qint32'; data: Int32Array }
  | { dtype: 'uint32'; data: Uint32Array }
  | { dtype: 'int64'; data: BigInt64Array }
  | { dtype: 'uint64'; data: BigUint64Array }
  | { dtype: 'string'; data: Uint8Array[] };

/** Bytes per element of every fixed-width dtype. */
const FIXED_WIDTH_BYTES = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, complex64: 8, complex128: 16,
  int8: 1, uint8: 1, bool: 1, qint8: 1, quint8: 1,
  int16: 2, uint16: 2, qint16: 2, quint16: 2,
  int32: 4, uint32: 4, qint32: 4,
  int64: 8, uint64: 8,
} as const;

export type FixedWidthDtype = keyof typeof FIXED_WIDTH_BYTES;

export function isFixedWidthDtype(dtype: string): dtype is FixedWidthDtype {
  return Object.hasOwn(FIXED_WIDTH_BYTES, dtype);
}

export function dtypeByteWidth(dtype: FixedWidthDtype): number {
  return FIXED_WIDTH_BYTES[dtype];
}

/** Number of elements of a tensor of this shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Tensor-name order of listings and of written files: UTF-8 byte order, as SSTables and Hugging Face sort. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** `[a,b]`, the way shapes appear in messages and listings. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * Typed view of little-endian tensor bytes (`bytes.length` must be a multiple of the width). Typed arrays use the
 * host's byte order; Node runs only on little-endian hosts, so no swapping is needed. Unaligned input is copied.
 */
export function decodeFixedWidth(dtype: FixedWidthDtype, bytes: Uint8Array): TensorValue {
  const b = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const count = b.byteLength / FIXED_WIDTH_BYTES[dtype];
  const scalars = dtype === 'complex64' || dtype === 'complex128' ? count * 2 : count;
  switch (dtype) {
    case 'float32':
    case 'complex64':
      return { dtype, data: new Float32Array(b.buffer, b.byteOffset, scalars) };
    case 'float64':
    case 'complex128':
      return { dtype, data: new Float64Array(b.buffer, b.byteOffset, scalars) };
    case 'float16':
    case 'bfloat16':
    case 'uint16':
    case 'quint16':
      return { dtype, data: new Uint16Array(b.buffer, b.byteOffset, count) };
    case 'int8':
    case 'qint8':
      return { dtype, data: new Int8Array(b.buffer, b.byteOffset, count) };
    case 'uint8':
    case 'quint8':
    case 'bool':
      return { dtype, data: new Uint8Array(b.buffer, b.byteOffset, count) };
    case 'int16':
    case 'qint16':
      return { dtype, data: new Int16Array(b.buffer, b.byteOffset, count) };
    case 'int32':
    case 'qint32':
      return { dtype, data: new Int32Array(b.buffer, b.byteOffset, count) };
    case 'uint32':
      return { dtype, data: new Uint32Array(b.buffer, b.byteOffset, count) };
    case 'int64':
      return { dtype, data: new BigInt64Array(b.buffer, b.byteOffset, count) };
    case 'uint64':
      return { dtype, data: new BigUint64Array(b.buffer, b.byteOffset, count) };
  }
}

/** The value as float32; `path` and `name` go into the error for a tensor that is not floating-point. */
export function toFloat32(value: TensorValue, path: string, name: string): Float32Array {
  switch (value.dtype) {
    case 'float32':
      return value.data;
    case 'float64':
      return Float32Array.from(value.data);
    case 'float16':
      return Float32Array.from(value.data, halfBitsToNumber);
    case 'bfloat16': {
      // bfloat16 is the upper half of a float32.
      const bits = new Uint32Array(value.data.length);
      for (let i = 0; i < bits.length; i++) bits[i] = value.data[i] << 16;
      return new Float32Array(bits.buffer);
    }
    default:
      throw new BamError(
        `${path}: tensor ${name} has dtype ${value.dtype}, expected a floating-point tensor (float32, float64, float16 or bfloat16); check the tensor name`,
      );
  }
}

/** IEEE 754 half-precision bits to a number (exact: every half is a float32). */
function halfBitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Largest single readSync (its limit is just under 2 GiB). */
const MAX_READ_BYTES = 1 << 30;
/** The largest buffer Node.js allocates (4 GiB on 64-bit Node 20). */
const MAX_BUFFER_BYTES = bufferConstants.MAX_LENGTH;

/**
 * `length` bytes at `position` of the open file `fd`, in a fresh buffer (so typed views over it are aligned);
 * null when the file ends first.
 */
export function readBytesAt(fd: number, position: number, length: number, where: string): Uint8Array | null {
  if (length > MAX_BUFFER_BYTES) {
    throw new BamError(`${where}: a read of ${length} bytes is over the ${MAX_BUFFER_BYTES} bytes one Node.js buffer holds; save the tensor in smaller pieces`);
  }
  const bytes = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const n = readSync(fd, bytes, done, Math.min(MAX_READ_BYTES, length - done), position + done);
    if (n === 0) return null;
    done += n;
  }
  return bytes;
}

/** Fails with a one-line BamError unless tensor `name` of `source` has exactly `shape`. */
export function expectShape(source: TensorSource, name: string, shape: readonly number[]): void {
  const actual = source.info(name).shape;
  if (actual.length !== shape.length || actual.some((dim, i) => dim !== shape[i])) {
    throw new BamError(
      `${source.path}: tensor ${name} has shape ${formatShape(actual)}, expected ${formatShape(shape)} (the checkpoint does not match the model configuration; use the checkpoint that belongs to the config, or fix the config's sizes)`,
    );
  }
}
