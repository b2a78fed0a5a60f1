import { closeSync, existsSync, fstatSync, openSync } from 'node:fs';
import { toHalfBits } from './float16.js';
import { BamError } from '../errors.js';
import { writeChunksAtomic } from '../util/atomic-write.js';
import {
  compareNames,
  decodeFixedWidth,
  dtypeByteWidth,
  elementCount,
  formatShape,
  readBytesAt,
  toFloat32,
  type FixedWidthDtype,
  type TensorInfo,
  type TensorSource,
  type TensorValue,
} from './tensor-source.js';

/**
 * safetensors (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * `{"__metadata__": {string: string}, "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}`
 * (padded with spaces), then the tensor bytes, little-endian, offsets relative to the end of the header.
 * Reading decodes the header and validates it as the reference implementation does (known dtypes, sizes that match
 * the shapes, tensors that tile the data section exactly); tensor bytes are read only when asked for.
 */

/** safetensors dtype codes and their numpy spellings. */
const DTYPES: Readonly<Record<string, FixedWidthDtype>> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8',
  U64: 'uint64', U32: 'uint32', U16: 'uint16', U8: 'uint8', BOOL: 'bool',
};

/** The reference implementation refuses headers above 100 MB; a larger length means a corrupt or foreign file. */
const MAX_HEADER_BYTES = 100_000_000;
const CORRUPT_FIX = 're-download or re-save the file';

interface StoredTensor {
  info: TensorInfo;
  dtype: FixedWidthDtype;
  /** Byte range within the data section. */
  begin: number;
  end: number;
}

export class SafetensorsFile implements TensorSource {
  readonly kind = 'safetensors' as const;
  private fd: number | undefined;

  /**
   * @param dataStart file offset of the data section (8 + header length)
   * @param tensors every tensor, sorted by name
   */
  constructor(
    readonly path: string,
    readonly metadata: Readonly<Record<string, string>>,
    fd: number,
    private readonly dataStart: number,
    private readonly tensors: ReadonlyMap<string, StoredTensor>,
  ) {
    this.fd = fd;
  }

  list(): TensorInfo[] {
    return [...this.tensors.values()].map(({ info }) => ({ ...info, shape: [...info.shape] }));
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const { info } = this.tensor(name);
    return { ...info, shape: [...info.shape] };
  }

  readFloat32(name: string): Float32Array {
    return toFloat32(this.read(name), this.path, name);
  }

  read(name: string): TensorValue {
    const { dtype, begin, end } = this.tensor(name);
    if (this.fd === undefined) throw new BamError(`${this.path}: read after close(); open the file again`);
    const bytes = readBytesAt(this.fd, this.dataStart + begin, end - begin, `${this.path}: tensor ${name}`);
    if (!bytes) throw new BamError(`${this.path}: truncated while reading tensor ${name} (the file shrank after it was opened); ${CORRUPT_FIX}`);
    return decodeFixedWidth(dtype, bytes);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private tensor(name: string): StoredTensor {
    const tensor = this.tensors.get(name);
    if (!tensor) {
      throw new BamError(`${this.path}: no tensor named ${name} in this file; run 'bam inspect-checkpoint ${this.path}' to list its tensors`);
    }
    return tensor;
  }
}

/** Opens a .safetensors file and validates its header; BamError (one line) for anything malformed. */
export function openSafetensors(path: string): SafetensorsFile {
  if (!existsSync(path)) throw new BamError(`${path}: file not found; pass the path of a .safetensors file`);
  const fd = openSync(path, 'r');
  try {
    const { metadata, dataStart, tensors } = readHeader(fd, path);
    return new SafetensorsFile(path, metadata, fd, dataStart, tensors);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function readHeader(fd: number, path: string): {
  metadata: Record<string, string>;
  dataStart: number;
  tensors: Map<string, StoredTensor>;
} {
  const fail = (detail: string): never => {
    throw new BamError(`${path}: ${detail}; ${CORRUPT_FIX}`);
  };
  const fileSize = fstatSync(fd).size;
  const lengthBytes = fileSize >= 8 ? readBytesAt(fd, 0, 8, path) : null;
  if (!lengthBytes) return fail(`truncated: ${fileSize} bytes, too short for a safetensors header`);
  const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} is over the 100 MB limit: not a safetensors file`);
  const dataStart = 8 + headerLength;
  const headerBytes = dataStart <= fileSize ? readBytesAt(fd, 8, headerLength, path) : null;
  if (!headerBytes) return fail(`truncated: the header needs ${dataStart} bytes, the file has ${fileSize}`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError) fail(`header is not valid UTF-8 JSON (${error.message})`);
    throw error;
  }
  if (!isPlainObject(header)) return fail('header is not a JSON object');

  let metadata: Record<string, string> = {};
  const stored: StoredTensor[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
        fail('__metadata__ is not an object of strings');
      }
      metadata = value as Record<string, string>;
      continue;
    }
    stored.push(parseTensorHeader(name, value, fail));
  }

  // Like the reference implementation: tensors must tile the data section, without gaps, overlaps or trailing bytes.
  const dataLength = fileSize - dataStart;
  let expectedBegin = 0;
  for (const tensor of [...stored].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (tensor.end > dataLength) {
      fail(`truncated: tensor ${tensor.info.name} ends at data byte ${tensor.end}, but the data section has ${dataLength} bytes`);
    }
    if (tensor.begin !== expectedBegin) {
      fail(`tensor ${tensor.info.name} starts at data byte ${tensor.begin}, expected ${expectedBegin} (tensors must tile the data section)`);
    }
    expectedBegin = tensor.end;
  }
  if (expectedBegin !== dataLength) fail(`${dataLength - expectedBegin} bytes after the last tensor`);

  const tensors = new Map(stored.sort((a, b) => compareNames(a.info.name, b.info.name)).map((t) => [t.info.name, t]));
  return { metadata, dataStart, tensors };
}

function parseTensorHeader(name: string, value: unknown, fail: (detail: string) => never): StoredTensor {
  if (!isPlainObject(value)) return fail(`header entry for tensor ${name} is not an object`);
  const { dtype: code, shape, data_offsets: offsets } = value;
  const dtype = typeof code === 'string' && Object.hasOwn(DTYPES, code) ? DTYPES[code] : undefined;
  if (!dtype) {
    return fail(`tensor ${name} has unsupported dtype ${JSON.stringify(code)} (supported: ${Object.keys(DTYPES).join(' ')})`);
  }
  if (!isArrayOfNonNegativeIntegers(shape)) return fail(`tensor ${name} has a bad shape ${JSON.stringify(shape)}`);
  if (!isArrayOfNonNegativeIntegers(offsets) || offsets.length !== 2 || offsets[0] > offsets[1]) {
    return fail(`tensor ${name} has bad data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets;
  const needed = elementCount(shape) * dtypeByteWidth(dtype);
  if (end - begin !== needed) {
    fail(`tensor ${name}: data_offsets [${begin},${end}] hold ${end - begin} bytes, but ${code} of shape ${formatShape(shape)} takes ${needed}`);
  }
  return { info: { name, dtype, shape }, dtype, begin, end };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isArrayOfNonNegativeIntegers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => Number.isSafeInteger(n) && n >= 0);
}

export interface Float32Tensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Writes float32 tensors as safetensors the way Hugging Face does: tensors sorted by name, laid out in that order,
 * header JSON padded with spaces to a multiple of 8 bytes. `storage` F16 stores each value as its nearest half
 * (round to nearest even; reading widens it back exactly). The file appears atomically
 * (writeChunksAtomic).
 */
export function writeSafetensors(path: string, tensors: Float32Tensor[], metadata?: Record<string, string>, storage: 'F32' | 'F16' = 'F32'): void {
  const sorted = [...tensors].sort((a, b) => compareNames(a.name, b.name));
  const bytesOf = (data: Float32Array): Uint8Array => {
    const stored = storage === 'F16' ? toHalfBits(data) : data;
    return new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
  };
  const headerParts: string[] = metadata ? [`"__metadata__":${JSON.stringify(metadata)}`] : [];
  let offset = 0;
  sorted.forEach((tensor, i) => {
    if (i > 0 && sorted[i - 1].name === tensor.name) {
      throw new BamError(`${path}: tensor ${tensor.name} is given twice; pass each tensor once`);
    }
    if (tensor.name === '__metadata__') throw new BamError(`${path}: a tensor cannot be named __metadata__; rename it`);
    if (!isArrayOfNonNegativeIntegers(tensor.shape) || elementCount(tensor.shape) !== tensor.data.length) {
      throw new BamError(
        `${path}: tensor ${tensor.name} has ${tensor.data.length} values, but shape ${formatShape(tensor.shape)} needs ${elementCount(tensor.shape)}; pass data that matches the shape`,
      );
    }
    const end = offset + tensor.data.length * (storage === 'F16' ? 2 : 4);
    // Built by hand rather than with JSON.stringify of one object, which would move integer-like names to the front.
    headerParts.push(`${JSON.stringify(tensor.name)}:${JSON.stringify({ dtype: storage, shape: tensor.shape, data_offsets: [offset, end] })}`);
    offset = end;
  });
  const json = Buffer.from(`{${headerParts.join(',')}}`);
  const header = Buffer.alloc(8 + Math.ceil(json.length / 8) * 8, ' ');
  header.writeBigUInt64LE(BigInt(header.length - 8), 0);
  json.copy(header, 8);

  writeChunksAtomic(path, (write) => {
    write(header);
    // Float32Array bytes are little-endian on every host Node runs on, as the format requires.
    for (const { data } of sorted) write(bytesOf(data));
  });
}

