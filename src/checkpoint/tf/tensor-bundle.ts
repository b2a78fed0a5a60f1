import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { BamError } from '../../errors.js';
import {
  decodeFixedWidth,
  dtypeByteWidth,
  elementCount,
  formatShape,
  isFixedWidthDtype,
  readBytesAt,
  toFloat32,
  type TensorInfo,
  type TensorSource,
  type TensorValue,
} from '../tensor-source.js';
import { crc32c, maskCrc32c, unmaskCrc32c } from './crc32c.js';
import { decodeBundleEntry, decodeBundleHeader, type BundleEntry } from './protobuf.js';
import { readVarint } from './varint.js';
import { readSstable } from './sstable.js';

/**
 * Reader for TensorFlow V2 checkpoints (TensorBundle, tensorflow/core/util/tensor_bundle): PREFIX.index is an
 * SSTable mapping each tensor name to a BundleEntryProto (dtype, shape, shard, offset, size, masked CRC32C), the
 * empty key to the BundleHeaderProto; the bytes live in PREFIX.data-NNNNN-of-NNNNN. The index is decoded when the
 * checkpoint is opened; tensor bytes are read only when asked for, with positioned reads, and CRC-checked on read.
 */

/** tensorflow.DataType enum (tensorflow/core/framework/types.proto) to the numpy / tf.DType.name spelling. */
const DTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'float32'], [2, 'float64'], [3, 'int32'], [4, 'uint8'], [5, 'int16'], [6, 'int8'], [7, 'string'],
  [8, 'complex64'], [9, 'int64'], [10, 'bool'], [11, 'qint8'], [12, 'quint8'], [13, 'qint32'], [14, 'bfloat16'],
  [15, 'qint16'], [16, 'quint16'], [17, 'uint16'], [18, 'complex128'], [19, 'float16'], [20, 'resource'],
  [21, 'variant'], [22, 'uint32'], [23, 'uint64'],
]);

/** This reader's TensorBundle version (kTensorBundleVersion); headers can exclude readers by version. */
const READER_VERSION = 1;
const CORRUPT_FIX = 're-download or re-save the checkpoint';
/** verify() reads fixed-width tensors in chunks of this size, so checking a checkpoint needs little memory. */
const CRC_CHUNK_BYTES = 16 << 20;

interface Entry extends BundleEntry {
  name: string;
  dtypeName: string;
}

export class TfCheckpoint implements TensorSource {
  readonly kind = 'tf' as const;
  /** Data files are opened on first use. */
  private readonly shardFds: (number | undefined)[];
  private closed = false;

  /**
   * @param path the checkpoint prefix (`.../bert_model.ckpt`)
   * @param tensors named tensors, sorted by name
   * @param sliceData entries holding the slices of partitioned variables (keys starting with NUL), checked by verifyAll
   */
  constructor(
    readonly path: string,
    readonly numShards: number,
    private readonly tensors: ReadonlyMap<string, Entry>,
    private readonly sliceData: readonly Entry[],
  ) {
    this.shardFds = new Array<number | undefined>(numShards).fill(undefined);
  }

  get indexPath(): string {
    return `${this.path}.index`;
  }

  /** PREFIX.data-NNNNN-of-NNNNN for shard `shard`. */
  shardPath(shard: number): string {
    return shardPath(this.path, shard, this.numShards);
  }

  list(): TensorInfo[] {
    return [...this.tensors.values()].map(({ name, dtypeName, shape }) => ({ name, dtype: dtypeName, shape: [...shape] }));
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const { dtypeName, shape } = this.entry(name);
    return { name, dtype: dtypeName, shape: [...shape] };
  }

  /** The data shard that holds tensor `name`. */
  shardOf(name: string): number {
    return this.entry(name).shardId;
  }

  readFloat32(name: string): Float32Array {
    return toFloat32(this.read(name), this.path, name);
  }

  /** Tensor `name`, decoded, after checking its CRC32C. */
  read(name: string): TensorValue {
    const entry = this.entry(name);
    if (entry.sliceCount > 0) {
      throw new BamError(
        `${this.indexPath}: tensor ${name} is a partitioned variable saved as ${entry.sliceCount} slices, which bam does not assemble; re-save the checkpoint with unpartitioned variables`,
      );
    }
    const bytes = this.readBytes(entry, entry.offset, entry.size);
    const { dtypeName } = entry;
    if (dtypeName === 'string') {
      const parsed = parseStringTensor(bytes, elementCount(entry.shape));
      if (typeof parsed === 'string') this.corrupt(entry, parsed);
      this.checkCrc(entry, parsed.crc);
      return { dtype: 'string', data: parsed.strings };
    }
    if (!isFixedWidthDtype(dtypeName)) {
      throw new BamError(
        `${this.indexPath}: tensor ${name} has dtype ${dtypeName}, which holds no model weights and which bam cannot decode; read the other tensors`,
      );
    }
    this.checkCrc(entry, crc32c(bytes));
    return decodeFixedWidth(dtypeName, bytes);
  }

  /** Whether tensor `name`'s bytes match its stored CRC32C (a partitioned variable holds no bytes of its own). */
  verify(name: string): boolean {
    return this.problem(this.entry(name)) === null;
  }

  /** Checks the CRC32C of every tensor (and slice); BamError naming the first corrupted one. */
  verifyAll(): void {
    for (const entry of [...this.tensors.values(), ...this.sliceData]) {
      const problem = this.problem(entry);
      if (problem !== null) this.corrupt(entry, problem);
    }
  }

  close(): void {
    this.closed = true;
    this.shardFds.forEach((fd, shard) => {
      if (fd !== undefined) closeSync(fd);
      this.shardFds[shard] = undefined;
    });
  }

  private entry(name: string): Entry {
    const entry = this.tensors.get(name);
    if (!entry) {
      throw new BamError(`${this.path}: no tensor named ${name} in this checkpoint; run 'bam inspect-checkpoint ${this.path}' to list its tensors`);
    }
    return entry;
  }

  /** What is wrong with the entry's bytes, or null when they match the stored CRC32C. */
  private problem(entry: Entry): string | null {
    if (entry.sliceCount > 0) return null;
    let crc: number;
    if (entry.dtypeName === 'string' || entry.dtypeName === 'variant') {
      const bytes = this.readBytes(entry, entry.offset, entry.size);
      const count = elementCount(entry.shape);
      const parsed = entry.dtypeName === 'string' ? parseStringTensor(bytes, count) : parseVariantTensor(bytes, count);
      if (typeof parsed === 'string') return parsed;
      crc = parsed.crc;
    } else {
      crc = 0;
      for (let done = 0; done < entry.size; done += CRC_CHUNK_BYTES) {
        crc = crc32c(this.readBytes(entry, entry.offset + done, Math.min(CRC_CHUNK_BYTES, entry.size - done)), crc);
      }
    }
    return crcProblem(entry, crc);
  }

  private checkCrc(entry: Entry, crc: number): void {
    const problem = crcProblem(entry, crc);
    if (problem !== null) this.corrupt(entry, problem);
  }

  private corrupt(entry: Entry, problem: string): never {
    throw new BamError(`${this.shardPath(entry.shardId)}: tensor ${entry.name} ${problem}: the data file is corrupted; ${CORRUPT_FIX}`);
  }

  /** `length` bytes of the entry's shard from `position`. */
  private readBytes(entry: Entry, position: number, length: number): Uint8Array {
    if (this.closed) throw new BamError(`${this.path}: read after close(); open the checkpoint again`);
    let fd = this.shardFds[entry.shardId];
    if (fd === undefined) {
      fd = openSync(this.shardPath(entry.shardId), 'r');
      this.shardFds[entry.shardId] = fd;
    }
    const bytes = readBytesAt(fd, position, length, `${this.shardPath(entry.shardId)}: tensor ${entry.name}`);
    if (!bytes) {
      throw new BamError(
        `${this.shardPath(entry.shardId)}: truncated while reading tensor ${entry.name} (the file shrank after it was opened); ${CORRUPT_FIX}`,
      );
    }
    return bytes;
  }
}

/**
 * Opens the checkpoint at `prefixOrIndexPath`: the prefix (`.../bert_model.ckpt`), its `.index` file, or one of its
 * data files. Decodes the index, checks its block CRCs, that every data shard exists and that no shard is shorter
 * than the tensors it should hold; tensor bytes are read later.
 */
const MAX_INDEX_BYTES = 2 ** 31 - 1;

export function openTfCheckpoint(prefixOrIndexPath: string): TfCheckpoint {
  const prefix = prefixOrIndexPath.replace(/\.index$/, '').replace(/\.data-\d{5}-of-\d{5}$/, '');
  const indexPath = `${prefix}.index`;
  if (!existsSync(indexPath)) {
    throw new BamError(
      `${prefixOrIndexPath}: no TensorFlow checkpoint here (${indexPath} not found); pass the checkpoint prefix (e.g. .../bert_model.ckpt) or its .index file`,
    );
  }
  // readFileSync cannot return more than 2 GiB; a real index is kilobytes to a few megabytes.
  const indexSize = statSync(indexPath).size;
  if (indexSize > MAX_INDEX_BYTES) {
    throw new BamError(`${indexPath}: ${indexSize} bytes is too large for a checkpoint index (at most ${MAX_INDEX_BYTES}): not a TensorFlow checkpoint index; pass the .index file of the checkpoint`);
  }
  const table = readSstable(readFileSync(indexPath), indexPath);
  if (table.length === 0 || table[0].key.length !== 0) {
    throw new BamError(`${indexPath}: no TensorBundle header entry: not a TensorFlow V2 checkpoint index; pass a checkpoint written by TensorFlow 1.x/2.x tf.train.Saver or tf.train.Checkpoint`);
  }
  const header = decodeBundleHeader(table[0].value, `${indexPath}: header entry`);
  if (header.endianness === 'big') {
    throw new BamError(`${indexPath}: the checkpoint was written on a big-endian machine, which TensorFlow itself cannot read here; re-save it on a little-endian machine`);
  }
  if (header.minConsumer > READER_VERSION || header.badConsumers.includes(READER_VERSION)) {
    throw new BamError(`${indexPath}: the checkpoint needs a TensorBundle reader newer than version ${READER_VERSION}; re-save it with TensorFlow 1.x/2.x`);
  }
  if (header.numShards < 1) throw new BamError(`${indexPath}: header says ${header.numShards} data shards; ${CORRUPT_FIX}`);

  const tensors = new Map<string, Entry>();
  const sliceData: Entry[] = [];
  const decoder = new TextDecoder();
  for (const { key, value } of table.slice(1)) {
    const isSlice = key[0] === 0;
    const name = isSlice ? sliceKeyLabel(key) : decoder.decode(key);
    const entry = { ...decodeBundleEntry(value, `${indexPath}: entry ${name}`), name, dtypeName: '' };
    entry.dtypeName = DTYPE_NAMES.get(entry.dtype) ?? `unknown(DataType ${entry.dtype})`;
    checkEntry(entry, header.numShards, indexPath);
    if (isSlice) sliceData.push(entry);
    else tensors.set(name, entry);
  }
  checkShards(prefix, header.numShards, [...tensors.values(), ...sliceData]);
  return new TfCheckpoint(prefix, header.numShards, tensors, sliceData);
}

/**
 * How messages name the slice of a partitioned variable. Its key (checkpoint::EncodeTensorNameSlice) is in
 * OrderedCode: NUL (the number 0), the variable name terminated by bytes 0x00 0x01, then the slice's extents.
 */
function sliceKeyLabel(key: Uint8Array): string {
  let end = 1;
  while (end + 1 < key.length && !(key[end] === 0 && key[end + 1] === 1)) end++;
  return `${new TextDecoder().decode(key.subarray(1, end))} (a slice)`;
}

function shardPath(prefix: string, shard: number, numShards: number): string {
  const pad = (n: number): string => String(n).padStart(5, '0');
  return `${prefix}.data-${pad(shard)}-of-${pad(numShards)}`;
}

/** Checks what the index alone can tell: shard in range, size consistent with dtype and shape. */
function checkEntry(entry: Entry, numShards: number, indexPath: string): void {
  const fail = (detail: string): never => {
    throw new BamError(`${indexPath}: entry for tensor ${entry.name} ${detail}; ${CORRUPT_FIX}`);
  };
  if (entry.sliceCount > 0) return;
  if (entry.shardId >= numShards) fail(`points to shard ${entry.shardId} of ${numShards}`);
  if (isFixedWidthDtype(entry.dtypeName)) {
    const expected = elementCount(entry.shape) * dtypeByteWidth(entry.dtypeName);
    if (entry.size !== expected) fail(`says ${entry.size} bytes, but ${entry.dtypeName} of shape ${formatShape(entry.shape)} takes ${expected}`);
  }
}

/** Every shard must exist and be long enough for the tensors it holds (a shorter one was truncated). */
function checkShards(prefix: string, numShards: number, entries: readonly Entry[]): void {
  const sizes: number[] = [];
  for (let shard = 0; shard < numShards; shard++) {
    const path = shardPath(prefix, shard, numShards);
    if (!existsSync(path)) {
      throw new BamError(
        `${path}: data shard ${shard + 1} of ${numShards} is missing; copy every ${prefix}.data-*-of-${String(numShards).padStart(5, '0')} file next to the .index file`,
      );
    }
    sizes.push(statSync(path).size);
  }
  for (const entry of entries) {
    if (entry.sliceCount > 0) continue;
    const end = entry.offset + entry.size;
    if (end > sizes[entry.shardId]) {
      throw new BamError(
        `${shardPath(prefix, entry.shardId, numShards)}: truncated: tensor ${entry.name} needs bytes ${entry.offset}..${end} but the file has ${sizes[entry.shardId]}; ${CORRUPT_FIX}`,
      );
    }
  }
}

function crcProblem(entry: Entry, crc: number): string | null {
  const stored = unmaskCrc32c(entry.maskedCrc32c);
  if (crc === stored) return null;
  const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
  return `fails its CRC32C check (index says ${hex(stored)}, data gives ${hex(crc)})`;
}

/**
 * A string tensor's bytes (WriteStringTensor): a varint64 length per element, the masked CRC32C of those lengths,
 * then the element bytes. The tensor's CRC32C covers each length as a little-endian uint32 (uint64 above 4 GiB),
 * not as the varint written, then the 4 checksum bytes and the element bytes.
 * Returns the elements and that CRC, or what is wrong with the layout.
 */
function parseStringTensor(bytes: Uint8Array, count: number): { strings: Uint8Array[]; crc: number } | string {
  const lengths: number[] = [];
  let pos = 0;
  let crc = 0;
  for (let i = 0; i < count; i++) {
    const varint = readVarint(bytes, pos);
    if (!varint) return `has a corrupt string layout (length ${i} runs past the tensor's ${bytes.length} bytes)`;
    [lengths[i], pos] = varint;
    crc = crc32c(littleEndianLength(lengths[i]), crc);
  }
  if (pos + 4 > bytes.length) return `has a corrupt string layout (no length checksum)`;
  const lengthsChecksum = bytes.subarray(pos, pos + 4);
  const storedLengthsCrc = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getUint32(0, true);
  if (storedLengthsCrc !== maskCrc32c(crc)) return 'fails the CRC32C check of its string lengths';
  crc = crc32c(lengthsChecksum, crc);
  pos += 4;
  const strings: Uint8Array[] = [];
  for (const length of lengths) {
    if (pos + length > bytes.length) return `has a corrupt string layout (strings run past the tensor's ${bytes.length} bytes)`;
    strings.push(bytes.subarray(pos, pos + length));
    crc = crc32c(strings[strings.length - 1], crc);
    pos += length;
  }
  if (pos !== bytes.length) return `has a corrupt string layout (${bytes.length - pos} bytes left over)`;
  return { strings, crc };
}

/**
 * A variant tensor's bytes (WriteVariantTensor): per element a varint64 length, the serialized VariantTensorDataProto
 * and a 4-byte masked checksum. The tensor's CRC32C covers each length as a little-endian uint64, the bytes and the
 * checksums. Returns that CRC, or what is wrong with the layout.
 */
function parseVariantTensor(bytes: Uint8Array, count: number): { crc: number } | string {
  let pos = 0;
  let crc = 0;
  for (let i = 0; i < count; i++) {
    const varint = readVarint(bytes, pos);
    if (!varint || varint[1] + varint[0] + 4 > bytes.length) return `has a corrupt variant layout (element ${i} runs past the tensor's ${bytes.length} bytes)`;
    const [length, start] = varint;
    const lengthBytes = new Uint8Array(8);
    new DataView(lengthBytes.buffer).setBigUint64(0, BigInt(length), true);
    crc = crc32c(lengthBytes, crc);
    crc = crc32c(bytes.subarray(start, start + length + 4), crc);
    pos = start + length + 4;
  }
  if (pos !== bytes.length) return `has a corrupt variant layout (${bytes.length - pos} bytes left over)`;
  return { crc };
}

/** A string length as TensorFlow feeds it to the CRC: 4 little-endian bytes, or 8 when it does not fit in 32 bits. */
function littleEndianLength(length: number): Uint8Array {
  const wide = length > 0xffffffff;
  const bytes = new Uint8Array(wide ? 8 : 4);
  const view = new DataView(bytes.buffer);
  if (wide) view.setBigUint64(0, BigInt(length), true);
  else view.setUint32(0, length, true);
  return bytes;
}
